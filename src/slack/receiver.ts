/**
 * The two ways Slack reaches the bot. HTTP: Bolt's HTTPReceiver on /slack/events, which checks
 * the signature and the 5-minute timestamp window before any handler runs. Socket Mode: no
 * public endpoint; /healthz is served on its own port.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger as BoltLogger, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Transport } from '../config.js';

export type HealthCheck = () => { ok: boolean; detail?: Record<string, unknown> };

export function createReceiver(transport: Transport, logger: BoltLogger, health: HealthCheck): Receiver {
  const customRoutes = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        const h = health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', ...h.detail }));
      },
    },
  ];
  if (transport.kind === 'socket') {
    return new SocketModeReceiver({
      appToken: transport.appToken,
      logger,
      customRoutes,
      installerOptions: { port: transport.healthPort },
    });
  }
  return new HTTPReceiver({
    signingSecret: transport.signingSecret,
    endpoints: '/slack/events',
    port: transport.port,
    logger,
    customRoutes,
  });
}
