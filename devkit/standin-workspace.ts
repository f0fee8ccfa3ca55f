/**
 * The in-memory Slack workspace behind the stand-in: people, groups, channels, the messages
 * people would see, modals, trigger ids and response URLs. It knows Slack's rules about who
 * sees what and how long things stay valid; it knows nothing about HTTP.
 *
 * A stand-in does only what Slack documents; each rule below names its source. Where the docs
 * are silent it does the conservative thing (what would leave a value on a screen, or fail).
 */
import { randomBytes } from 'node:crypto';
import type {
  ClosedModal,
  EphemeralMessage,
  MessageContent,
  MessageRef,
  PersonScreen,
  SlackBlock,
  StandinChannel,
  StandinClock,
  StandinMessage,
  StandinUser,
  StandinUsergroup,
  StandinView,
} from './standin-types.js';

/** Fixed facts about the workspace and the app installed in it. */
export interface WorkspaceConfig {
  botToken: string;
  teamId: string;
  teamDomain: string;
  teamName: string;
  /** The Enterprise Grid org the workspace belongs to (`E…`); undefined outside Grid. */
  enterpriseId?: string;
  botUserId: string;
  /** The bot user's handle, as auth.test reports it. */
  botName: string;
  botId: string;
  appId: string;
  clock: StandinClock;
}

/** A message found by reference: either kind can be replaced or deleted through a response_url. */
export type FoundMessage =
  { kind: 'channel'; message: StandinMessage } | { kind: 'ephemeral'; message: EphemeralMessage };

/** A registered response_url. */
export interface ResponseUrlRecord {
  id: string;
  url: string;
  user: string;
  channel: string;
  createdAt: number;
  uses: number;
  /** The message the interaction came from; absent for a slash command's URL. */
  source?: MessageRef;
}

interface TriggerRecord {
  user: string;
  issuedAt: number;
  used: boolean;
}

/** Slack's validity windows. */
// A trigger_id is exchanged once, within 3 s: docs.slack.dev/interactivity/handling-user-interaction#modal_responses
export const TRIGGER_TTL_MS = 3000;
// A response_url takes up to 5 posts within 30 minutes: docs.slack.dev/interactivity/handling-user-interaction#message_responses
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
export const RESPONSE_URL_MAX_USES = 5;
// A modal holds up to 3 views in its stack: docs.slack.dev/surfaces/modals#lifecycle
export const VIEW_STACK_LIMIT = 3;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random id in Slack's style: a type letter and upper-case alphanumerics. */
export function slackId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** A message's place in posting order (the ts counter is global and monotonic). */
export function postingOrder(ts: string): number {
  return Number(ts.split('.')[1] ?? 0);
}

/** The message content in a Web API argument list or a response_url body. */
export function contentFrom(args: Record<string, unknown>): MessageContent {
  const content: MessageContent = {};
  if (typeof args['text'] === 'string') content.text = args['text'];
  if (Array.isArray(args['blocks'])) content.blocks = args['blocks'] as SlackBlock[];
  if (Array.isArray(args['attachments'])) content.attachments = args['attachments'];
  return content;
}

/** The in-memory workspace. Public collections are live; the stand-in hands out copies. */
export class StandinWorkspace {
  readonly users = new Map<string, StandinUser>();
  readonly usergroups = new Map<string, StandinUsergroup>();
  readonly channels = new Map<string, StandinChannel>();
  /** Every non-ephemeral message, in the order posted. */
  readonly messages: StandinMessage[] = [];
  readonly ephemerals: EphemeralMessage[] = [];
  readonly views = new Map<string, StandinView>();
  readonly triggers = new Map<string, TriggerRecord>();
  readonly responseUrls = new Map<string, ResponseUrlRecord>();
  /** Per person: the ts counter when their client last reloaded; older ephemerals are gone. */
  private readonly reloads = new Map<string, number>();
  private tsCounter = 0;

  constructor(readonly config: WorkspaceConfig) {}

  now(): number {
    return this.config.clock.now();
  }

