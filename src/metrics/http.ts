/**
 * Answers `GET /metrics` on a plain Node response, for both receivers (HTTP mode's custom route
 * and Socket Mode's health server).
 */
import type { ServerResponse } from 'node:http';
import type { MetricsExposition } from './metrics.js';

/** What the receiver calls to get the exposition text (metrics.ts `render`). */
export type MetricsSource = () => Promise<MetricsExposition>;

/**
 * Writes the exposition, or a bare 500 when it cannot be built: the error's text stays out of
 * the response (it is not for scrapers) and goes to `onError` for the log.
 */
export function serveMetrics(
  source: MetricsSource,
  res: ServerResponse,
  onError: (err: unknown) => void,
): void {
  source().then(
    ({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
    (err: unknown) => {
      onError(err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('metrics unavailable\n');
    },
  );
}
