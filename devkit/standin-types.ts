/**
 * Public types of the Slack stand-in: what a test seeds (users, groups, channels) and what it
 * reads back (recorded calls, messages as people would see them, modals, response_url posts).
 * Seeded people use Slack's own field names; what the stand-in records uses camelCase.
 */

/** Milliseconds since the epoch; inject a fake one to move past the 3 s / 30 min windows. */
export interface StandinClock {
  now(): number;
}

/**
 * A member of the stand-in workspace, flat and with Slack's field names; `users.info` nests
 * `email`, `real_name` and `display_name` into `profile` as Slack does.
 */
export interface StandinUser {
  /** Slack user id, e.g. `U01ALICE`. */
  id: string;
  /** The handle. */
  name: string;
  real_name?: string;
  display_name?: string;
  email?: string;
  /** A deactivated account: `users.info` still answers, with `deleted: true`, as Slack does. */
  deleted?: boolean;
  is_bot?: boolean;
  /** Multi-channel guest. */
  is_restricted?: boolean;
  /** Single-channel guest. */
  is_ultra_restricted?: boolean;
  /** IANA zone name; defaults to `Europe/London`. */
  tz?: string;
  /**
   * The person's home workspace; defaults to the stand-in's. Another team's id plays a member
   * of a Slack Connect channel or of another workspace of the org (docs.slack.dev user object:
   * `team_id`).
   */
  team_id?: string;
  /**
   * Enterprise Grid membership, as users.info returns it: the org and the org's workspaces the
   * person belongs to (docs.slack.dev user object: `enterprise_user`). Absent outside Grid.
   */
  enterprise_user?: { enterprise_id: string; enterprise_name?: string; teams?: string[] };
  /**
   * Slack's `is_stranger`: a user of another workspace, seen through a shared channel, whom the
   * app's workspace does not otherwise know (docs.slack.dev user object). Absent unless set.
   */
  is_stranger?: boolean;
  /**
   * Slack's `is_email_confirmed`, sent beside `profile.email` (docs.slack.dev user object; the
   * field is top-level, not in `profile`). Defaults to true for a user with an email, as for a
   * member who signed in with it; set false to play an address nobody has confirmed.
   */
  is_email_confirmed?: boolean;
}

/** A Slack user group (a "subteam" on the wire). */
export interface StandinUsergroup {
  /** Encoded id, e.g. `S01ONCALL`. */
  id: string;
  /** Mention handle without `@`, e.g. `2ndline`. */
  handle: string;
  name?: string;
  /** Member user ids. */
  users: string[];
  /** A disabled group is listed only with `include_disabled`. */
  disabled?: boolean;
}

/**
 * A channel whose membership matters. Channels a test never declares are treated as public
 * channels everyone is in, so only channels used to prove "not a member" need declaring.
 */
export interface StandinChannel {
  id: string;
  name: string;
  members: string[];
}

/** A Block Kit block as it arrived on the wire; only `type` is guaranteed. */
export interface SlackBlock {
  type: string;
  block_id?: string;
  [key: string]: unknown;
}

/** The content part of a message. */
export interface MessageContent {
  text?: string;
  blocks?: SlackBlock[];
  attachments?: unknown[];
}

/** One earlier version of a message that was later replaced or updated. */
export interface MessageVersion extends MessageContent {
  /** When this version was replaced (clock ms). */
  replacedAt: number;
}

/** Points at one message: a channel message or an ephemeral one (both have a `ts`). */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** A non-ephemeral message in a channel or DM: everyone in it can read it, and it persists. */
export interface StandinMessage extends MessageContent {
  channel: string;
  ts: string;
  threadTs?: string;
  /** Author: the bot's user id for messages the app posted. */
  user: string;
  /** Set for messages the app posted. */
  botId?: string;
  deleted: boolean;
  /** Earlier versions, oldest first (chat.update, `replace_original`). */
  history: MessageVersion[];
  postedVia: 'chat.postMessage' | 'response_url' | 'seed';
  /** The response_url it was posted through (`response_type: in_channel`), if any. */
  responseUrl?: string;
}

