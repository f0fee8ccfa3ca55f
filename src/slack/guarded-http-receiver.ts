/**
 * Bolt's HTTPReceiver, with three defences in front of it, in this order:
 *
 * 1. The signature and the timestamp (request-signature.ts), checked first: an unsigned or
 *    forged body gets 401 before anything reads it, whatever its shape; a timestamp more than
 *    five minutes in the future is refused as well as one in the past.
 * 2. The shape: bodies not shaped like Slack's requests are answered `400` before Bolt sees
 *    them (request-shape.ts says what is checked). Bolt parses an interaction's `payload` and
 *    then reads fields of it outside any error handler: a signed `payload=null` made it throw an
 *    unhandled rejection and leave the HTTP request open forever; other shapes (a `user` that is
 *    a number, an `actions` that is no list) made it answer 500, or made a listener throw.
 * 3. The replay key: the request's signature, handed to the app as a custom property, which
 *    remembers it in the store (replay-guard.ts).
 *
 * And the server itself is bounded (http-server-limits.ts): how long headers and a whole
 * request may take, how many connections it holds, and which connection gives way to a new one.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Server as HTTPSServer, ServerOptions as HTTPSServerOptions } from 'node:https';
import type { ListenOptions } from 'node:net';
import { HTTPModuleFunctions, HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import { guardConnections, SERVER_TIMEOUTS } from './http-server-limits.js';
import { REPLAY_KEY_PROPERTY } from './replay-guard.js';
import { malformedBodyReason } from './request-shape.js';
import { replayKeyOfSignature, verifySlackSignature } from './request-signature.js';

/** Options of {@link GuardedHTTPReceiver}: Bolt's, with the signing secret required. */
export type GuardedHTTPReceiverOptions = HTTPReceiverOptions & { signingSecret: string };

/**
 * An {@link HTTPReceiver} that refuses unsigned, stale, future-dated and malformed requests on
 * its event endpoints before Bolt sees them, and hands the app each request's replay key.
 */
export class GuardedHTTPReceiver extends HTTPReceiver {
  constructor(options: GuardedHTTPReceiverOptions) {
    super({
      ...options,
      customPropertiesExtractor: (req) => {
        const signature = verifySlackSignature(options.signingSecret, req.headers, req.rawBody, Date.now());
        return signature.ok
          ? { [REPLAY_KEY_PROPERTY]: replayKeyOfSignature(signature.signature, signature.timestampSeconds) }
          : {};
      },
    });
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
          const signature = verifySlackSignature(
            options.signingSecret,
            buffered.headers,
            buffered.rawBody,
            Date.now(),
          );
          if (!signature.ok) {
            logger?.warn(`Refused a request: ${signature.reason}`);
            HTTPModuleFunctions.buildNoBodyResponse(res, 401);
            return;
          }
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

  /** Bolt's start, with the server's time and connection limits. */
  override start(port: number): Promise<Server>;
  override start(port: string): Promise<Server>;
  override start(
    portOrListenOptions: number | string | ListenOptions,
    serverOptions?: ServerOptions,
  ): Promise<Server>;
  override start(
    portOrListenOptions: number | string | ListenOptions,
    httpsServerOptions?: HTTPSServerOptions,
  ): Promise<HTTPSServer>;
  override start(
    portOrListenOptions: number | string | ListenOptions,
    serverOptions: ServerOptions | HTTPSServerOptions = {},
  ): Promise<Server | HTTPSServer> {
    const started = super.start(portOrListenOptions, { ...SERVER_TIMEOUTS, ...serverOptions });
    // Bolt creates its server synchronously inside start(), before it listens.
    const server = (this as unknown as { server?: Server }).server;
    if (server) guardConnections(server);
    return started;
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
