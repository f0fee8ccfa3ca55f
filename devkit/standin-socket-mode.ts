/**
 * Slack's side of Socket Mode for the stand-in. The app calls `apps.connections.open` with its
 * app-level token and gets a single-use `ws://` URL on the stand-in's own port; on connect the
 * stand-in says `hello`, then delivers envelopes (`slash_commands`, `interactive`, `events_api`)
 * and waits for the app's acknowledgement (`{ envelope_id, payload? }`), timing each one against
 * Slack's 3-second window. It answers WebSocket pings, can ping the app, and can ask it to
 * reconnect (`disconnect`) as Slack does when it recycles a connection.
 *
 * Payloads are built by {@link SlackRequestSender}, so a slash command or a click is the same
 * JSON in both modes; here it travels in an envelope instead of a signed POST. The response_url
 * and trigger_id in each payload are registered on the stand-in as usual.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type {
  AppHomeOpenedOptions,
  BlockActionsOptions,
  BlockActionsResult,
  EventOptions,
  EventResult,
  SentRequest,
  SigningOptions,
  SlashCommandOptions,
  SlashCommandResult,
  ViewSubmissionOptions,
  ViewSubmissionResult,
} from './slack-request-sender.js';
import { SlackRequestSender } from './slack-request-sender.js';
import type { SlackStandin } from './slack-standin.js';
import { isRecord, stringArg } from './standin-http.js';
import type { WebApiAnswer } from './standin-web-api.js';

/** The kinds of envelope Slack sends over a Socket Mode connection. */
export type SocketModeEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** One envelope as it went over the wire. */
export interface SocketModeEnvelope {
  envelope_id: string;
  payload: Record<string, unknown>;
  type: SocketModeEnvelopeType;
  /** Whether Slack uses the ack's `payload` (slash commands, view submissions, option loads). */
  accepts_response_payload: boolean;
  /** Events API envelopes only: which delivery this is (0 = the first). */
  retry_attempt?: number;
  retry_reason?: string;
}

/** The app's acknowledgement of one envelope. */
export interface SocketModeAck {
  envelopeId: string;
  type: SocketModeEnvelopeType;
  /** The envelope acknowledged. */
  envelope: SocketModeEnvelope;
  /** The ack's `payload` (`{}` for a bare ack), or undefined when the app sent none. */
  payload: Record<string, unknown> | undefined;
  /** Wall-clock milliseconds from sending the envelope to receiving the ack. */
  ackMs: number;
  /** Past Slack's 3 s: the person would already have seen the command fail. */
  late: boolean;
  connectionId: number;
  /** Stand-in clock ms. */
  at: number;
}

/** One WebSocket connection the app opened. */
export interface SocketModeConnection {
  id: number;
  ticket: string;
  /** Stand-in clock ms. */
  openedAt: number;
  closedAt?: number;
  /** The WebSocket close code (1000: a normal close). */
  closeCode?: number;
  closeReason?: string;
  /** Who ended it: the app (its close frame, or its socket went away) or the stand-in. */
  closedBy?: 'app' | 'standin';
  /** WebSocket pings the app sent (the Socket Mode client sends them to watch the link). */
  pingsFromApp: number;
  /** Pongs the app sent back to the stand-in's pings. */
  pongsFromApp: number;
}

/** How to send one envelope. */
export interface EnvelopeOptions {
  /** Defaults to Slack's choice for the envelope type. */
  acceptsResponsePayload?: boolean;
  /** Events API only. */
  retryAttempt?: number;
  retryReason?: string;
  /** How long to wait for the ack before giving up; default 10 s (Slack's window is 3 s). */
  ackTimeoutMs?: number;
}

/** Socket Mode has no request signing; these options only mean something over HTTP. */
type Unsigned<T> = Omit<T, keyof SigningOptions>;

