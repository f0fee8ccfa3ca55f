/**
 * Bolt's HTTPReceiver, with bodies not shaped like Slack's requests answered `400` before Bolt
 * sees them (request-shape.ts says what is checked). Bolt parses an interaction's `payload` and
 * then reads fields of it outside any error handler: a signed `payload=null` made it throw an
 * unhandled rejection and leave the HTTP request open forever; other shapes (a `user` that is a
 * number, an `actions` that is no list) made it answer 500, or made a listener throw. Slack never
 * sends such bodies; a plain refusal keeps every request answered and every listener fed the
 * shapes it expects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import { malformedBodyReason } from './request-shape.js';

/** An {@link HTTPReceiver} that refuses bodies not shaped like Slack's on its event endpoints with 400. */
export class GuardedHTTPReceiver extends HTTPReceiver {
  constructor(options: HTTPReceiverOptions) {
    super(options);
    const endpoints = new Set(
      typeof options.endpoints === 'string'
        ? [options.endpoints]
        : Array.isArray(options.endpoints)
          ? options.endpoints
          : Object.values(options.endpoints ?? { events: '/slack/events' }),
    );
    const logger = options.logger;
    const bolt = this.requestListener;
    const bodyLimit = options.bodyLimit ?? HTTPModuleFunctions.defaultBodyLimit;
    this.requestListener = (req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method !== 'POST' || !endpoints.has(path)) {
        bolt(req, res); // may throw for unknown routes: Bolt's server wrapper answers those
        return;
      }
      // Read the body once here; Bolt reuses the buffer (rawBody) instead of reading again.
      HTTPModuleFunctions.bufferIncomingMessage(req, bodyLimit).then(
        (buffered) => {
          const reason = malformedReason(buffered);
          if (reason === undefined) {
            bolt(buffered, res);
            return;
          }
          logger?.warn(`Refused a request body not shaped like Slack's: ${reason}`);
          HTTPModuleFunctions.buildNoBodyResponse(res, 400);
        },
        // Too large, or the connection broke: Bolt would answer the same way.
        (err: { statusCode?: number }) => {
          if (!res.headersSent)
            HTTPModuleFunctions.buildNoBodyResponse(res, err.statusCode === 413 ? 413 : 400);
        },
      );
    };
  }
}

/** Parses the body as Bolt will; a body Bolt itself refuses (bad JSON) is left to Bolt. */
function malformedReason(req: IncomingMessage & { rawBody: Buffer }): string | undefined {
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(req);
  } catch {
    return undefined; // Bolt answers 400 after checking the signature
  }
  return malformedBodyReason(body);
}
