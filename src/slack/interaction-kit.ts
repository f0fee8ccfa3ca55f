/**
 * The one interaction kit: what every Slack listener of locksmith shares, written once.
 *
 * - Bolt's argument types ({@link CommandArgs}, {@link ButtonArgs}, {@link ViewArgs}) and
 *   {@link teamOf}, the team a payload came from.
 * - {@link dm} / {@link tryDm}: a message in the person's DM with the app.
 * - {@link codec}: a zod-checked JSON codec for button values and `private_metadata`, which
 *   come back from Slack as text anyone could have forged: `decode` returns undefined for
 *   anything that is not ours (malformed, wrong shape, or over Slack's size limit).
 * - {@link onCommand} / {@link onButton} / {@link onView}: ack first (Slack's 3-second rule),
 *   run, record the listener's audit event once with its outcome, and turn any error into the
 *   coded-error reply (`reply-errors.ts`) delivered through the one fallback rule
 *   (`ephemeral-reply.ts`), which never re-sends a value.
 */
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewClosedAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { z } from 'zod';
import type { AuditEvent, AuditLog } from '../audit/audit-events.js';
import { outcomeOf, reasonOf } from '../audit/audited.js';
import type { Logger } from '../audit/logger.js';
import type { SlackMessage } from './block-kit.js';
import {
  replyEphemeral,
  type ReplyDeps,
  type ReplyOptions,
  type ReplyOutcome,
  type ReplyTarget,
} from './ephemeral-reply.js';
import { errorReply } from './reply-errors.js';

/** A slash command's listener arguments. */
export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
/** A button click's listener arguments. */
export type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;
/** A modal submission's listener arguments. */
export type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
/** A closed modal's listener arguments (`view_closed`, for views with `notify_on_close`). */
export type ViewClosedArgs = SlackViewMiddlewareArgs<ViewClosedAction> & AllMiddlewareArgs;
/** An Events API event's listener arguments, e.g. `EventArgs<'app_home_opened'>`. */
export type EventArgs<E extends string> = SlackEventMiddlewareArgs<E> & AllMiddlewareArgs;

/** An external select's options request's listener arguments. */
export type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

/** The parts of any Slack payload that name a team. */
export interface TeamCarrier {
  user?: { team_id?: string | undefined } | undefined;
  team?: { id?: string | undefined } | null | undefined;
  team_id?: string | undefined;
}

/**
 * The team a click, submission or command came from: the user's own team first (in an
 * Enterprise Grid org a shared channel's payload names the channel's team in `team`), then
 * the payload's team; '' when Slack sent neither.
 */
export function teamOf(body: TeamCarrier): string {
  return body.user?.team_id ?? body.team?.id ?? body.team_id ?? '';
}

/** What a DM needs: a Web API client (the app's, or a listener's `client`). */
export interface DmDeps {
  slack: Pick<WebClient, 'conversations' | 'chat'>;
}

/** Where a DM landed. */
export interface DmPlace {
  channel: string;
  ts?: string;
}

/**
 * Posts `message` in `user`'s DM with the app (conversations.open, then chat.postMessage).
 * Throws what Slack threw, or when Slack opened no channel. A DM persists: never a value.
 */
export async function dm(deps: DmDeps, user: string, message: SlackMessage): Promise<DmPlace> {
  const opened = await deps.slack.conversations.open({ users: user });
  const channel = opened.channel?.id;
  if (!channel) throw new Error('conversations.open returned no channel');
  const posted = await deps.slack.chat.postMessage({ channel, ...message });
  return posted.ts ? { channel, ts: posted.ts } : { channel };
}

/** {@link dm} that never throws: a failure is logged (without Slack's request) as `what`. */
export async function tryDm(
  deps: DmDeps & { logger: Logger },
  user: string,
  message: SlackMessage,
  what: string,
): Promise<DmPlace | undefined> {
  try {
    return await dm(deps, user, message);
  } catch (err) {
    deps.logger.warn({ user, err: { message: (err as Error).message } }, what);
    return undefined;
  }
}