export type SocketSlashCommandOptions = Unsigned<SlashCommandOptions>;
export type SocketBlockActionsOptions = Unsigned<BlockActionsOptions>;
export type SocketViewSubmissionOptions = Unsigned<ViewSubmissionOptions>;
/** `retryNum` becomes the envelope's `retry_attempt`, as Slack redelivers an unacked event. */
export type SocketEventOptions = Unsigned<EventOptions> & Pick<SigningOptions, 'retryNum' | 'retryReason'>;
export type SocketAppHomeOpenedOptions = Unsigned<AppHomeOpenedOptions> &
  Pick<SigningOptions, 'retryNum' | 'retryReason'>;

/** Slack's acknowledgement window for slash commands and interactions. */
export const ACK_WINDOW_MS = 3000;
const DEFAULT_ACK_TIMEOUT_MS = 10_000;
/** What the stand-in says it is in `hello` and `disconnect` debug info. */
const DEBUG_HOST = 'applink-standin';

interface Pending {
  envelope: SocketModeEnvelope;
  connectionId: number;
  sentAt: number;
  resolve(ack: SocketModeAck): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Live {
  record: SocketModeConnection;
  socket: WebSocket;
  closingByStandin: boolean;
  pingTimer?: NodeJS.Timeout;
}

/** What the stand-in needs to know to run Socket Mode. */
export interface StandinSocketModeOptions {
  /** The app-level token (`xapp-…`) apps.connections.open accepts. */
  appToken: string;
  /** The stand-in's `http://127.0.0.1:<port>`; WebSocket URLs use the same port. */
  baseUrl: string;
  appId: string;
  /** The bot token: Slack refuses it for apps.connections.open with `not_allowed_token_type`. */
  botToken: string;
  standin: SlackStandin;
  now(): number;
  /** Ping every connection this often, as Slack does; 0 (the default) only pings on request. */
  pingIntervalMs?: number;
}

/** The Socket Mode side of a running stand-in: `standin.socketMode`. */
export class StandinSocketMode {
  /** Every connection the app opened, oldest first. */
  readonly connections: SocketModeConnection[] = [];
  /** Every envelope sent, in order. */
  readonly envelopes: SocketModeEnvelope[] = [];
  /** Every acknowledgement received, in order. */
  readonly acks: SocketModeAck[] = [];
  /** Every text message the app sent, parsed when it was JSON: acks and anything unexpected. */
  readonly received: unknown[] = [];
  /**
   * Builds Slack-shaped payloads exactly as for HTTP, and delivers each as an envelope. Its
   * signing options do nothing here; use the `send…` methods, which return the ack as well.
   */
  readonly sender: SlackRequestSender;
  readonly appToken: string;

  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly live = new Map<number, Live>();
  private readonly pending = new Map<string, Pending>();
  private nextConnectionId = 1;

  constructor(private readonly options: StandinSocketModeOptions) {
    this.appToken = options.appToken;
    const sender = new SlackRequestSender({
      url: `${this.wsBase}/link/`,
      signingSecret: 'unused-in-socket-mode',
      standin: options.standin,
    });
    // The sender builds every payload and hands the body to post(); here the body goes into an
    // envelope instead of an HTTP request. Assigned, not subclassed: the sender's module imports
    // the stand-in's, so a class extending it here would run before it is defined.
    sender.post = (rawBody, headers = {}) => this.deliverRequest(rawBody, headers);
    this.sender = sender;
  }

  private get wsBase(): string {
    return this.options.baseUrl.replace(/^http/, 'ws');
  }

  /**
   * Why `apps.connections.open` refuses a caller, or undefined for the right app-level token.
   * `bearer` is the Authorization header's token; `bodyToken` a `token` form field, which Slack
   * does not accept for this method.
   */
  checkAppToken(bearer: string | undefined, bodyToken: string | undefined): string | undefined {
    if (bearer === undefined) return bodyToken === undefined ? 'not_authed' : 'invalid_auth';
    if (bearer === this.options.botToken) return 'not_allowed_token_type';
    if (bearer !== this.appToken) return 'invalid_auth';
    return undefined;
  }

