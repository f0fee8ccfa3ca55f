/**
 * The two ways Slack reaches the bot. HTTP: Bolt's HTTPReceiver on /slack/events behind
 * GuardedHTTPReceiver, which checks the signature and the 5-minute timestamp window (both ways)
 * before anything reads the body. Socket Mode: no
 * public endpoint; Bolt's SocketModeReceiver holds the WebSocket and /healthz is served on its
 * own port. `GET /metrics` (Prometheus) is served next to /healthz in both modes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type App, type Logger as BoltLogger, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Transport } from '../config.js';
import { GuardedHTTPReceiver } from './guarded-http-receiver.js';
import { REPLAY_KEY_PROPERTY } from './replay-guard.js';
import { replayKeyOfEnvelope } from './request-signature.js';
import { type MetricsSource, serveMetrics } from '../metrics/index.js';

export type HealthCheck = () => { ok: boolean; detail?: Record<string, unknown> };

/** Slack answered apps.connections.open with an error: the app-level token is wrong. */
export class SlackAppTokenError extends Error {
  readonly code = 'slack_app_token_refused';
  constructor(
    /** Slack's error code, e.g. `invalid_auth`, `not_allowed_token_type`. */
    readonly slackError: string,
    options?: { cause?: unknown },
  ) {
    super(`Slack refused the app-level token (${slackError})`, options);
    this.name = 'SlackAppTokenError';
  }
}

/** Where Slack's Web API is: unset means real Slack. Both receivers' clients must agree. */
export interface ReceiverOptions {
  slackApiUrl?: string;
  /** The exposition for `GET /metrics`; without it the route answers 404. */
  metrics?: MetricsSource;
}

function serveHealth(health: HealthCheck, res: ServerResponse): void {
  const h = health();
  res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', ...h.detail }));
}

/** `GET /metrics`, or 404 when the app has no metrics; a failure is logged, never shown. */
function metricsRoute(options: ReceiverOptions, logger: BoltLogger) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    if (!options.metrics) {
      res.writeHead(404).end();
      return;
    }
    serveMetrics(options.metrics, res, (err) => logger.error(`metrics: ${(err as Error)?.message}`));
  };
}

export function createReceiver(
  transport: Transport,
  logger: BoltLogger,
  health: HealthCheck,
  options: ReceiverOptions = {},
): Receiver {
  if (transport.kind === 'socket') {
    return new SocketModeWithHealth(transport.appToken, transport.healthPort, logger, health, options);
  }
  return new GuardedHTTPReceiver({
    signingSecret: transport.signingSecret,
    endpoints: '/slack/events',
    port: transport.port,
    logger,
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req: IncomingMessage, res: ServerResponse) => serveHealth(health, res),
      },
      { path: '/metrics', method: ['GET'], handler: metricsRoute(options, logger) },
    ],
  });
}

/** How long a graceful stop waits for Slack to complete the WebSocket close handshake. */
const SOCKET_CLOSE_WAIT_MS = 5000;

/**
 * Bolt's SocketModeReceiver for the WebSocket, with our own health server next to it. Bolt's
 * receiver can serve custom routes itself, but it neither waits for its server to listen nor
 * handles a listen error (a port in use would crash the process with a stack trace), and its
 * stop() returns before the WebSocket is closed.
 */
class SocketModeWithHealth implements Receiver {
  private readonly socketMode: SocketModeReceiver;
  private readonly server: Server;

  constructor(
    appToken: string,
    private readonly healthPort: number,
    logger: BoltLogger,
    health: HealthCheck,
    options: ReceiverOptions,
  ) {
    this.socketMode = new SocketModeReceiver({
      appToken,
      logger,
      // Socket Mode has no signatures: an envelope id delivered twice is the replay (replay-guard.ts).
      customPropertiesExtractor: (args: { envelope_id?: unknown }) =>
        typeof args.envelope_id === 'string'
          ? { [REPLAY_KEY_PROPERTY]: replayKeyOfEnvelope(args.envelope_id, Date.now()) }
          : {},
      // apps.connections.open goes through this client: it must reach the same Slack as the bot.
      // Only the URL is set, so the socket client keeps its own patient retry policy.
      installerOptions: {
        clientOptions: options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {},
      },
    });
    const metrics = metricsRoute(options, logger);
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'GET' && path === '/healthz') return serveHealth(health, res);
      if (req.method === 'GET' && path === '/metrics') return metrics(req, res);
      res.writeHead(404).end();
    });
  }

  init(app: App): void {
    this.socketMode.init(app);
  }

  /** Listens for health checks, then connects to Slack; resolves with the health server. */
  async start(): Promise<Server> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.healthPort, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    try {
      await this.socketMode.start();
    } catch (err) {
      await this.closeServer();
      const slackError = (err as { data?: { error?: unknown } }).data?.error;
      throw typeof slackError === 'string' ? new SlackAppTokenError(slackError, { cause: err }) : err;
    }
    return this.server;
  }

  /** Closes the WebSocket with a close handshake, then the health server. */
  async stop(): Promise<void> {
    await Promise.race([
      this.socketMode.client.disconnect(),
      delay(SOCKET_CLOSE_WAIT_MS, undefined, { ref: false }),
    ]);
    await this.closeServer();
  }

  private closeServer(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
