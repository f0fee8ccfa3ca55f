import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import { readingFetch } from './reading-fetch.js';

/**
 * Options for every Web API client the bot makes (Bolt's and ours). The SDK's default retry
 * policy keeps retrying for about 30 minutes; a person waiting on a reply is better served by a
 * few quick retries and a clear failure, and scheduled work runs again on its next tick anyway.
 * Rate-limited calls still wait for Slack's Retry-After. Each attempt is bounded by
 * `slack.api_timeout_ms`: without a timeout the SDK waits forever for a hung Slack, and the
 * person's reply with it.
 */
export function webClientOptions(config: Pick<Config, 'slackApiUrl' | 'slack'>): WebClientOptions {
  return {
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2000 },
    timeout: config.slack.api_timeout_ms,
    // Bolt's respond() posts to response_urls with this too; see reading-fetch.ts.
    fetch: readingFetch,
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
  };
}