  /** `apps.connections.open` for an authorised caller: a fresh, single-use WebSocket URL. */
  openConnection(): WebApiAnswer {
    const ticket = randomUUID();
    this.tickets.set(ticket, { issuedAt: this.options.now(), used: false });
    return { ok: true, url: `${this.wsBase}/link/?ticket=${ticket}&app_id=${this.options.appId}` };
  }

  /** Takes over an HTTP upgrade on the stand-in's port: only `/link/` with an unused ticket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.options.baseUrl);
    const ticket = url.searchParams.get('ticket') ?? '';
    const issued = this.tickets.get(ticket);
    if (url.pathname !== '/link/' || !issued || issued.used) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    issued.used = true;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket));
  }

  private accept(socket: WebSocket, ticket: string): void {
    const record: SocketModeConnection = {
      id: this.nextConnectionId++,
      ticket,
      openedAt: this.options.now(),
      pingsFromApp: 0,
      pongsFromApp: 0,
    };
    const live: Live = { record, socket, closingByStandin: false };
    this.connections.push(record);
    this.live.set(record.id, live);
    socket.on('message', (data, isBinary) => this.onMessage(record, data, isBinary));
    socket.on('ping', () => (record.pingsFromApp += 1));
    socket.on('pong', () => (record.pongsFromApp += 1));
    socket.on('error', () => {
      // A reset connection also ends in 'close', which records it.
    });
    socket.on('close', (code, reason) => {
      record.closedAt = this.options.now();
      record.closeCode = code;
      record.closeReason = reason.toString();
      record.closedBy = live.closingByStandin ? 'standin' : 'app';
      clearInterval(live.pingTimer);
      this.live.delete(record.id);
      for (const [id, p] of this.pending) {
        if (p.connectionId !== record.id) continue;
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new Error(`socket mode: connection ${record.id} closed before envelope ${id} was acked`));
      }
    });
    if (this.options.pingIntervalMs) {
      live.pingTimer = setInterval(() => socket.ping(), this.options.pingIntervalMs).unref();
    }
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.live.size,
        debug_info: { host: DEBUG_HOST, build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.options.appId },
      }),
    );
  }

  private onMessage(record: SocketModeConnection, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.received.push({ binary: true });
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString();
    let message: unknown = text;
    try {
      message = JSON.parse(text);
    } catch {
      // Kept as text; Slack ignores what it cannot parse.
    }
    this.received.push(message);
    const envelopeId = isRecord(message) ? stringArg(message['envelope_id']) : undefined;
    const pending = envelopeId === undefined ? undefined : this.pending.get(envelopeId);
    if (!isRecord(message) || !pending || envelopeId === undefined) return;
    this.pending.delete(envelopeId);
    clearTimeout(pending.timer);
    const ackMs = performance.now() - pending.sentAt;
    const payload = message['payload'];
    const ack: SocketModeAck = {
      envelopeId,
      type: pending.envelope.type,
      envelope: pending.envelope,
      payload: isRecord(payload) ? payload : undefined,
      ackMs,
      late: ackMs > ACK_WINDOW_MS,
      connectionId: record.id,
      at: this.options.now(),
    };
    this.acks.push(ack);
    pending.resolve(ack);
  }

  /** Connections open now (hello sent), oldest first. */
  openConnections(): SocketModeConnection[] {
    return [...this.live.values()].map((l) => l.record);
  }

