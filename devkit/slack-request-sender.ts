/**
 * Plays Slack's side of the Events/Interactivity request URL: builds slash-command and
 * interaction bodies shaped like Slack's, signs them with the v0 scheme, and POSTs them to the
 * bot's `/slack/events`. The response_url and trigger_id in each request are registered on the
 * stand-in, so what the bot does with them lands where a person would see it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { type ActionSource, findActionElement, type SlackStandin } from './slack-standin.js';
import { stringArg } from './standin-http.js';
import type { ClosedModal, StandinClock } from './standin-types.js';

/** Options for {@link SlackRequestSender}. */
export interface SlackRequestSenderOptions {
  /** The bot's request URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  url: string;
  signingSecret: string;
  standin: SlackStandin;
  /** Defaults to the stand-in's team. */
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  /** The deprecated verification token Slack still sends as `token`. */
  verificationToken?: string;
  /** Signs with this clock's time; defaults to the wall clock, which is what Bolt checks against. */
  clock?: StandinClock;
}

/** How to sign and label one request. */
export interface SigningOptions {
  /** Overrides the request timestamp (seconds), e.g. 6 minutes ago to prove staleness checks. */
  timestampSeconds?: number;
  /** Signs with a wrong secret. */
  badSignature?: boolean;
  /** Marks the request as Slack's n-th retry (`X-Slack-Retry-Num`). */
  retryNum?: number;
  /** `X-Slack-Retry-Reason`; defaults to `http_timeout` when retryNum is set. */
  retryReason?: string;
}

/** The bot's answer to one request. */
export interface SentRequest {
  status: number;
  /** The response body as text (empty for a bare ack). */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
}

/** The signature headers Slack sends. */
export interface SignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

export interface SlashCommandOptions extends SigningOptions {
  userId: string;
  /** With or without the leading `/`. */
  command: string;
  text?: string;
  /** Defaults to the person's DM with the app. */
  channelId?: string;
  channelName?: string;
  userName?: string;
  /** Reuse a response_url / trigger_id, e.g. to replay a request as Slack's retry would. */
  responseUrl?: string;
  triggerId?: string;
}

export interface SlashCommandResult extends SentRequest {
  responseUrl: string;
  triggerId: string;
  /** The form fields sent. */
  fields: Record<string, string>;
}

/** A message to click in, when not looked up on the stand-in by action id. */
export interface ClickedMessage {
  ts: string;
  text?: string;
  blocks?: unknown[];
}

export interface BlockActionsOptions extends SigningOptions {
  userId: string;
  actionId: string;
  /**
   * Where the message is; a user id means the DM with them. Omitted: the newest message the
   * person can see that holds `actionId`, in any channel.
   */
  channelId?: string;
  /** Defaults to the element's own value in the message. */
  value?: string;
  blockId?: string;
  messageTs?: string;
  /** The clicked message, put into the payload as given (its ts locates it). */
  message?: ClickedMessage;
  /** Defaults to a new response_url whose original is the clicked message. */
  responseUrl?: string;
  container?: Record<string, unknown>;
  /**
   * Click inside a view instead of a message (a modal, or the Home tab the app published):
   * the view id and its current input state. Slack sends no response_url for these.
   */
  view?: { id: string; state?: { values: Record<string, unknown> } };
  /** Defaults to the element's type, else `button`. */
  actionType?: string;
  /** Extra action fields, e.g. `selected_option` for a select menu. */
  action?: Record<string, unknown>;
  /** `state.values` of the message's inputs. */
  stateValues?: Record<string, unknown>;
  triggerId?: string;
}

export interface BlockActionsResult extends SentRequest {
  /** Undefined for clicks inside a modal or the Home tab: Slack sends no response_url there. */
  responseUrl?: string;
  triggerId: string;
  payload: Record<string, unknown>;
}

