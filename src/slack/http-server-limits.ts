/**
 * Limits of the HTTP server that takes Slack's requests (and /healthz, /metrics), so that
 * connections which never finish their request cannot starve the real ones.
 *
 * Node's defaults wait 60 s for a request's headers and check that only every 30 s, and hold
 * every connection offered. A flood of 1,100 connections that sent half a header each (a
 * "slowloris") used up a process limited to 1,024 open files, the default on many hosts: new
 * connections, Slack's included, were dropped for ~100 s. Here:
 * - headers must arrive within 10 s and a whole request within 30 s (Slack's are a few KB,
 *   sent at once), checked every second;
 * - at most {@link MAX_CONNECTIONS} connections are held, well under a 1,024-file limit;
 * - once {@link MAKE_ROOM_AT} connections are open, each new connection makes room by closing
 *   the connection that has waited longest without a request in progress (headers never
 *   finished, or idle between keep-alive requests). A flood of such connections then churns
 *   through its own slots, and a real request, whose headers arrive in milliseconds, is served.
 *   A request whose headers are complete is never closed this way.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/** Time limits passed to `http.createServer`. */
export const SERVER_TIMEOUTS: ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  connectionsCheckingInterval: 1_000,
  keepAliveTimeout: 5_000,
};

/** Hard cap: Node closes connections beyond it at once. */
export const MAX_CONNECTIONS = 768;

/** From this many open connections on, a new one closes the longest-waiting idle one. */
export const MAKE_ROOM_AT = 512;

/**
 * Sets the connection cap on `server` and makes a new connection push out the connection that
 * has waited longest without a request in progress, once {@link MAKE_ROOM_AT} are open.
 */
export function guardConnections(server: Server): void {
  server.maxConnections = MAX_CONNECTIONS;
  // Connections counted as open; one leaves when it closes or when it is pushed out.
  const open = new Set<Socket>();
  // Connections with no request in progress, oldest first (a Map keeps insertion order).
  const waiting = new Map<Socket, true>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    for (const oldest of waiting.keys()) {
      if (open.size <= MAKE_ROOM_AT) break;
      waiting.delete(oldest);
      open.delete(oldest);
      oldest.destroy();
    }
    waiting.set(socket, true);
    socket.once('close', () => {
      open.delete(socket);
      waiting.delete(socket);
    });
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    waiting.delete(socket);
    // Kept alive after the answer: waiting again, now at the back of the line.
    res.once('finish', () => {
      if (!socket.destroyed && open.has(socket)) waiting.set(socket, true);
    });
  });
}
