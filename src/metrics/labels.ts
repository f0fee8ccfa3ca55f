/**
 * Label values for Slack requests. Prometheus keeps one time series per distinct label set, and
 * anything that reaches a label is exported to whoever can scrape /metrics, so every value here
 * comes from a fixed set the code knows: a command and its subcommand word, an action id or a
 * callback id the bot itself defines. Anything else (a secret name typed after a command, a
 * forged action id, a user id) becomes `other` and never reaches a label.
 */
import * as approvalIds from '../approvals/ids.js';
import * as homeIds from '../home/ids.js';
import * as otpIds from '../otp/ids.js';
import * as revealIds from '../reveal/ids.js';
import * as rotationIds from '../rotation/slack/ids.js';
import { SMTP_ACTIONS } from '../rotation/slack/smtp-blocks.js';
import * as secretIds from '../secrets/ids.js';
import { USER_EVENTS } from '../slack/user-events.js';

/** What kind of Slack request a name belongs to. */
export type RequestKind =
  'command' | 'action' | 'view_submission' | 'view_closed' | 'options' | 'event' | 'other';

/** The label for anything outside the known sets. */
export const OTHER = 'other';

/** Subcommand words that are part of a command's label; any other word is someone's input. */
const SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  [secretIds.COMMAND_SECRET]: ['get', 'list', 'edit', 'who', 'help'],
  [otpIds.COMMAND_TOTP]: [],
  // `/rotate-key USER` names an IAM user: only the fixed words are kept.
  [rotationIds.COMMAND_ROTATE_KEY]: ['due', 'help'],
};

/**
 * Every id string the features define (action, callback, block and input ids), taken from each
 * feature's ids file so a renamed id cannot silently fall out of the set. Wider than the ids a
 * request can carry, but fixed: a forged id can at most be counted as one of these.
 */
const KNOWN_IDS: ReadonlySet<string> = new Set(
  [approvalIds, homeIds, otpIds, revealIds, rotationIds, secretIds]
    .flatMap((ids) => Object.values(ids))
    .filter((v): v is string => typeof v === 'string')
    .concat(SMTP_ACTIONS),
);

/** Slack event types the bot listens to. */
const KNOWN_EVENTS: ReadonlySet<string> = new Set(['app_home_opened', ...USER_EVENTS]);

/**
 * `/secret get`, `/totp`, `/rotate-key due`: the command, plus its first word when that word is
 * one of the command's fixed subcommands; `/secret unknown` for another word after `/secret`.
 */
export function commandLabel(command: unknown, text: unknown): string {
  if (typeof command !== 'string' || !Object.hasOwn(SUBCOMMANDS, command)) return OTHER;
  const subcommands = SUBCOMMANDS[command]!;
  if (subcommands.length === 0) return command;
  const first = typeof text === 'string' ? text.trim().split(/\s+/, 1)[0]!.toLowerCase() : '';
  if (subcommands.includes(first)) return `${command} ${first}`;
  // Bare /secret shows help; other words after /secret are an unknown subcommand.
  if (command === secretIds.COMMAND_SECRET) return first === '' ? `${command} help` : `${command} unknown`;
  return command;
}

/**
 * An action id or view callback id as a label. Buttons repeated per item carry `:<n>` (or, for
 * /totp's seed picker, `:<n>` after a prefix ending in a colon); the index is dropped.
 */
export function interactionLabel(id: unknown): string {
  if (typeof id !== 'string') return OTHER;
  if (KNOWN_IDS.has(id)) return id;
  const m = /^([a-z_]+):\d+$/.exec(id);
  if (m) {
    if (KNOWN_IDS.has(m[1]!)) return m[1]!;
    if (KNOWN_IDS.has(`${m[1]!}:`)) return m[1]!;
  }
  return OTHER;
}

/** A Slack event type as a label. */
export function eventLabel(type: unknown): string {
  return typeof type === 'string' && KNOWN_EVENTS.has(type) ? type : OTHER;
}

interface RequestBody {
  type?: unknown;
  command?: unknown;
  text?: unknown;
  actions?: { action_id?: unknown }[];
  action_id?: unknown;
  view?: { callback_id?: unknown };
  event?: { type?: unknown };
}

/** The kind and name labels of one Slack request body, as Bolt hands it to middleware. */
export function requestLabels(body: unknown): { kind: RequestKind; name: string } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as RequestBody;
  if (typeof b.command === 'string') return { kind: 'command', name: commandLabel(b.command, b.text) };
  switch (b.type) {
    case 'block_actions':
      return { kind: 'action', name: interactionLabel(b.actions?.[0]?.action_id) };
    case 'view_submission':
      return { kind: 'view_submission', name: interactionLabel(b.view?.callback_id) };
    case 'view_closed':
      return { kind: 'view_closed', name: interactionLabel(b.view?.callback_id) };
    case 'block_suggestion':
      return { kind: 'options', name: interactionLabel(b.action_id) };
    case 'event_callback':
      return { kind: 'event', name: eventLabel(b.event?.type) };
    default:
      return { kind: 'other', name: OTHER };
  }
}