export interface ViewSubmissionOptions extends SigningOptions {
  userId: string;
  view: {
    /** Defaults to the person's open modal with this callback_id. */
    id?: string;
    callback_id: string;
    private_metadata?: string;
    state: { values: Record<string, unknown> };
  };
  triggerId?: string;
}

export interface ViewSubmissionResult extends SentRequest {
  triggerId: string;
  viewId: string;
  payload: Record<string, unknown>;
  /** Slack's complaint when the bot answered `response_action: update|push` with an invalid view. */
  ackViewError?: { error: string; messages?: string[] };
}

export interface CloseModalOptions extends SigningOptions {
  userId: string;
  /** ✕: the whole modal closes; otherwise the Close button of the view in front. */
  all?: boolean;
}

export interface CloseModalResult {
  /** What closed on the person's screen; undefined when they had no modal open. */
  closed?: ClosedModal;
  /** The bot's answer to the `view_closed` payload, when Slack would send one (notify_on_close). */
  sent?: SentRequest & { payload: Record<string, unknown> };
}

export interface BlockSuggestionOptions extends SigningOptions {
  userId: string;
  /** The external select's action id. */
  actionId: string;
  /** What the person typed (empty when the menu was just opened with min_query_length 0). */
  value?: string;
  /** Defaults to the block holding the element in the view. */
  blockId?: string;
  /** The modal the select is in: its id, else the person's open modal with this callback id. */
  view: { id?: string; callbackId?: string; state?: { values: Record<string, unknown> } };
}

export interface BlockSuggestionResult extends SentRequest {
  payload: Record<string, unknown>;
  /** The options the bot answered with (`options`, or flattened `option_groups`). */
  options: Array<{ text: { type: string; text: string }; value: string }>;
}

/** How to send one Events API event. */
export interface EventOptions extends SigningOptions {
  /** Defaults to a fresh `Ev…` id; reuse one to replay the event as Slack's retry would. */
  eventId?: string;
  /** Epoch seconds; defaults to now. */
  eventTime?: number;
}

export interface AppHomeOpenedOptions extends EventOptions {
  userId: string;
  /** Defaults to `home`; `messages` is the DM tab. */
  tab?: 'home' | 'messages';
}

export interface EventResult extends SentRequest {
  /** The `event_callback` envelope as sent. */
  envelope: Record<string, unknown>;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends Slack-shaped, signed requests to the bot. */
export class SlackRequestSender {
  private readonly url: string;
  private readonly signingSecret: string;
  private readonly standin: SlackStandin;
  private readonly teamId: string;
  private readonly teamDomain: string;
  private readonly apiAppId: string;
  private readonly verificationToken: string;
  private readonly clock: StandinClock;

