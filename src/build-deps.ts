import { WebClient } from '@slack/web-api';
import { createAuditLog } from './audit/audit-events.js';
import { createBoltLogger } from './audit/bolt-logger.js';
import { createLogger } from './audit/logger.js';
import { createAwsClientFactory } from './aws/client-factory.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { createCallerResolver } from './identity/caller.js';
import { createSessionBroker } from './identity/sessions.js';
import { createResponseUrlPoster } from './slack/response-url.js';
import { createUserDirectory } from './slack/user-directory.js';

/** Builds every dependency from a loaded config. Shared by main.ts, the app tests and the sandbox. */
export function buildDeps(
  config: Config,
  logger = createLogger(config.logLevel),
  clock: Clock = systemClock,
): Deps {
  const aws = createAwsClientFactory({ region: config.aws.region });
  const client = new WebClient(config.slackBotToken, {
    logger: createBoltLogger(logger),
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
  });
  const directory = createUserDirectory(client, clock, config.slack.user_cache_seconds);
  const sessions = createSessionBroker(aws, clock, {
    durationSeconds: config.aws.session_duration_seconds,
    contact: config.access.contact,
  });
  return {
    config,
    logger,
    clock,
    audit: createAuditLog(logger),
    aws,
    directory,
    sessions,
    callers: createCallerResolver(config, directory, sessions),
    postToResponseUrl: createResponseUrlPoster(),
  };
}
