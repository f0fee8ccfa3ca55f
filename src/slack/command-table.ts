/**
 * Slash commands as tables (issue 15): a command is its sub-commands, each with its usage, its
 * line of help, the words and options it takes and what it runs. One listener parses the text,
 * picks the sub-command by its first word, refuses a missing or extra word or an option that goes
 * with another sub-command (the usage in the refusal comes from the table), runs it and delivers
 * the reply through the kit (`onCommand`: ack first, coded-error replies, the one fallback rule).
 * The metrics labels (`commandManifestOf`) and the help lines come from the same table, so adding
 * a sub-command is its domain code, its entry in the feature's manifest and its block builder.
 */
import type { WebClient } from '@slack/web-api';
import type { CommandManifest } from '../core/manifest.js';
import { UserError } from '../core/errors.js';
import type { SlackMessage } from './block-kit.js';
import { parseCommandText } from './command-text.js';
import type { ReplyDeps } from './ephemeral-reply.js';
import { type CommandArgs, onCommand } from './interaction-kit.js';

/** What a sub-command is handed: the command as Slack sent it, and its parsed text. */
export interface CommandRequest {
  /** Slack's payload: user_id, team_id, channel_id, trigger_id, response_url. */
  command: CommandArgs['command'];
  client: WebClient;
  /** The first word as typed (the sub-command's name, or the word `other` answers). */
  word: string | undefined;
  /** The words after the first. */
  args: readonly string[];
  /** `--flag value` options, already checked against what the sub-command takes. */
  flags: Readonly<Record<string, string>>;
  /** The command's help lines (one per sub-command), for a help reply. */
  help: readonly string[];
}

/** What a sub-command answers: a reply, or undefined when it opened a modal instead. */
export type CommandReply = Promise<SlackMessage | undefined>;

export interface Subcommand<D> {
  /** Its usage after the command, as help and refusals show it: `get NAME [--role ROLE]` ('' for the bare command). */
  usage: string;
  /** Its line in the command's help (after the usage); a function when it depends on config. */
  help?: string | ((deps: D) => string);
  /**
   * The words it takes after its name: `none`, `one` (a name; missing → `missing`, extra →
   * "Too many words"), `optional` (at most one), `any` (free text, e.g. search words).
   */
  words: 'none' | 'one' | 'optional' | 'any';
  /** The question when its one word is missing: `Which secret?`. */
  missing?: string;
  /** Options it takes besides the command's own (`days` for `who`). */
  flags?: readonly string[];
  run(deps: D, request: CommandRequest): CommandReply;
}

export interface CommandTable<D> {
  /** `/secret` */
  command: string;
  /** Options every sub-command takes (`role`). */
  flags: readonly string[];
  /** In the order help lists them. */
  subcommands: Readonly<Record<string, Subcommand<D>>>;
  /** The bare command: a sub-command's name (`help`), or its own entry. */
  bare: string | (Subcommand<D> & { label?: string });
  /**
   * Any other first word: a name (`/rotate-key USER`) or an unknown sub-command. `label` is its
   * metrics label word (`unknown`); none counts it under the command alone.
   */
  other: Subcommand<D> & { label?: string };
}

/** The command's metrics labels (metrics/labels.ts), from the table. */
export function commandManifestOf<D>(table: CommandTable<D>): CommandManifest {
  const bareLabel = typeof table.bare === 'string' ? table.bare : table.bare.label;
  return {
    command: table.command,
    subcommands: Object.keys(table.subcommands),
    ...(bareLabel !== undefined ? { bare: bareLabel } : {}),
    ...(table.other.label !== undefined ? { other: table.other.label } : {}),
  };
}

/**
 * The help lines of the table, `` `/secret get NAME`: … ``: `other` and `bare` first when they
 * have help of their own (`/rotate-key USER`, bare `/rotate-key`), then the sub-commands in order.
 */
export function helpLines<D>(table: CommandTable<D>, context: D): string[] {
  const bare = typeof table.bare === 'string' ? undefined : table.bare;
  return [table.other, bare, ...Object.values(table.subcommands)].flatMap((sub) => {
    const help = typeof sub?.help === 'function' ? sub.help(context) : sub?.help;
    if (!sub || help === undefined) return [];
    return [`\`${[table.command, sub.usage].filter(Boolean).join(' ')}\`: ${help}`];
  });
}

/** The sub-command `text` names, with its first word and the rest. */
function pick<D>(
  table: CommandTable<D>,
  words: readonly string[],
): { sub: Subcommand<D>; word: string | undefined; args: readonly string[] } {
  const [first, ...rest] = words;
  if (first === undefined) {
    const sub = typeof table.bare === 'string' ? table.subcommands[table.bare] : table.bare;
    if (!sub) throw new Error(`${table.command}: bare names no sub-command`);
    return { sub, word: undefined, args: [] };
  }
  const named = Object.hasOwn(table.subcommands, first.toLowerCase())
    ? table.subcommands[first.toLowerCase()]
    : undefined;
  return named ? { sub: named, word: first, args: rest } : { sub: table.other, word: first, args: rest };
}

/**
 * Parses `text` against the table and refuses, with the usage, what the chosen sub-command does
 * not take. Exported for unit tests; the listener is {@link commandListener}.
 */
export function parseRequest<D>(
  table: CommandTable<D>,
  text: string,
): { sub: Subcommand<D>; word: string | undefined; args: readonly string[]; flags: Record<string, string> } {
  const allFlags = [
    ...new Set([...table.flags, ...Object.values(table.subcommands).flatMap((s) => s.flags ?? [])]),
  ];
  const { args: words, flags } = parseCommandText(text, allFlags);
  const { sub, word, args } = pick(table, words);
  const usage = `Usage: \`${table.command} ${sub.usage}\`.`;
  for (const flag of Object.keys(flags)) {
    if (table.flags.includes(flag) || sub.flags?.includes(flag)) continue;
    const takers = Object.entries(table.subcommands)
      .filter(([, s]) => s.flags?.includes(flag))
      .map(([name]) => `\`${table.command} ${name}\``);
    throw new UserError('bad_command', `\`--${flag}\` goes with ${takers.join(' or ')} only.`);
  }
  if (sub.words === 'one' && args.length === 0)
    throw new UserError('bad_command', `${sub.missing ?? 'Which one?'} ${usage}`);
  const most = { none: 0, one: 1, optional: 1, any: Infinity }[sub.words];
  if (args.length > most) throw new UserError('bad_command', `Too many words. ${usage}`);
  return { sub, word, args, flags };
}

/**
 * The listener of a command table: ack, parse, run the sub-command with `context` (what its runs
 * need: the app's deps, or more), reply (or not, for a modal). Errors become the coded-error reply.
 */
export function commandListener<D>(
  deps: ReplyDeps,
  table: CommandTable<D>,
  context: D,
): (args: CommandArgs) => Promise<void> {
  return onCommand(deps, table.command, async ({ command, client }, i) => {
    const { sub, word, args, flags } = parseRequest(table, command.text);
    const request = { command, client, word, args, flags, help: helpLines(table, context) };
    const message = await sub.run(context, request);
    if (message) await i.reply(message);
  });
}