  constructor(options: SlackRequestSenderOptions) {
    this.url = options.url;
    this.signingSecret = options.signingSecret;
    this.standin = options.standin;
    this.teamId = options.teamId ?? options.standin.teamId;
    this.teamDomain = options.teamDomain ?? options.standin.teamDomain;
    this.apiAppId = options.apiAppId ?? options.standin.appId;
    this.verificationToken = options.verificationToken ?? 'standin-verification-token';
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /**
   * Slack's v0 signature of a raw body: hex HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with
   * the signing secret.
   */
  sign(rawBody: string, timestampSeconds = Math.floor(this.clock.now() / 1000)): SignatureHeaders {
    return this.signWith(this.signingSecret, rawBody, timestampSeconds);
  }

  private signWith(secret: string, rawBody: string, timestampSeconds: number): SignatureHeaders {
    const digest = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
    return { 'x-slack-request-timestamp': String(timestampSeconds), 'x-slack-signature': `v0=${digest}` };
  }

  /** POSTs a raw form body with exactly the given headers (no signing): for bad-request tests. */
  async post(rawBody: string, headers: Record<string, string> = {}): Promise<SentRequest> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: rawBody,
    });
    const body = await res.text();
    const json = parseJson(body);
    return json === undefined ? { status: res.status, body } : { status: res.status, body, json };
  }

  private async postSigned(
    rawBody: string,
    signing: SigningOptions,
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<SentRequest> {
    const timestamp = signing.timestampSeconds ?? Math.floor(this.clock.now() / 1000);
    const secret = signing.badSignature ? `${this.signingSecret}-wrong` : this.signingSecret;
    const headers: Record<string, string> = {
      'content-type': contentType,
      ...this.signWith(secret, rawBody, timestamp),
    };
    if (signing.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(signing.retryNum);
      headers['x-slack-retry-reason'] = signing.retryReason ?? 'http_timeout';
    }
    return this.post(rawBody, headers);
  }

  private postPayload(payload: Record<string, unknown>, signing: SigningOptions): Promise<SentRequest> {
    return this.postSigned(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), signing);
  }

  private userObject(userId: string): Record<string, unknown> {
    const name = this.standin.user(userId)?.name ?? userId;
    return { id: userId, username: name, name, team_id: this.teamId };
  }

  private actionTs(): string {
    return (this.clock.now() / 1000).toFixed(6);
  }

  private interactionBase(type: string, userId: string, triggerId: string): Record<string, unknown> {
    return {
      type,
      user: this.userObject(userId),
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      trigger_id: triggerId,
      team: { id: this.teamId, domain: this.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /**
   * Sends an Events API event as Slack does: the `event_callback` envelope as a signed JSON
   * body. `event` is the inner event object (`type`, `user`, …) exactly as Slack would send it.
   */
  async event(event: Record<string, unknown>, options: EventOptions = {}): Promise<EventResult> {
    const envelope: Record<string, unknown> = {
      token: this.verificationToken,
      team_id: this.teamId,
      api_app_id: this.apiAppId,
      event,
      type: 'event_callback',
      event_id: options.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: options.eventTime ?? Math.floor(this.clock.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.teamId,
          user_id: this.standin.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(12).toString('base64url')}`,
    };
    const sent = await this.postSigned(JSON.stringify(envelope), options, 'application/json');
    return { ...sent, envelope };
  }

  /**
   * A person opens the app's Home (tab `home`) or Messages tab. As in Slack, the event carries
   * the Home view the app last published for them, if any.
   */
  async appHomeOpened(options: AppHomeOpenedOptions): Promise<EventResult> {
    const tab = options.tab ?? 'home';
    const event: Record<string, unknown> = {
      type: 'app_home_opened',
      user: options.userId,
      channel: this.standin.dmChannelFor(options.userId),
      tab,
      event_ts: this.actionTs(),
    };
    const published = this.standin.views(options.userId).find((v) => v.type === 'home');
    if (tab === 'home' && published) event['view'] = this.standin.viewPayload(published.id);
    return this.event(event, options);
  }

  /** Sends a slash command as Slack does: a signed form body with a fresh response_url and trigger_id. */
  async slashCommand(options: SlashCommandOptions): Promise<SlashCommandResult> {
    const channelId = options.channelId ?? this.standin.dmChannelFor(options.userId);
    const responseUrl =
      options.responseUrl ?? this.standin.newResponseUrl({ user: options.userId, channel: channelId });
    const triggerId = options.triggerId ?? this.standin.newTriggerId(options.userId);
    const fields: Record<string, string> = {
      token: this.verificationToken,
      team_id: this.teamId,
      team_domain: this.teamDomain,
      channel_id: channelId,
      channel_name: options.channelName ?? this.standin.channelName(channelId),
      user_id: options.userId,
      user_name: options.userName ?? this.standin.user(options.userId)?.name ?? options.userId,
      command: options.command.startsWith('/') ? options.command : `/${options.command}`,
      text: options.text ?? '',
      api_app_id: this.apiAppId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    };
    const sent = await this.postSigned(new URLSearchParams(fields).toString(), options);
    return { ...sent, responseUrl, triggerId, fields };
  }

  /**
   * Sends a `block_actions` interaction: a click on a button (or another element) in a message
   * the person can see, or inside one of their modals.
   * @throws when no such message or view exists: a test clicking nothing is a test bug.
   */
  async blockActions(options: BlockActionsOptions): Promise<BlockActionsResult> {
    const triggerId = options.triggerId ?? this.standin.newTriggerId(options.userId);
    const base = this.interactionBase('block_actions', options.userId, triggerId);

    if (options.view) {
      const view = this.standin.viewPayload(options.view.id, options.view.state?.values ?? {});
      if (!view) throw new Error(`blockActions: the stand-in has no view ${options.view.id}`);
      const element = findActionElement(view['blocks'], options.actionId, options.blockId);
      const payload = {
        ...base,
        container: options.container ?? { type: 'view', view_id: options.view.id },
        view,
        actions: [this.action(options, element?.element, element?.blockId)],
      };
      const sent = await this.postPayload(payload, options);
      return { ...sent, triggerId, payload };
    }

    const messageTs = options.messageTs ?? options.message?.ts;
    const source: ActionSource | undefined = this.standin.findActionSource({
      user: options.userId,
      actionId: options.actionId,
      ...(options.channelId !== undefined ? { channel: options.channelId } : {}),
      ...(options.blockId !== undefined ? { blockId: options.blockId } : {}),
      ...(messageTs !== undefined ? { messageTs } : {}),
    });
    const channel =
      source?.ref.channel ?? (options.channelId && this.standin.resolveChannel(options.channelId));
    const ts = source?.ref.ts ?? messageTs;
    if (!channel || !ts) {
      throw new Error(
        `blockActions: no message visible to ${options.userId} holds action_id ${options.actionId}` +
          (options.channelId ? ` in ${options.channelId}` : ''),
      );
    }
    const ephemeral = source?.ephemeral ?? false;
    const responseUrl =
      options.responseUrl ??
      this.standin.newResponseUrl({ user: options.userId, channel, sourceMessage: { channel, ts } });
    const message = options.message ? { type: 'message', ...options.message, ts } : source?.messagePayload;
    const payload: Record<string, unknown> = {
      ...base,
      container: options.container ?? {
        type: 'message',
        message_ts: ts,
        channel_id: channel,
        is_ephemeral: ephemeral,
      },
      channel: { id: channel, name: this.standin.channelName(channel) },
      // Slack leaves `message` out for ephemeral messages; the bot must not rely on it there.
      ...(message !== undefined ? { message } : {}),
      state: { values: options.stateValues ?? {} },
      response_url: responseUrl,
      actions: [this.action(options, source?.element, source?.blockId)],
    };
    const sent = await this.postPayload(payload, options);
    return { ...sent, responseUrl, triggerId, payload };
  }

  private action(
    options: BlockActionsOptions,
    element: Record<string, unknown> | undefined,
    foundBlockId: string | undefined,
  ): Record<string, unknown> {
    const value = options.value ?? stringArg(element?.['value']);
    const action: Record<string, unknown> = {
      action_id: options.actionId,
      block_id: options.blockId ?? foundBlockId ?? randomBytes(3).toString('hex'),
      type: options.actionType ?? stringArg(element?.['type']) ?? 'button',
      action_ts: this.actionTs(),
    };
    if (value !== undefined) action['value'] = value;
    if (element?.['text'] !== undefined) action['text'] = element['text'];
    if (element?.['style'] !== undefined) action['style'] = element['style'];
    return { ...action, ...options.action };
  }

  /**
   * The person closes their modal (the view in front with Close, or all of it with ✕), and, if
   * that view asked with `notify_on_close`, Slack's `view_closed` payload goes to the bot.
   */
  async closeModal(options: CloseModalOptions): Promise<CloseModalResult> {
    const front = this.standin.openModalOf(options.userId);
    const payloadView = front ? this.standin.viewPayload(front.id) : undefined;
    const closed = this.standin.closeModal(options.userId, { all: options.all === true });
    if (!closed || !closed.notify || !payloadView) return closed ? { closed } : {};
    const payload: Record<string, unknown> = {
      type: 'view_closed',
      team: { id: this.teamId, domain: this.teamDomain },
      user: this.userObject(options.userId),
      view: payloadView,
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      is_cleared: closed.cleared,
      enterprise: null,
      is_enterprise_install: false,
    };
    const sent = await this.postPayload(payload, options);
    return { closed, sent: { ...sent, payload } };
  }

  /**
   * Asks for an external select's options as Slack does (`block_suggestion`, for a select in a
   * modal): the view with its current input state, the typed text as `value`. Slack shows at
   * most 100 options; more is reported as an error here, as Slack would not show the menu.
   */
  async blockSuggestion(options: BlockSuggestionOptions): Promise<BlockSuggestionResult> {
    const stored = options.view.id
      ? this.standin.view(options.view.id)
      : this.standin.openModalOf(options.userId, options.view.callbackId);
    if (!stored) throw new Error('blockSuggestion: no such open view');
    const view = this.standin.viewPayload(stored.id, options.view.state?.values ?? {}) ?? {};
    const blocks = (stored.view['blocks'] ?? []) as Array<Record<string, unknown>>;
    const holder = blocks.find(
      (b) => (b['element'] as Record<string, unknown> | undefined)?.['action_id'] === options.actionId,
    );
    const payload: Record<string, unknown> = {
      type: 'block_suggestion',
      user: this.userObject(options.userId),
      container: { type: 'view', view_id: stored.id },
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      action_id: options.actionId,
      block_id: options.blockId ?? stringArg(holder?.['block_id']) ?? randomBytes(3).toString('hex'),
      value: options.value ?? '',
      team: { id: this.teamId, domain: this.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      view,
    };
    const sent = await this.postPayload(payload, options);
    const body = (sent.json ?? {}) as {
      options?: BlockSuggestionResult['options'];
      option_groups?: Array<{ options?: BlockSuggestionResult['options'] }>;
    };
    const list = body.options ?? (body.option_groups ?? []).flatMap((g) => g.options ?? []);
    if (list.length > 100)
      throw new Error(`blockSuggestion: ${list.length} options, Slack shows at most 100`);
    return { ...sent, payload, options: list };
  }

  /**
   * Submits a modal as Slack does, then applies the bot's answer (`response_action`) to the
   * stand-in's view, so the modal closes, updates or shows errors as it would for the person.
   */
  async viewSubmission(options: ViewSubmissionOptions): Promise<ViewSubmissionResult> {
    const triggerId = options.triggerId ?? this.standin.newTriggerId(options.userId);
    const stored = options.view.id
      ? this.standin.view(options.view.id)
      : this.standin.openModalOf(options.userId, options.view.callback_id);
    const viewId = stored?.id ?? options.view.id ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
    const fromStandin = stored ? this.standin.viewPayload(stored.id, options.view.state.values) : undefined;
    const view: Record<string, unknown> = {
      ...(fromStandin ?? {
        id: viewId,
        team_id: this.teamId,
        type: 'modal',
        blocks: [],
        private_metadata: '',
        hash: `${Math.floor(this.clock.now() / 1000)}.${randomBytes(4).toString('hex')}`,
        root_view_id: viewId,
        previous_view_id: null,
        app_id: this.apiAppId,
        bot_id: this.standin.botId,
      }),
      callback_id: options.view.callback_id,
      state: { values: options.view.state.values },
    };
    if (options.view.private_metadata !== undefined) view['private_metadata'] = options.view.private_metadata;
    const payload = {
      ...this.interactionBase('view_submission', options.userId, triggerId),
      view,
      response_urls: [],
    };
    const sent = await this.postPayload(payload, options);
    const result: ViewSubmissionResult = { ...sent, triggerId, viewId, payload };
    if (stored && sent.status === 200) {
      const ackViewError = this.standin.applyViewSubmissionAck(stored.id, sent.json);
      if (ackViewError) result.ackViewError = ackViewError;
    }
    return result;
  }
}