/** Slack's size limits for the text locksmith round-trips through it. */
export const SLACK_LIMITS = {
  /** A button element's `value` (Block Kit reference: button element, "Maximum length 2000"). */
  buttonValue: 2000,
  /** A view's `private_metadata` (Block Kit reference: view object, "Maximum length 3000"). */
  privateMetadata: 3000,
} as const;

/** A JSON codec for one kind of button value or `private_metadata`. */
export interface Codec<T> {
  encode(value: T): string;
  /** The value, or undefined for anything malformed, of another shape, or over the limit. */
  decode(text: string | undefined | null): T | undefined;
}

/**
 * A codec checked by `schema`. `limit` is Slack's limit for the place the text travels in
 * (default: a button value); a longer text cannot have come from Slack and is refused unread.
 */
export function codec<S extends z.ZodType>(
  schema: S,
  limit: number = SLACK_LIMITS.buttonValue,
): Codec<z.output<S>> {
  return {
    encode: (value) => JSON.stringify(value),
    decode(text) {
      if (typeof text !== 'string' || text.length === 0 || text.length > limit) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return undefined;
      }
      const result = schema.safeParse(parsed);
      return result.success ? result.data : undefined;
    },
  };
}

/** What the wrappers need: the reply's dependencies and, for audited listeners, the audit log. */
export interface KitDeps extends ReplyDeps {
  audit?: AuditLog;
}

/** The coded-error reply for an error, and its incident reference when it has one. */
export interface ErrorAnswer {
  message: SlackMessage;
  ref?: string;
}

/** What the wrappers hand the listener besides Bolt's arguments. */
export interface Interaction {
  /** An ephemeral reply to the person through the one fallback rule (`ephemeral-reply.ts`). */
  reply(message: SlackMessage, options?: Omit<ReplyOptions, 'where'>): Promise<ReplyOutcome>;
  /**
   * Where the reply goes (response_url, channel, user). A listener may add the places its
   * payload carries (a form's private_metadata) before it replies.
   */
  target: ReplyTarget;
  /**
   * The listener's audit event, if it declared one: filled in as the listener learns (role,
   * version, …), recorded once when the listener ends, with its duration; an error the
   * listener throws sets its outcome and reason.
   */
  readonly event: AuditEvent | undefined;
  /** Declares (or replaces) the listener's audit event, once it knows what it is about. */
  audit(event: AuditEvent): AuditEvent;
  /** This request leaves no audit line after all (a form sent back, nothing read). */
  unaudited(): void;
  /**
   * An error the listener answers itself (in a window, in the form): logged as the coded-error
   * reply is, and the audit event marked with its outcome and reason.
   */
  fail(err: unknown): ErrorAnswer;
}

/** Options every wrapper takes. */
export interface ListenerOptions<A> {
  /** The listener's audit event, built from the payload (undefined: none, or not yet). */
  audit?: (args: A) => AuditEvent | undefined;
}

interface Running {
  i: Interaction;
  /** Records the event, if any and not waived. */
  finish(): void;
}

function interaction(
  deps: KitDeps,
  target: ReplyTarget,
  where: string,
  first: AuditEvent | undefined,
  replyDefaults: Omit<ReplyOptions, 'where'> = {},
): Running {
  const started = performance.now();
  let event = first;
  const i: Interaction = {
    target,
    get event() {
      return event;
    },
    reply: (message, options) =>
      replyEphemeral(deps, target, message, { ...replyDefaults, ...options, where }),
    audit(e) {
      event = e;
      return e;
    },
    unaudited() {
      event = undefined;
    },
    fail(err) {
      const answer = errorReply(err, deps.logger, where);
      if (event) {
        event.outcome = outcomeOf(err);
        event.reason = reasonOf(err, answer.ref);
      }
      return answer;
    },
  };
  return {
    i,
    finish() {
      if (!event) return;
      if (!deps.audit) throw new Error(`${where}: an audited listener needs the audit log`);
      event.duration_ms = Math.round(performance.now() - started);
      deps.audit.record(event);
    },
  };
}

