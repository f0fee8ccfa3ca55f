/**
 * A stand-in for Slack's Web API and response_url endpoint, served over real HTTP on loopback.
 * No Slack emulator exists, so tests, benchmarks and the sandbox point Bolt's WebClient here
 * (`clientOptions.slackApiUrl = standin.apiUrl`) and assert on what a person would see:
 * channel messages, ephemeral messages, modals. It enforces the Slack rules the bot must live
 * with (trigger ids valid 3 s once, response_url 30 min / 5 uses, Block Kit limits, ephemeral
 * delivery only to channel members) and answers with Slack's real error codes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { checkView, type SlackApiError } from './block-kit-limits.js';
import { isRecord, parseWebApiArgs, readBody, sendJson, sendText, stringArg } from './standin-http.js';
import { answerResponseUrl } from './standin-response-url.js';
import { StandinSocketMode } from './standin-socket-mode.js';
import type {
  ClosedModal,
  EphemeralMessage,
  MessageContent,
  MessageRef,
  NewResponseUrlOptions,
  PersonScreen,
  RecordedCall,
  ResponseUrlPost,
  StandinChannel,
  StandinClock,
  StandinMessage,
  StandinUser,
  StandinUsergroup,
  StandinView,
} from './standin-types.js';
import { userEventPayload, WEB_API_METHODS, webApiError } from './standin-web-api.js';
import { postingOrder, StandinWorkspace } from './standin-workspace.js';

export * from './standin-types.js';

/** How to start a stand-in. */
export interface SlackStandinOptions {
  /** The only token the Web API accepts (as `Authorization: Bearer` or a `token` field). */
  botToken: string;
  teamId?: string;
  teamDomain?: string;
  teamName?: string;
  /** The workspace's Enterprise Grid org (`E…`), as auth.test reports it; none by default. */
  enterpriseId?: string;
  botUserId?: string;
  botName?: string;
  botId?: string;
  appId?: string;
  users?: StandinUser[];
  usergroups?: StandinUsergroup[];
  channels?: StandinChannel[];
  /** Defaults to 0: a free port. */
  port?: number;
  /** Drives ts values and the trigger / response_url windows; defaults to `Date.now`. */
  clock?: StandinClock;
  /**
   * An app-level token (`xapp-…`): turns on Socket Mode ({@link SlackStandin.socketMode}), with
   * `apps.connections.open` accepting this token and WebSocket connections on the same port.
   */
  appToken?: string;
  /** Socket Mode: ping every connection this often, as Slack does; by default only on request. */
  socketModePingIntervalMs?: number;
}

/** Where an interactive element sits, as found by {@link SlackStandin.findActionSource}. */
export interface ActionSource {
  ref: MessageRef;
  ephemeral: boolean;
  blockId?: string;
  /** The element (button, select, ...) with the action id, if it was found in the blocks. */
  element?: Record<string, unknown>;
  /** The message as an interaction payload carries it; absent for ephemeral messages, as in Slack. */
  messagePayload?: Record<string, unknown>;
}

type Fault =
  | { kind: 'error'; error: string }
  | { kind: 'ratelimit'; retryAfterSeconds: number }
  | { kind: 'http'; status: number }
  | { kind: 'hang' };

/** What the next POSTs to a response_url get instead of Slack's normal handling. */
type ResponseUrlFault = { kind: 'http'; status: number; text: string } | { kind: 'hang' };

/** The interactive elements of a block: an accessory, an actions list, an input's element. */
function elementsOf(block: Record<string, unknown>): Record<string, unknown>[] {
  const candidates: unknown[] = [block['accessory'], block['element']];
  if (Array.isArray(block['elements'])) candidates.push(...block['elements']);
  return candidates.filter(isRecord);
}

/**
 * The first element with `actionId` in a list of blocks (in the block `blockId`, if given),
 * with the id of the block holding it: what a person clicks.
 */