  /** Waits until the app has an open connection (e.g. after start-up or a refresh); returns the newest. */
  async waitForConnection(timeoutMs = 5000): Promise<SocketModeConnection> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const newest = this.openConnections().at(-1);
      if (newest) return newest;
      if (Date.now() >= deadline) {
        throw new Error(
          `socket mode: no connection open within ${timeoutMs} ms ` +
            `(connections so far: ${this.connections.length}, apps.connections.open calls: ` +
            `${this.options.standin.callsTo('apps.connections.open').length})`,
        );
      }
      await delay(10);
    }
  }

  /** Waits until no connection is open, e.g. after the app stopped. */
  async waitForNoConnection(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.live.size > 0) {
      if (Date.now() >= deadline) throw new Error(`socket mode: still ${this.live.size} connection(s) open`);
      await delay(10);
    }
  }

  /**
   * Sends one envelope on the newest open connection and resolves with the app's ack.
   * @throws when no connection is open, the connection closes first, or no ack comes in time.
   */
  send(
    type: SocketModeEnvelopeType,
    payload: Record<string, unknown>,
    options: EnvelopeOptions = {},
  ): Promise<SocketModeAck> {
    const envelope: SocketModeEnvelope = {
      envelope_id: randomUUID(),
      payload,
      type,
      accepts_response_payload: options.acceptsResponsePayload ?? acceptsResponsePayload(type, payload),
    };
    if (type === 'events_api') {
      envelope.retry_attempt = options.retryAttempt ?? 0;
      envelope.retry_reason = options.retryReason ?? '';
    }
    return this.transmit(envelope, options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS);
  }

  /**
   * Sends an envelope that was sent before, unchanged (the same `envelope_id`), and resolves
   * with the app's ack: a test's duplicate delivery, to prove the app acts on an envelope once.
   * Not a Slack behaviour the stand-in applies on its own.
   */
  resend(envelope: SocketModeEnvelope, ackTimeoutMs = DEFAULT_ACK_TIMEOUT_MS): Promise<SocketModeAck> {
    return this.transmit(structuredClone(envelope), ackTimeoutMs);
  }

  private transmit(envelope: SocketModeEnvelope, timeoutMs: number): Promise<SocketModeAck> {
    const live = [...this.live.values()].at(-1);
    if (!live) {
      return Promise.reject(
        new Error('socket mode: the app has no open connection (did it start? use waitForConnection)'),
      );
    }
    const type = envelope.type;
    this.envelopes.push(envelope);
    return new Promise<SocketModeAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        reject(
          new Error(`socket mode: no ack for ${type} envelope ${envelope.envelope_id} in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(envelope.envelope_id, {
        envelope,
        connectionId: live.record.id,
        sentAt: performance.now(),
        resolve,
        reject,
        timer,
      });
      live.socket.send(JSON.stringify(envelope), (err) => {
        if (!err) return;
        this.pending.delete(envelope.envelope_id);
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** The sender's transport: a form or JSON body becomes the envelope Slack would send instead. */
  private async deliverRequest(rawBody: string, headers: Record<string, string>): Promise<SentRequest> {
    let ack: SocketModeAck;
    const retryNum = headers['x-slack-retry-num'];
    if ((headers['content-type'] ?? '').includes('application/json')) {
      ack = await this.send('events_api', JSON.parse(rawBody) as Record<string, unknown>, {
        retryAttempt: retryNum === undefined ? 0 : Number(retryNum),
        retryReason: headers['x-slack-retry-reason'] ?? '',
      });
    } else {
      const form = new URLSearchParams(rawBody);
      const interaction = form.get('payload');
      ack =
        interaction === null
          ? await this.send('slash_commands', Object.fromEntries(form))
          : await this.send('interactive', JSON.parse(interaction) as Record<string, unknown>);
    }
    // Read like an HTTP answer: a bare ack is an empty body, anything else is the JSON body.
    if (ack.payload === undefined || Object.keys(ack.payload).length === 0) return { status: 200, body: '' };
    return { status: 200, body: JSON.stringify(ack.payload), json: ack.payload };
  }

  private ackWhere(key: 'trigger_id' | 'event_id', value: string): SocketModeAck {
    const ack = this.acks.findLast((a) => a.envelope.payload[key] === value);
    if (!ack) throw new Error(`socket mode: no ack recorded for ${key} ${value}`);
    return ack;
  }

  /** A person runs a slash command; resolves once the app acked it. */
  async sendSlashCommand(
    options: SocketSlashCommandOptions,
  ): Promise<SlashCommandResult & { ack: SocketModeAck }> {
    const sent = await this.sender.slashCommand(options);
    return { ...sent, ack: this.ackWhere('trigger_id', sent.triggerId) };
  }

  /** A person clicks a button (or another element) in a message or view. */
  async sendBlockActions(
    options: SocketBlockActionsOptions,
  ): Promise<BlockActionsResult & { ack: SocketModeAck }> {
    const sent = await this.sender.blockActions(options);
    return { ...sent, ack: this.ackWhere('trigger_id', sent.triggerId) };
  }

  /** A person submits a modal; the ack's `response_action` is applied to the view, as Slack does. */
  async sendViewSubmission(
    options: SocketViewSubmissionOptions,
  ): Promise<ViewSubmissionResult & { ack: SocketModeAck }> {
    const sent = await this.sender.viewSubmission(options);
    return { ...sent, ack: this.ackWhere('trigger_id', sent.triggerId) };
  }

  /** Delivers an Events API event (the inner `event` object) in an `events_api` envelope. */
  async sendEvent(
    event: Record<string, unknown>,
    options: SocketEventOptions = {},
  ): Promise<EventResult & { ack: SocketModeAck }> {
    const sent = await this.sender.event(event, options);
    return { ...sent, ack: this.ackWhere('event_id', String(sent.envelope['event_id'])) };
  }

  /** A person opens the app's Home or Messages tab. */
  async sendAppHomeOpened(
    options: SocketAppHomeOpenedOptions,
  ): Promise<EventResult & { ack: SocketModeAck }> {
    const sent = await this.sender.appHomeOpened(options);
    return { ...sent, ack: this.ackWhere('event_id', String(sent.envelope['event_id'])) };
  }

  /** Pings the newest connection; resolves with the round trip in ms once the app's pong arrives. */
  async ping(timeoutMs = 2000): Promise<number> {
    const live = [...this.live.values()].at(-1);
    if (!live) throw new Error('socket mode: no open connection to ping');
    const started = performance.now();
    const pong = new Promise<number>((resolve) => {
      live.socket.once('pong', () => resolve(performance.now() - started));
    });
    live.socket.ping();
    return Promise.race([
      pong,
      delay(timeoutMs, undefined, { ref: false }).then(() => {
        throw new Error(`socket mode: no pong within ${timeoutMs} ms`);
      }),
    ]);
  }

  /**
   * Tells every open connection to go away, as Slack does before recycling one
   * (`refresh_requested`, or `warning` shortly before) or when the app's Socket Mode was turned
   * off (`link_disabled`). The app is expected to close it and open a new one.
   */
  requestDisconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: DEBUG_HOST } });
    for (const live of this.live.values()) live.socket.send(message);
  }

  /** Cuts every connection without a close handshake, like a network failure. */
  dropConnections(): void {
    for (const live of this.live.values()) {
      // A connection the app is already closing stays the app's doing.
      if (live.socket.readyState === live.socket.OPEN) live.closingByStandin = true;
      live.socket.terminate();
    }
  }

  /** Forgets envelopes, acks and received messages; connections stay open. */
  reset(): void {
    this.envelopes.length = 0;
    this.acks.length = 0;
    this.received.length = 0;
  }

  /** Ends every connection (1001, going away), waits until each is closed, stops accepting new ones. */
  async close(): Promise<void> {
    const closed = [...this.live.values()].map((live) => {
      const done = new Promise<void>((resolve) => live.socket.once('close', () => resolve()));
      if (live.socket.readyState === live.socket.OPEN) {
        live.closingByStandin = true;
        live.socket.close(1001, 'stand-in stopping');
      }
      return done;
    });
    const all = Promise.all(closed);
    await Promise.race([all, delay(1000, undefined, { ref: false })]);
    for (const live of this.live.values()) live.socket.terminate();
    await all;
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Slack reads the ack's payload for slash commands, modal submissions and option loads. */
function acceptsResponsePayload(type: SocketModeEnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === 'slash_commands') return true;
  if (type === 'interactive')
    return payload['type'] === 'view_submission' || payload['type'] === 'block_suggestion';
  return false;
}