/**
 * Runs the listener: an error it throws is marked on the audit event and logged; the event is
 * recorded; then the error's reply is delivered (ack → run → audited event → coded-error reply).
 */
async function runListener(running: Running, run: () => Promise<void>): Promise<void> {
  let failure: ErrorAnswer | undefined;
  try {
    await run();
  } catch (err) {
    failure = running.i.fail(err);
  }
  running.finish();
  if (failure) await running.i.reply(failure.message);
}

/** A slash command listener: ack, run, audit, and any error answered to the person. */
export function onCommand(
  deps: KitDeps,
  where: string,
  run: (args: CommandArgs, i: Interaction) => Promise<void>,
  options: ListenerOptions<CommandArgs> = {},
): (args: CommandArgs) => Promise<void> {
  return async (args) => {
    await args.ack();
    const { command } = args;
    const running = interaction(
      deps,
      { responseUrl: command.response_url, channel: command.channel_id, user: command.user_id },
      where,
      options.audit?.(args),
    );
    await runListener(running, () => run(args, running.i));
  };
}

/** The reply places of a click: its response_url (none from the App Home), channel, clicker. */
export function buttonTarget(body: ButtonArgs['body']): ReplyTarget {
  const target: ReplyTarget = { user: body.user.id };
  if (body.response_url) target.responseUrl = body.response_url;
  if (body.channel?.id) target.channel = body.channel.id;
  return target;
}

/**
 * A button listener: ack, run, audit, and any error answered to the clicker. Replies stand
 * beside the clicked message, never in its place (`keepOriginal`).
 */
export function onButton(
  deps: KitDeps,
  where: string,
  run: (args: ButtonArgs, i: Interaction) => Promise<void>,
  options: ListenerOptions<ButtonArgs> = {},
): (args: ButtonArgs) => Promise<void> {
  return async (args) => {
    await args.ack();
    const running = interaction(deps, buttonTarget(args.body), where, options.audit?.(args), {
      keepOriginal: true,
    });
    await runListener(running, () => run(args, running.i));
  };
}

/** A submission's errors by block id, shown in the form (`response_action: 'errors'`). */
export type FormErrors = Record<string, string>;

/** Options of {@link onView}. */
export interface ViewOptions extends ListenerOptions<ViewArgs> {
  /** Runs first and may keep the form open with errors (Slack takes those only in the ack). */
  check?: (args: ViewArgs) => FormErrors | undefined;
  /** The channel the form came from, to answer in. */
  channel?: (args: ViewArgs) => string | undefined;
  /**
   * The listener acks itself: its answer to Slack (errors in the form, an updated view)
   * depends on work it does within Slack's 3 s. If it never does, the wrapper acks after it.
   */
  acksItself?: boolean;
}

/**
 * A modal submission listener. `check` runs first and may keep the form open with errors;
 * otherwise ack closes the form, then `run` (unless the listener {@link ViewOptions.acksItself}).
 * A submission has no response_url: errors are answered where the form says it came from
 * (`channel`, or places the listener adds to `i.target`), else by DM. Replies stand beside
 * any message the form was opened from (`keepOriginal`).
 */
export function onView(
  deps: KitDeps,
  where: string,
  run: (args: ViewArgs, i: Interaction) => Promise<void>,
  options: ViewOptions = {},
): (args: ViewArgs) => Promise<void> {
  return async (args) => {
    const errors = options.check?.(args);
    if (errors && Object.keys(errors).length > 0) {
      await args.ack({ response_action: 'errors', errors });
      return;
    }
    let acked = false;
    const ack: ViewArgs['ack'] = async (response) => {
      acked = true;
      await args.ack(response);
    };
    if (!options.acksItself) await ack();
    const target: ReplyTarget = { user: args.body.user.id };
    const channel = options.channel?.(args);
    if (channel) target.channel = channel;
    const running = interaction(deps, target, where, options.audit?.(args), { keepOriginal: true });
    await runListener(running, async () => {
      try {
        await run({ ...args, ack }, running.i);
      } finally {
        if (!acked) await ack();
      }
    });
  };
}