export function findActionElement(
  blocks: unknown,
  actionId: string,
  blockId?: string,
): { element: Record<string, unknown>; blockId?: string } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks.filter(isRecord)) {
    const id = stringArg(block['block_id']);
    if (blockId !== undefined && id !== blockId) continue;
    const element = elementsOf(block).find((e) => e['action_id'] === actionId);
    if (element)
      return id === undefined
        ? { element: structuredClone(element) }
        : { element: structuredClone(element), blockId: id };
  }
  return undefined;
}

/** A running stand-in. Start with {@link SlackStandin.start}; stop with {@link SlackStandin.stop}. */
export class SlackStandin {
  /** Every Web API call, in arrival order. */
  readonly calls: RecordedCall[] = [];
  /** Every POST to a response_url, in arrival order. */
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>/api/`: Bolt's `clientOptions.slackApiUrl`. */
  readonly apiUrl: string;
  private readonly faults = new Map<string, Fault[]>();
  private readonly responseUrlFaults: ResponseUrlFault[] = [];
  /** Requests held open by a `hang` fault, released on stop() or reset(). */
  private readonly hung = new Set<ServerResponse>();
  private readonly activityListeners = new Set<() => void>();
  private socket: StandinSocketMode | undefined;
  private eventSink:
    { deliver: (event: Record<string, unknown>) => Promise<unknown>; subscriptions: Set<string> } | undefined;
  private readonly eventsInFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly server: Server,
    private readonly ws: StandinWorkspace,
    baseUrl: string,
  ) {
    this.baseUrl = baseUrl;
    this.apiUrl = `${baseUrl}/api/`;
  }

  /** Starts a stand-in on 127.0.0.1 with the given people, groups and channels. */
  static async start(options: SlackStandinOptions): Promise<SlackStandin> {
    const ws = new StandinWorkspace({
      botToken: options.botToken,
      teamId: options.teamId ?? 'T0STANDIN',
      teamDomain: options.teamDomain ?? 'standin',
      teamName: options.teamName ?? 'Stand-in Workspace',
      ...(options.enterpriseId !== undefined ? { enterpriseId: options.enterpriseId } : {}),
      botUserId: options.botUserId ?? 'U0LOCKSMITH',
      botName: options.botName ?? 'locksmith',
      botId: options.botId ?? 'B0LOCKSMITH',
      appId: options.appId ?? 'A0LOCKSMITH',
      clock: options.clock ?? { now: () => Date.now() },
    });
    for (const user of options.users ?? []) ws.users.set(user.id, { ...user });
    for (const group of options.usergroups ?? [])
      ws.usergroups.set(group.id, { ...group, users: [...group.users] });
    for (const channel of options.channels ?? [])
      ws.channels.set(channel.id, { ...channel, members: [...channel.members] });

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const standin = new SlackStandin(server, ws, `http://127.0.0.1:${port}`);
    if (options.appToken !== undefined) {
      const socket = new StandinSocketMode({
        appToken: options.appToken,
        baseUrl: standin.baseUrl,
        appId: ws.config.appId,
        botToken: ws.config.botToken,
        standin,
        now: () => ws.now(),
        pingIntervalMs: options.socketModePingIntervalMs,
      });
      standin.socket = socket;
      server.on('upgrade', (req, sock, head) => socket.handleUpgrade(req, sock, head));
    }
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      standin.route(req, res).catch((err: unknown) => {
        console.error('slack stand-in: request failed', err);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'fatal_error' });
        else res.end();
      });
    });
    return standin;
  }

  /** Stops the server, dropping kept-alive connections so the test process can exit. */
  async stop(): Promise<void> {
    this.releaseHung();
    await this.socket?.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  get teamId(): string {
    return this.ws.config.teamId;
  }
  get teamDomain(): string {
    return this.ws.config.teamDomain;
  }
  get botUserId(): string {
    return this.ws.config.botUserId;
  }
  get botId(): string {
    return this.ws.config.botId;
  }
  get appId(): string {
    return this.ws.config.appId;
  }

  /** Socket Mode: connections, envelopes and acks. Needs `appToken` at start. */
  get socketMode(): StandinSocketMode {
    if (!this.socket) throw new Error('slack stand-in: start it with an appToken to use Socket Mode');
    return this.socket;
  }

  private now(): number {
    return this.ws.now();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (url.pathname.startsWith('/api/')) return this.serveWebApi(url, req, res);
    if (req.method === 'POST' && url.pathname.startsWith('/respond/'))
      return this.serveResponseUrl(url, req, res);
    sendText(res, 404, 'not_found');
  }

  private async serveWebApi(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    const parsed = parseWebApiArgs(await readBody(req), req.headers['content-type'], url.searchParams);
    const { token: bodyToken, ...args } = parsed.args ?? {};
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? stringArg(bodyToken);

    const answer = (
      status: number,
      response: Record<string, unknown>,
      headers?: Record<string, string>,
    ): void => {
      this.calls.push({ method, args, response, status, at: this.now() });
      sendJson(res, status, response, headers);
      this.notifyActivity();
    };

    // The one method that takes the app-level token, and only from the Authorization header.
    if (method === 'apps.connections.open') {
      const refused = this.socket
        ? this.socket.checkAppToken(bearer, stringArg(bodyToken))
        : token
          ? 'invalid_auth'
          : 'not_authed';
      if (refused) return answer(200, webApiError(refused));
      const fault = this.faults.get(method)?.shift();
      if (fault?.kind === 'ratelimit') {
        return answer(429, webApiError('ratelimited'), { 'retry-after': String(fault.retryAfterSeconds) });
      }
      if (fault?.kind === 'error') return answer(200, webApiError(fault.error));
      return answer(200, this.socketMode.openConnection());
    }
    const handler = Object.hasOwn(WEB_API_METHODS, method) ? WEB_API_METHODS[method] : undefined;
    if (!handler) return answer(200, { ...webApiError('unknown_method'), req_method: method });
    if (!token) return answer(200, webApiError('not_authed'));
    if (token === this.socket?.appToken) return answer(200, webApiError('not_allowed_token_type'));
    if (token !== this.ws.config.botToken) return answer(200, webApiError('invalid_auth'));
    if (parsed.error !== undefined) return answer(200, webApiError(parsed.error));

    const fault = this.faults.get(method)?.shift();
    if (fault?.kind === 'ratelimit') {
      return answer(429, webApiError('ratelimited'), { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'error') return answer(200, webApiError(fault.error));
    if (fault?.kind === 'http') return answer(fault.status, webApiError('fatal_error'));
    if (fault?.kind === 'hang')
      return this.hold(res, () => this.calls.push({ method, args, response: {}, status: 0, at: this.now() }));
    return answer(200, handler(this.ws, args));
  }

  private async serveResponseUrl(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // Recorded as raw text; answered as Slack answers a body it cannot read.
    }
    const id = url.pathname.slice('/respond/'.length);
    const fault = this.responseUrlFaults.shift();
    if (fault) {
      this.responseUrlPosts.push({
        url: url.href,
        body,
        at: this.now(),
        status: fault.kind === 'http' ? fault.status : 0,
        responseBody: fault.kind === 'http' ? fault.text : '',
      });
      if (fault.kind === 'hang') return this.hold(res);
      sendText(res, fault.status, fault.text);
      this.notifyActivity();
      return;
    }
    const result = answerResponseUrl(
      this.ws,
      this.ws.responseUrls.get(id),
      typeof body === 'string' ? undefined : body,
    );
    this.responseUrlPosts.push({
      url: url.href,
      body,
      at: this.now(),
      status: result.status,
      responseBody: result.text,
    });
    sendText(res, result.status, result.text);
    this.notifyActivity();
  }

  /**
   * Calls `listener` after anything that may change what people see: every Web API call and
   * response_url post, and the workspace changes made through this class. The sandbox page uses
   * it to refresh live. Returns a function that removes the listener.
   */
  onActivity(listener: () => void): () => void {
    this.activityListeners.add(listener);
    return () => this.activityListeners.delete(listener);
  }

  private notifyActivity(): void {
    for (const listener of this.activityListeners) {
      try {
        listener();
      } catch (err) {
        console.error('slack stand-in: activity listener failed', err);
      }
    }
  }

  /** The recorded calls of one Web API method. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /**
   * The non-ephemeral messages of a channel (a user id means the app's DM with them), oldest
   * first; omit the channel for every channel. Deleted messages only with `includeDeleted`.
   */
  channelMessages(channel?: string, options: { includeDeleted?: boolean } = {}): StandinMessage[] {
    const wanted = channel === undefined ? undefined : this.ws.resolveChannel(channel);
    return this.ws.messages
      .filter((m) => (wanted === undefined || m.channel === wanted) && (options.includeDeleted || !m.deleted))
      .map((m) => structuredClone(m));
  }

  /** Ephemeral messages (deleted ones included, flagged), optionally for one person. */
  ephemeralMessages(user?: string): EphemeralMessage[] {
    return this.ws.ephemerals
      .filter((m) => user === undefined || m.user === user)
      .map((m) => structuredClone(m));
  }

  /** Views opened, pushed or published, optionally for one person, in the order created. */
  views(user?: string): StandinView[] {
    return [...this.ws.views.values()]
      .filter((v) => user === undefined || v.user === user)
      .map((v) => structuredClone(v));
  }

  /** One view by id. */
  view(id: string): StandinView | undefined {
    const stored = this.ws.views.get(id);
    return stored ? structuredClone(stored) : undefined;
  }

  /** A person of the workspace. */
  user(id: string): StandinUser | undefined {
    const user = this.ws.users.get(id);
    return user ? { ...user } : undefined;
  }

  /** A channel's name as payloads carry it (`directmessage` for DMs). */
  channelName(channel: string): string {
    return this.ws.channelName(this.ws.resolveChannel(channel));
  }

  /** A channel id as chat.postMessage reads it: a user id means the app's DM with them. */
  resolveChannel(channelOrUser: string): string {
    return this.ws.resolveChannel(channelOrUser);
  }

  /** The app's DM channel id with a person (what conversations.open returns). */
  dmChannelFor(user: string): string {
    return this.ws.dmChannelFor(user);
  }

  /** Registers a response_url, as Slack does for each slash command and interaction. */
  newResponseUrl(options: NewResponseUrlOptions): string {
    return this.ws.issueResponseUrl(this.baseUrl, options.user, options.channel, options.sourceMessage).url;
  }

  /** Issues a trigger id for a person: views.open accepts it once, within 3 seconds. */
  newTriggerId(user: string): string {
    return this.ws.issueTrigger(user);
  }

  /**
   * Polls `check` every 10 ms until it returns something other than undefined, null or false.
   * Times out on the wall clock (not the injected clock), naming the calls seen so far.
   */
  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() >= deadline) {
        const seen = this.calls.map((c) => c.method).join(', ') || 'none';
        throw new Error(`waitFor: condition not met within ${timeoutMs} ms (Web API calls so far: ${seen})`);
      }
      await delay(10);
    }
  }

  /**
   * Adds a person (or replaces one with the same id). A new member is announced to the app as
   * Slack does, with a `team_join` event (docs.slack.dev/reference/events/team_join: "sent ...
   * when a new member joins"); a replaced one with `user_change`.
   */
  addUser(user: StandinUser): void {
    const known = this.ws.users.has(user.id);
    const added = { ...user };
    this.ws.users.set(user.id, added);
    this.emitEvent(known ? 'user_change' : 'team_join', { user: userEventPayload(this.ws, added) });
  }

  /**
   * Changes a person, e.g. `{ deleted: true }` to play a leaver. Announced to the app with a
   * `user_change` event, as Slack does when "a member's data has changed"
   * (docs.slack.dev/reference/events/user_change), deactivation included (slackapi/bolt-js#2058:
   * the event "will tell you when a user account is deleted").
   */
  updateUser(id: string, patch: Partial<Omit<StandinUser, 'id'>>): void {
    const user = this.ws.users.get(id);
    if (!user) throw new Error(`slack stand-in: no user ${id}`);
    Object.assign(user, patch);
    this.emitEvent('user_change', { user: userEventPayload(this.ws, user) });
  }

  /**
   * Where the events Slack sends by itself go (Events API, or Socket Mode `events_api`
   * envelopes), and which the app subscribed to (its manifest's `bot_events`): Slack sends an
   * app only the events it subscribed to. Until this is called, no event is sent.
   */
  deliverEventsTo(
    deliver: (event: Record<string, unknown>) => Promise<unknown>,
    subscriptions: readonly string[],
  ): void {
    this.eventSink = { deliver, subscriptions: new Set(subscriptions) };
  }

  /** Resolves once every event sent so far has been answered by the app (or failed). */
  async eventsDelivered(): Promise<void> {
    while (this.eventsInFlight.size > 0) await Promise.allSettled([...this.eventsInFlight]);
  }

  private emitEvent(type: string, fields: Record<string, unknown>): void {
    const sink = this.eventSink;
    if (!sink || !sink.subscriptions.has(type)) return;
    const seconds = this.ws.now() / 1000;
    const event = { type, ...fields, cache_ts: Math.floor(seconds), event_ts: seconds.toFixed(6) };
    const sent = sink.deliver(event).catch((err: unknown) => {
      console.error(`slack stand-in: ${type} event not delivered`, err);
    });
    this.eventsInFlight.add(sent);
    void sent.finally(() => this.eventsInFlight.delete(sent));
  }

  /** Declares a channel and its members (or replaces one with the same id). */
  addChannel(channel: StandinChannel): void {
    this.ws.channels.set(channel.id, { ...channel, members: [...channel.members] });
  }

  /** Adds a user group (or replaces one with the same id). */
  addUsergroup(group: StandinUsergroup): void {
    this.ws.usergroups.set(group.id, { ...group, users: [...group.users] });
  }

  /** Sets a user group's members; the group is named by id or handle. */
  setUsergroupUsers(handleOrId: string, userIds: string[]): void {
    const group =
      this.ws.usergroups.get(handleOrId) ??
      [...this.ws.usergroups.values()].find((g) => g.handle === handleOrId);
    if (!group) throw new Error(`slack stand-in: no user group ${handleOrId}`);
    group.users = [...userIds];
  }

  /** Seeds a message a person wrote (the app may not update or delete it). */
  addChannelMessage(message: { channel: string; user: string; text: string; threadTs?: string }): MessageRef {
    const posted = this.ws.postMessage(
      this.ws.resolveChannel(message.channel),
      { text: message.text },
      { user: message.user, via: 'seed', threadTs: message.threadTs },
    );
    this.notifyActivity();
    return { channel: posted.channel, ts: posted.ts };
  }

  /**
   * Shows `user` a message only they see, as Slack shows a slash command's non-empty
   * acknowledgement body (which is not a Web API call, so nothing else records it).
   */
  addEphemeralMessage(message: { channel: string; user: string } & MessageContent): MessageRef {
    const { channel, user, ...content } = message;
    const posted = this.ws.postEphemeral(this.ws.resolveChannel(channel), user, content, 'response_url');
    this.notifyActivity();
    return { channel: posted.channel, ts: posted.ts };
  }

  /**
   * The person closes their modal as they would in Slack: the view in front with its Close
   * button (a pushed view goes back to the one below), or the whole modal with ✕ (`all`).
   * Returns what closed and whether Slack would tell the app (`notify_on_close`); the payload
   * itself is the sender's job ({@link SlackRequestSender.closeModal}), as it goes to the bot.
   */
  closeModal(user: string, options: { all?: boolean } = {}): ClosedModal | undefined {
    const closed = this.ws.closeModal(user, options.all === true);
    this.notifyActivity();
    return closed && structuredClone(closed);
  }

  /**
   * The person closes the whole modal holding `viewId` with ✕. Nothing is sent to the bot:
   * {@link SlackRequestSender.closeModal} closes a modal and sends `view_closed` as Slack would.
   */
  closeView(viewId: string): void {
    const stored = this.ws.views.get(viewId);
    if (!stored) return;
    for (const view of this.ws.openStack(stored.rootViewId)) view.closed = true;
    this.notifyActivity();
  }

  /**
   * What `user` sees now: their ephemeral messages, their open modal (every view of its
   * stack), their Home tab, their DM with the app and the channels they are in. Current content
   * only: what was replaced or deleted is not on screen.
   */
  screen(user: string): PersonScreen {
    return structuredClone(this.ws.screenOf(user));
  }

  /**
   * Everything on `user`'s screen as one JSON text (messages' text, blocks and attachments;
   * views as the app last sent them), for "is this value still in front of them?" checks.
   */
  screenText(user: string): string {
    const screen = this.ws.screenOf(user);
    const content = (m: MessageContent) => [m.text, m.blocks, m.attachments];
    return JSON.stringify([
      screen.ephemerals.map(content),
      screen.modal.map((v) => v.view),
      screen.home?.view,
      screen.dm.map(content),
      screen.channels.map(content),
    ]);
  }

  /** The person's Slack client reloads: the ephemeral messages it showed are gone. */
  reloadClient(user: string): void {
    this.ws.reload(user);
    this.notifyActivity();
  }

  /** Makes the next call of `method` answer `{ ok: false, error }`. Several calls queue up. */
  failNext(method: string, error: string): void {
    this.queueFault(method, { kind: 'error', error });
  }

  /** Makes the next call of `method` answer HTTP 429 with `Retry-After`. */
  rateLimitNext(method: string, retryAfterSeconds: number): void {
    this.queueFault(method, { kind: 'ratelimit', retryAfterSeconds });
  }

  /** Makes the next call of `method` answer with HTTP `status` (e.g. 500), as an outage would. */
  serverErrorNext(method: string, status = 500): void {
    this.queueFault(method, { kind: 'http', status });
  }

  /** Makes the next call of `method` never answer (until the caller gives up, or stop/reset). */
  hangNext(method: string): void {
    this.queueFault(method, { kind: 'hang' });
  }

  /**
   * Makes the next POST to any response_url fail as Slack's hooks would: `used_url` (a sixth
   * use), `expired_url` (after 30 minutes), `no_service` (unknown URL), all HTTP 404, or a 5xx
   * outage with any text; or never answer (`hang`).
   */
  failResponseUrlNext(
    failure: 'used_url' | 'expired_url' | 'no_service' | 'hang' | { status: number; text: string },
  ): void {
    this.responseUrlFaults.push(
      failure === 'hang'
        ? { kind: 'hang' }
        : typeof failure === 'string'
          ? { kind: 'http', status: 404, text: failure }
          : { kind: 'http', ...failure },
    );
  }

  /** Requests (Web API calls or response_url posts) currently held open by a `hang` fault. */
  get hangingCalls(): number {
    return this.hung.size;
  }

  /** Holds a request open, answering nothing, until the client gives up or the stand-in stops. */
  private hold(res: ServerResponse, record?: () => void): void {
    record?.();
    this.hung.add(res);
    res.on('close', () => this.hung.delete(res));
    this.notifyActivity();
  }

  private releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  private queueFault(method: string, fault: Fault): void {
    const queue = this.faults.get(method) ?? [];
    queue.push(fault);
    this.faults.set(method, queue);
  }

  /** Forgets calls, messages, views, trigger ids, response URLs and queued faults; keeps people. */
  reset(): void {
    this.calls.length = 0;
    this.responseUrlPosts.length = 0;
    this.faults.clear();
    this.responseUrlFaults.length = 0;
    this.releaseHung();
    this.ws.resetActivity();
    this.socket?.reset();
  }

  /**
   * Finds the newest live message `user` can see that holds an element with `actionId` (and
   * `blockId`, if given): the button a person would click. With `messageTs`, only that message
   * is considered, and it is returned even if the element is not in its blocks.
   */
  findActionSource(query: {
    user: string;
    actionId: string;
    channel?: string;
    blockId?: string;
    messageTs?: string;
  }): ActionSource | undefined {
    const { ws } = this;
    const candidates: { message: StandinMessage | EphemeralMessage; ephemeral: boolean }[] = [
      ...ws.messages
        .filter((m) =>
          m.channel.startsWith('D')
            ? m.channel === ws.dmChannelFor(query.user)
            : ws.isMember(m.channel, query.user),
        )
        .map((message) => ({ message, ephemeral: false })),
      ...ws.ephemerals.filter((m) => m.user === query.user).map((message) => ({ message, ephemeral: true })),
    ]
      .filter(({ message }) => !message.deleted)
      .filter(
        ({ message }) => query.channel === undefined || message.channel === ws.resolveChannel(query.channel),
      )
      .filter(({ message }) => query.messageTs === undefined || message.ts === query.messageTs)
      .sort((a, b) => postingOrder(b.message.ts) - postingOrder(a.message.ts));

    for (const { message, ephemeral } of candidates) {
      const found = findActionElement(message.blocks, query.actionId, query.blockId);
      if (found) return this.actionSource(message, ephemeral, found.element, found.blockId);
    }
    const only = query.messageTs === undefined ? undefined : candidates[0];
    return only ? this.actionSource(only.message, only.ephemeral) : undefined;
  }

  private actionSource(
    message: StandinMessage | EphemeralMessage,
    ephemeral: boolean,
    element?: Record<string, unknown>,
    blockId?: string,
  ): ActionSource {
    const source: ActionSource = { ref: { channel: message.channel, ts: message.ts }, ephemeral };
    if (blockId !== undefined) source.blockId = blockId;
    if (element !== undefined) source.element = element;
    if (!ephemeral) source.messagePayload = this.ws.messagePayload(message as StandinMessage);
    return source;
  }

  /** A stored view as Slack puts it in interaction payloads, with the given input state. */
  viewPayload(
    viewId: string,
    stateValues: Record<string, unknown> = {},
  ): Record<string, unknown> | undefined {
    const stored = this.ws.views.get(viewId);
    return stored ? this.ws.viewPayload(stored, stateValues) : undefined;
  }

  /** The modal `user` has open now (top of the newest stack), optionally with a callback id. */
  openModalOf(user: string, callbackId?: string): StandinView | undefined {
    const open = [...this.ws.views.values()].filter(
      (v) =>
        v.user === user &&
        v.type === 'modal' &&
        !v.closed &&
        (callbackId === undefined || v.callbackId === callbackId),
    );
    const top = open.at(-1);
    return top ? structuredClone(top) : undefined;
  }

  /**
   * Applies the app's answer to a view_submission as Slack would: no `response_action` closes
   * the view, `errors` keeps it open, `update` replaces it, `push` stacks a new one, `clear`
   * closes the whole modal. Returns Slack's complaint about an invalid new view, if any.
   */
  applyViewSubmissionAck(viewId: string, ack: unknown): SlackApiError | undefined {
    const stored = this.ws.views.get(viewId);
    if (!stored) return undefined;
    const body = isRecord(ack) ? ack : {};
    const action = body['response_action'];
    if (action === 'errors') return undefined;
    if (action === 'clear') {
      for (const view of this.ws.openStack(stored.rootViewId)) view.closed = true;
      return undefined;
    }
    if (action === 'update' || action === 'push') {
      const invalid = checkView(body['view'], ['modal']);
      if (invalid) return invalid;
      const view = body['view'] as Record<string, unknown>;
      if (action === 'update') this.ws.updateView(stored, view);
      else this.ws.addView(stored.user, view, 'response_action', stored);
      return undefined;
    }
    stored.closed = true;
    return undefined;
  }
}