  /** A message timestamp: clock seconds plus a counter, so every ts is unique and ordered. */
  nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(this.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  /** The app's DM channel with a person; stable, so tests can predict it. */
  dmChannelFor(user: string): string {
    return `D${user.slice(1)}`;
  }

  /** chat.postMessage accepts a user id and posts into the DM with that person. */
  resolveChannel(channelOrUser: string): string {
    return this.users.has(channelOrUser) ? this.dmChannelFor(channelOrUser) : channelOrUser;
  }

  channelName(channel: string): string {
    if (channel.startsWith('D')) return 'directmessage';
    return this.channels.get(channel)?.name ?? channel;
  }

  /** Undeclared channels count as open to everyone; DMs are fine for ephemeral replies. */
  isMember(channel: string, user: string): boolean {
    if (channel.startsWith('D')) return true;
    const declared = this.channels.get(channel);
    return declared === undefined || declared.members.includes(user);
  }

  findMessage(ref: MessageRef): FoundMessage | undefined {
    const message = this.messages.find((m) => m.channel === ref.channel && m.ts === ref.ts);
    if (message) return { kind: 'channel', message };
    const ephemeral = this.ephemerals.find((m) => m.channel === ref.channel && m.ts === ref.ts);
    return ephemeral ? { kind: 'ephemeral', message: ephemeral } : undefined;
  }

  postMessage(
    channel: string,
    content: MessageContent,
    author: { user: string; botId?: string; via: StandinMessage['postedVia']; threadTs?: string },
  ): StandinMessage {
    const message: StandinMessage = {
      channel,
      ts: this.nextTs(),
      user: author.user,
      ...content,
      deleted: false,
      history: [],
      postedVia: author.via,
    };
    if (author.botId !== undefined) message.botId = author.botId;
    if (author.threadTs !== undefined) message.threadTs = author.threadTs;
    this.messages.push(message);
    return message;
  }

  postEphemeral(
    channel: string,
    user: string,
    content: MessageContent,
    via: EphemeralMessage['postedVia'],
  ): EphemeralMessage {
    const ts = this.nextTs();
    const message: EphemeralMessage = {
      id: ts,
      ts,
      user,
      channel,
      ...content,
      deleted: false,
      replacedCount: 0,
      history: [],
      postedVia: via,
    };
    this.ephemerals.push(message);
    return message;
  }

  /** Replaces a message's content, keeping the old version in its history. */
  replace(found: FoundMessage, content: MessageContent): void {
    const target = found.message;
    const previous: MessageContent = {};
    if (target.text !== undefined) previous.text = target.text;
    if (target.blocks !== undefined) previous.blocks = target.blocks;
    if (target.attachments !== undefined) previous.attachments = target.attachments;
    target.history.push({ ...previous, replacedAt: this.now() });
    delete target.text;
    delete target.blocks;
    delete target.attachments;
    Object.assign(target, content);
    if (found.kind === 'ephemeral') found.message.replacedCount += 1;
  }

  issueTrigger(user: string): string {
    const id = `${Math.floor(this.now() / 1000)}${randomBytes(2).readUInt16BE()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { user, issuedAt: this.now(), used: false });
    return id;
  }

  /** Exchanges a trigger id: once only, within 3 seconds. */
  exchangeTrigger(id: string | undefined): { user: string } | { error: string } {
    const trigger = id === undefined ? undefined : this.triggers.get(id);
    if (!trigger) return { error: 'invalid_trigger_id' };
    if (trigger.used) return { error: 'exchanged_trigger_id' };
    if (this.now() - trigger.issuedAt > TRIGGER_TTL_MS) return { error: 'expired_trigger_id' };
    trigger.used = true;
    return { user: trigger.user };
  }

  issueResponseUrl(baseUrl: string, user: string, channel: string, source?: MessageRef): ResponseUrlRecord {
    const id = randomBytes(16).toString('hex');
    const record: ResponseUrlRecord = {
      id,
      url: `${baseUrl}/respond/${id}`,
      user,
      channel,
      createdAt: this.now(),
      uses: 0,
    };
    if (source) record.source = { ...source };
    this.responseUrls.set(id, record);
    return record;
  }

  newViewHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  /** Stores a view the app opened, pushed or published. */
  addView(
    user: string,
    view: Record<string, unknown>,
    openedVia: StandinView['openedVia'],
    previous?: StandinView,
  ): StandinView {
    const id = slackId('V');
    const stored: StandinView = {
      id,
      user,
      type: String(view['type']),
      hash: this.newViewHash(),
      rootViewId: previous?.rootViewId ?? id,
      previousViewId: previous?.id ?? null,
      view,
      history: [],
      openedVia,
      closed: false,
    };
    this.describeView(stored, view);
    this.views.set(id, stored);
    return stored;
  }

  /** Replaces a view's content and gives it a new hash, as views.update does. */
  updateView(stored: StandinView, view: Record<string, unknown>): void {
    stored.history.push(stored.view);
    stored.view = view;
    stored.hash = this.newViewHash();
    this.describeView(stored, view);
  }

  private describeView(stored: StandinView, view: Record<string, unknown>): void {
    const pick = (key: string): string | undefined =>
      typeof view[key] === 'string' ? (view[key] as string) : undefined;
    const callbackId = pick('callback_id');
    const externalId = pick('external_id');
    const privateMetadata = pick('private_metadata');
    if (callbackId !== undefined) stored.callbackId = callbackId;
    else delete stored.callbackId;
    if (externalId !== undefined) stored.externalId = externalId;
    else delete stored.externalId;
    if (privateMetadata !== undefined) stored.privateMetadata = privateMetadata;
    else delete stored.privateMetadata;
  }

  /** The modal a person has open now (top of the newest open stack), if any. */
  openModalOf(user: string): StandinView | undefined {
    const open = [...this.views.values()].filter((v) => v.user === user && v.type === 'modal' && !v.closed);
    return open.at(-1);
  }

  /** The views of one modal stack that are still open. */
  openStack(rootViewId: string): StandinView[] {
    return [...this.views.values()].filter((v) => v.rootViewId === rootViewId && !v.closed);
  }

  /** A view as Slack sends it in API answers and interaction payloads. */
  viewPayload(stored: StandinView, stateValues: Record<string, unknown> = {}): Record<string, unknown> {
    const { view } = stored;
    return {
      id: stored.id,
      team_id: this.config.teamId,
      type: stored.type,
      title: view['title'] ?? null,
      submit: view['submit'] ?? null,
      close: view['close'] ?? null,
      blocks: view['blocks'] ?? [],
      private_metadata: stored.privateMetadata ?? '',
      callback_id: stored.callbackId ?? '',
      external_id: stored.externalId ?? '',
      state: { values: stateValues },
      hash: stored.hash,
      clear_on_close: view['clear_on_close'] === true,
      notify_on_close: view['notify_on_close'] === true,
      root_view_id: stored.rootViewId,
      previous_view_id: stored.previousViewId,
      app_id: this.config.appId,
      app_installed_team_id: this.config.teamId,
      bot_id: this.config.botId,
    };
  }

  /** A channel message as Slack sends it in API answers and interaction payloads. */
  messagePayload(message: StandinMessage): Record<string, unknown> {
    const payload: Record<string, unknown> = {
      type: 'message',
      user: message.user,
      ts: message.ts,
      team: this.config.teamId,
    };
    if (message.botId !== undefined) {
      payload['bot_id'] = message.botId;
      payload['app_id'] = this.config.appId;
    }
    payload['text'] = message.text ?? '';
    if (message.blocks !== undefined) payload['blocks'] = message.blocks;
    if (message.attachments !== undefined) payload['attachments'] = message.attachments;
    if (message.threadTs !== undefined) payload['thread_ts'] = message.threadTs;
    return payload;
  }

  /**
   * The person reloads their client (or opens Slack on another device): ephemeral messages are
   * gone, as Slack does not keep them (docs.slack.dev/reference/methods/chat.postEphemeral).
   */
  reload(user: string): void {
    this.reloads.set(user, this.tsCounter);
  }

  /** What `user`'s Slack client shows now. */
  screenOf(user: string): PersonScreen {
    const reloadedAt = this.reloads.get(user) ?? 0;
    const dm = this.dmChannelFor(user);
    const screen: PersonScreen = {
      user,
      ephemerals: this.ephemerals.filter(
        (m) => m.user === user && !m.deleted && postingOrder(m.ts) > reloadedAt,
      ),
      // A person has at most one modal on screen in Slack; any view this stand-in still holds
      // open for them counts, which is the conservative reading for "is the value still shown".
      modal: [...this.views.values()].filter((v) => v.user === user && v.type === 'modal' && !v.closed),
      dm: this.messages.filter((m) => m.channel === dm && !m.deleted),
      channels: this.messages.filter(
        (m) => !m.channel.startsWith('D') && !m.deleted && this.isMember(m.channel, user),
      ),
    };
    const home = [...this.views.values()].find((v) => v.user === user && v.type === 'home');
    if (home) screen.home = home;
    return screen;
  }

  /**
   * The person closes the view in front of their modal with its Close button, or the whole
   * modal with ✕ (`all`). Close on a pushed view goes back to the one below it, unless the view
   * asked for `clear_on_close`; Slack sends `view_closed` only for a view with
   * `notify_on_close` (docs.slack.dev/reference/views/modal-views#modal-fields). Where the docs
   * are silent (which view the payload names when ✕ clears a stack) the front view is named,
   * so an app cannot count on hearing about a view below it.
   */
  closeModal(user: string, all = false): ClosedModal | undefined {
    const front = this.openModalOf(user);
    if (!front) return undefined;
    const stack = this.openStack(front.rootViewId);
    const cleared = all || front.view['clear_on_close'] === true || stack.length === 1;
    const closing = cleared ? stack : [front];
    for (const view of closing) view.closed = true;
    return {
      view: front,
      closedViewIds: closing.map((v) => v.id),
      cleared,
      notify: front.view['notify_on_close'] === true,
    };
  }

  /** Forgets activity (messages, views, triggers, response URLs); keeps people and channels. */
  resetActivity(): void {
    this.messages.length = 0;
    this.ephemerals.length = 0;
    this.views.clear();
    this.triggers.clear();
    this.responseUrls.clear();
    this.reloads.clear();
  }
}
