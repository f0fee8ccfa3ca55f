/**
 * The fetch Bolt and the Web API client use (`clientOptions.fetch`). Bolt's `respond()` posts
 * to the response_url with it, never reads the answer's body and sets no time limit: a
 * response_url that never answers would hold the listener forever. Here every request is
 * bounded (unless the caller brought its own signal) and the body is read at once, so the
 * connection goes back to the pool instead of waiting for garbage collection. Requests go
 * over node:http(s) (node-http-fetch.ts), which reads every answer whole by itself.
 */
import { type FetchLike, nodeHttpFetch } from './node-http-fetch.js';

export type { FetchLike };

export const REQUEST_TIMEOUT_MS = 10_000;

/** A fetch that reads every answer in full and gives up after `timeoutMs`. */
export function createReadingFetch(
  timeoutMs = REQUEST_TIMEOUT_MS,
  inner: FetchLike = nodeHttpFetch,
): FetchLike {
  return async (input, init) => {
    const bounded = { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) };
    if (inner === nodeHttpFetch) return nodeHttpFetch(input, bounded); // read whole already
    const response = await inner(input, bounded);
    const body = await response.arrayBuffer();
    // A null-body status may not be given a body, even an empty one.
    const nullBody = response.status === 204 || response.status === 304;
    return new Response(nullBody ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

export const readingFetch: FetchLike = createReadingFetch();
