/**
 * Posting to a response_url outside a Bolt handler (timers, shutdown). Inside handlers Bolt's
 * `respond` does the same. Errors never include the URL: it is a capability to post as the bot.
 */
export type ResponseUrlPoster = (url: string, body: Record<string, unknown>) => Promise<void>;

/**
 * A poster whose every POST gives up after `timeoutMs` (the bot uses `slack.api_timeout_ms`):
 * Slack's hooks can hang like its Web API, and a reply waiting on them must fall back in time.
 */
export function createResponseUrlPoster(timeoutMs = 5000): ResponseUrlPoster {
  return async (url, body) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      // The cause is left off on purpose: fetch errors quote the URL, which must not reach logs.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`response_url post failed: ${(err as Error).name}`);
    }
    if (!res.ok) throw new Error(`response_url post failed: HTTP ${res.status}`);
    await res.arrayBuffer();
  };
}
