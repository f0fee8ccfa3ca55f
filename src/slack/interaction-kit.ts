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
 *   run, and turn any error into the coded-error reply (`reply-errors.ts`) delivered through
 *   the one fallback rule (`ephemeral-reply.ts`), which never re-sends a value.
 */
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { z } from 'zod';
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

/** What the wrappers hand the listener besides Bolt's arguments. */
export interface Interaction {
  /** An ephemeral reply to the person through the one fallback rule (`ephemeral-reply.ts`). */
  reply(message: SlackMessage, options?: Omit<ReplyOptions, 'where'>): Promise<ReplyOutcome>;
  /** Where the reply goes (response_url, channel, user). */
  target: ReplyTarget;
}

function interaction(deps: ReplyDeps, target: ReplyTarget, where: string): Interaction {
  return {
    target,
    reply: (message, options) => replyEphemeral(deps, target, message, { ...options, where }),
  };
}

/** Answers an error: the coded-error reply (logged, with its incident ref), delivered. */
async function answerError(deps: ReplyDeps, i: Interaction, where: string, err: unknown): Promise<void> {
  await i.reply(errorReply(err, deps.logger, where).message);
}

/** A slash command listener: ack, run, and any error answered to the person. */
export function onCommand(
  deps: ReplyDeps,
  where: string,
  run: (args: CommandArgs, i: Interaction) => Promise<void>,
): (args: CommandArgs) => Promise<void> {
  return async (args) => {
    await args.ack();
    const { command } = args;
    const i = interaction(
      deps,
      { responseUrl: command.response_url, channel: command.channel_id, user: command.user_id },
      where,
    );
    try {
      await run(args, i);
    } catch (err) {
      await answerError(deps, i, where, err);
    }
  };
}

/** The reply places of a click: its response_url (none from the App Home), channel, clicker. */
export function buttonTarget(body: ButtonArgs['body']): ReplyTarget {
  const target: ReplyTarget = { user: body.user.id };
  if (body.response_url) target.responseUrl = body.response_url;
  if (body.channel?.id) target.channel = body.channel.id;
  return target;
}

/** A button listener: ack, run, and any error answered to the clicker. */
export function onButton(
  deps: ReplyDeps,
  where: string,
  run: (args: ButtonArgs, i: Interaction) => Promise<void>,
): (args: ButtonArgs) => Promise<void> {
  return async (args) => {
    await args.ack();
    const i = interaction(deps, buttonTarget(args.body), where);
    try {
      await run(args, i);
    } catch (err) {
      await answerError(deps, i, where, err);
    }
  };
}

/** A submission's errors by block id, shown in the form (`response_action: 'errors'`). */
export type FormErrors = Record<string, string>;

/**
 * A modal submission listener. `check` runs first and may keep the form open with errors
 * (Slack takes those only in the ack); otherwise ack closes the form, then `run`. A
 * submission has no response_url: errors are answered in `channel` (when the form knows the
 * one it came from), else by DM.
 */
export function onView(
  deps: ReplyDeps,
  where: string,
  run: (args: ViewArgs, i: Interaction) => Promise<void>,
  options: {
    check?: (args: ViewArgs) => FormErrors | undefined;
    channel?: (args: ViewArgs) => string | undefined;
  } = {},
): (args: ViewArgs) => Promise<void> {
  return async (args) => {
    const errors = options.check?.(args);
    if (errors && Object.keys(errors).length > 0) {
      await args.ack({ response_action: 'errors', errors });
      return;
    }
    await args.ack();
    const target: ReplyTarget = { user: args.body.user.id };
    const channel = options.channel?.(args);
    if (channel) target.channel = channel;
    const i = interaction(deps, target, where);
    try {
      await run(args, i);
    } catch (err) {
      await answerError(deps, i, where, err);
    }
  };
}
