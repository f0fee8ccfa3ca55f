/**
 * Block Kit for /secret: the reveal window (a modal only the asker sees, which hides itself),
 * the list and the help. Pure functions of data. Values only ever go into a reveal window's
 * blocks; its title and every message name the secret only.
 */
import { z } from 'zod';
import type { View } from '@slack/types';
import { UserError } from '../core/errors.js';
import type { HideSubject } from '../reveal/window-views.js';
import { windowActions, windowView } from '../reveal/window-views.js';
import {
  type Block,
  button,
  context,
  header,
  LIMITS,
  plainSection,
  type SlackMessage,
  section,
} from '../slack/block-kit.js';
import { codec } from '../slack/interaction-kit.js';
import { code, escapeMrkdwn, slackDate, splitEscaped } from '../slack/mrkdwn.js';
import { encodeEditButtonRef } from './edit-blocks.js';
import { secretListSections } from './search-blocks.js';
import { ACTION_EDIT_OPEN, ACTION_REVEAL_OPEN } from './ids.js';
import type { SecretField, SecretList, SecretRead } from './secret-reader.js';
import { plural } from '../core/text.js';

/** The reveal window's title. */
export const REVEAL_TITLE = 'Secret';

// Room left in a section for the field label and the ``` fences around a part.
const CHUNK = LIMITS.sectionText - 200;
// Longest field name shown (escaped); a longer one is cut so it can't push a section past Slack's limit.
const MAX_LABEL = 100;

function fieldLabel(key: string): string {
  const escaped = escapeMrkdwn(key);
  const shown = splitEscaped(escaped, MAX_LABEL)[0] ?? '';
  return `*${shown}${shown.length < escaped.length ? '…' : ''}*`;
}

/** One part of a long value, and whether the value goes on on the same line in the next part. */
export interface ValuePart {
  text: string;
  /** True when a line longer than a part had to be cut here: the next part continues it. */
  continuesLine: boolean;
}

/**
 * Splits a value into parts of at most `max` characters as shown (`measure`: escaped for
 * mrkdwn), at line boundaries, so each part is whole lines a person can copy on its own and a
 * PEM key's base64 lines are never cut. The line break between two parts belongs to neither:
 * the parts joined with "\n" are the value. Only a single line longer than `max` is cut, as
 * nothing else would fit; such a part is marked `continuesLine` (joined to the next with "").
 */
export function splitAtLines(text: string, max: number, measure: (s: string) => number): ValuePart[] {
  const parts: ValuePart[] = [];
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const joined = current === undefined ? line : `${current}\n${line}`;
    if (measure(joined) <= max) {
      current = joined;
      continue;
    }
    if (current !== undefined) parts.push({ text: current, continuesLine: false });
    current = line;
    while (measure(current) > max) {
      // The longest prefix that fits (a binary search: the measure grows with the prefix);
      // escaping is per part, so no entity is cut in half.
      const line = current;
      let lo = 1;
      let hi = Math.min(line.length, max);
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (measure(line.slice(0, mid)) <= max) lo = mid;
        else hi = mid - 1;
      }
      const cut = lo;
      parts.push({ text: current.slice(0, cut), continuesLine: true });
      current = current.slice(cut);
    }
  }
  parts.push({ text: current ?? '', continuesLine: false });
  return parts;
}

function fieldBlocks(field: SecretField, secretName: string): Block[] {
  const label = fieldLabel(field.key);
  if (field.hiddenSeed) {
    return [section(`${label}  _hidden: a 2FA seed. Use \`/totp ${escapeMrkdwn(secretName)}\` for a code._`)];
  }
  if (field.value === '') return [section(`${label}  _(empty)_`)];
  // A value holding ``` would end a code block early; plain text shows it exactly instead.
  if (field.value.includes('```')) {
    const parts = splitAtLines(field.value, CHUNK, (t) => t.length);
    return parts.flatMap((part, i) => [section(partLabel(label, i, parts)), plainSection(part.text)]);
  }
  const parts = splitAtLines(field.value, CHUNK, (t) => escapeMrkdwn(t).length);
  return parts.map((part, i) =>
    section(`${partLabel(label, i, parts)}\n\`\`\`${escapeMrkdwn(part.text)}\`\`\``),
  );
}

function partLabel(label: string, i: number, parts: ValuePart[]): string {
  if (parts.length === 1) return label;
  const next = parts[i]!.continuesLine ? ' · the line goes on in the next part' : '';
  return `${label} (part ${i + 1} of ${parts.length}: copy each part, in turn${next})`;
}

export interface RevealContext {
  roleName: string;
  ttlSeconds: number;
  /** The approver, for a guarded secret shown after an approval. */
  approvedBy?: string;
}

/**
 * The reveal window: the secret's fields, the role it was read under, when it hides, and
 * "Hide now" (and "Edit", unless it was an approved one-off). Throws too_large when the value
 * cannot fit a modal, because a half-shown credential is worse than a clear refusal.
 */