/** A message only `user` sees, until their client forgets it. */
export interface EphemeralMessage extends MessageContent {
  /** Equal to `ts`; unique across the stand-in. */
  id: string;
  ts: string;
  user: string;
  channel: string;
  deleted: boolean;
  /** How many times it was replaced through a response_url. */
  replacedCount: number;
  /** Earlier versions, oldest first. */
  history: MessageVersion[];
  postedVia: 'chat.postEphemeral' | 'response_url';
  /** The response_url it was posted through, if any: the URL that can replace or delete it. */
  responseUrl?: string;
}

/** A modal view (or a Home tab) the app opened, pushed or published. */
export interface StandinView {
  id: string;
  /** Who sees it. */
  user: string;
  /** `modal` or `home`. */
  type: string;
  callbackId?: string;
  externalId?: string;
  privateMetadata?: string;
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
  /** The view object as the app last sent it (parsed JSON). */
  view: Record<string, unknown>;
  /** Earlier versions the app replaced with views.update or a `response_action: update`. */
  history: Record<string, unknown>[];
  openedVia: 'views.open' | 'views.push' | 'views.publish' | 'response_action';
  /** Closed by the person (submit without a new view, `clear`, Close or ✕) — updates then fail. */
  closed: boolean;
}

/**
 * What one person's Slack client shows at this moment: what a test (or the sandbox page) asks
 * when it wants to know whether a value is still in front of someone. Content is the current
 * version only; what was replaced or deleted is gone from the screen.
 */
export interface PersonScreen {
  user: string;
  /**
   * Ephemeral messages they still see, oldest first, in every channel: not deleted, and not
   * forgotten by a reload of their client (Slack does not keep ephemeral messages across one).
   */
  ephemerals: EphemeralMessage[];
  /**
   * Their open modal views, oldest first: the last is in front, the ones it was pushed onto are
   * one "Back" away, so they count as on screen too.
   */
  modal: StandinView[];
  /** Their App Home tab, as the app last published it. */
  home?: StandinView;
  /** The app's DM with them: it persists. */
  dm: StandinMessage[];
  /** Messages in the channels they are in. */
  channels: StandinMessage[];
}

/** What closing the front view of a person's modal did (see SlackStandin.closeModal). */
export interface ClosedModal {
  /** The view in front when the person closed it. */
  view: StandinView;
  /** Every view that closed: the front one, or the whole stack. */
  closedViewIds: string[];
  /** The whole stack closed (✕, `clear_on_close`, or the last view of the stack). */
  cleared: boolean;
  /** Slack tells the app with a `view_closed` payload only when the view asked (notify_on_close). */
  notify: boolean;
}

/** One Web API call as the stand-in saw and answered it. */
export interface RecordedCall {
  method: string;
  /** Arguments without the token; `blocks`, `attachments` and `view` parsed from JSON. */
  args: Record<string, unknown>;
  /** The JSON body sent back. */
  response: Record<string, unknown>;
  /** HTTP status sent back (200; 429 when rate limited; 5xx, or 0 for no answer, when a test injected a fault). */
  status: number;
  /** Clock ms. */
  at: number;
}

/** One POST to a response_url. */
export interface ResponseUrlPost {
  url: string;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  at: number;
  status: number;
  /** What the stand-in answered: `ok`, or an error such as `used_url`. */
  responseBody: string;
}

/** Where a response_url posts and what it may replace. */
export interface NewResponseUrlOptions {
  /** Who sees the ephemeral replies. */
  user: string;
  channel: string;
  /**
   * The message an interaction came from: `replace_original` / `delete_original` act on it.
   * Omit for a slash command, whose URL can only add messages.
   */
  sourceMessage?: MessageRef;
}