export function buildRevealView(secret: SecretRead, ctx: RevealContext): View {
  const extra = ctx.approvedBy ? [`approved by <@${ctx.approvedBy}>`] : [];
  const blocks = revealBlocks(
    secret,
    ctx.roleName,
    [...extra, `hides in ${ctx.ttlSeconds} s`],
    LIMITS.modalBlocks - 1,
  );
  const edit = button('Edit', ACTION_EDIT_OPEN, encodeEditButtonRef({ s: secret.name, r: ctx.roleName }));
  blocks.push(ctx.approvedBy ? windowActions() : windowActions(edit));
  return windowView(REVEAL_TITLE, blocks);
}

/** The header, the facts line and the fields; refuses what would pass `maxBlocks`. */
function revealBlocks(
  secret: SecretRead,
  roleName: string,
  extraFacts: string[],
  maxBlocks: number,
): Block[] {
  const facts = [`Read as role ${code(roleName)}`];
  if (secret.changedAt) facts.push(`changed ${slackDate(secret.changedAt)}`);
  if (secret.versionId) facts.push(`version ${code(secret.versionId.slice(0, 8))}`);
  facts.push(...extraFacts);
  const body = secret.fields.flatMap((f) => fieldBlocks(f, secret.name));
  const blocks: Block[] = [
    header(`🔑 ${secret.name}`),
    context(`${facts.join(' · ')} · only visible to you`),
    ...body,
  ];
  if (blocks.length > maxBlocks) {
    throw new UserError(
      'too_large',
      `\`${secret.name}\` is too large to show in Slack (${body.length} parts; Slack allows ${maxBlocks - 2}). Retrieve it with the AWS CLI or console.`,
    );
  }
  return blocks;
}

/** What a reveal window's hide says and audits: the canonical name, the role, the way back. */
export function revealHideSubject(secretName: string, role: { name: string; arn: string }): HideSubject {
  return {
    action: 'secret.hide',
    target: secretName,
    role,
    title: REVEAL_TITLE,
    again: `Run \`/secret get ${escapeMrkdwn(secretName)}\` to see it again.`,
  };
}

/** The fallback's "Open" button: names the secret and role, never a value. */
export function revealOpenButton(secretName: string, roleName: string | undefined) {
  return button(
    'Open',
    ACTION_REVEAL_OPEN,
    encodeRevealRef({ s: secretName, ...(roleName ? { r: roleName } : {}) }),
    'primary',
  );
}

/** What the "Open" button carries. */
export interface RevealRef {
  s: string;
  r?: string;
}

export function encodeRevealRef(ref: RevealRef): string {
  return JSON.stringify(ref);
}

const revealRef = codec(z.object({ s: z.string(), r: z.string().optional() }));

export function parseRevealRef(text: string): RevealRef | undefined {
  const ref = revealRef.decode(text);
  if (!ref) return undefined;
  return ref.r === undefined ? { s: ref.s } : { s: ref.s, r: ref.r };
}

export function buildListMessage(
  list: SecretList,
  roleName: string,
  prefix: string | undefined,
  limit: number,
): SlackMessage {
  const title = prefix ? `Secrets under ${code(prefix)}` : 'Secrets';
  if (list.items.length === 0) {
    return {
      text: 'No secrets found',
      blocks: [section(`${title} visible to role ${code(roleName)}: none found.`)],
    };
  }
  const shown = list.items.slice(0, limit);
  const sections = secretListSections(shown);
  const more = list.items.length - shown.length;
  const count = list.capped ? `${list.total}+` : String(list.total);
  const footer =
    more > 0 || list.capped
      ? `Showing ${shown.length} of ${count}. Narrow it with \`/secret list WORDS\`, e.g. \`/secret list 2ndline\`.`
      : `${plural(list.total, 'secret')}.`;
  return {
    text: plural(list.total, 'secret'),
    blocks: [section(`${title} visible to role ${code(roleName)}:`), ...sections, context(footer)],
  };
}

/**
 * `/secret help`: every subcommand (`commandLines`, from /secret's table in manifest.ts), and the
 * other commands (`/totp`, and `/rotate-key` where the config has a `rotation` section), so one
 * help finds them all.
 */
export function buildHelpMessage(
  commandLines: readonly string[],
  options: { rotation?: boolean } = {},
): SlackMessage {
  const usage = [
    '*locksmith: shared credentials from AWS Secrets Manager, read under your own IAM role*',
    ...commandLines,
    "`/totp NAME [FIELD] [--role ROLE]`: the current and next one-time password from a secret's 2FA seed (`2fa-seed`); the seed is never shown.",
    ...(options.rotation
      ? [
          "`/rotate-key USER [--role ROLE]`: rotate an IAM user's access key step by step, with an approval before the old key is deactivated and deleted; bare `/rotate-key` picks the user.",
          '`/rotate-key due [--role ROLE]`: the keys due for rotation, from IAM.',
        ]
      : []),
    'With several roles, the first is the default; pick another with `--role ROLE`.',
  ];
  return { text: 'locksmith /secret help', blocks: [section(usage.join('\n'))] };
}

/** An unknown first word: said, then the help. `word` is already made safe to quote. */
export function buildUnknownSubcommandMessage(word: string, help: SlackMessage): SlackMessage {
  return {
    ...help,
    blocks: [section(`:grey_question: Unknown subcommand \`${word}\`.`), ...help.blocks],
  };
}
