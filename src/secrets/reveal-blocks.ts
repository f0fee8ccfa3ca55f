/**
 * Block Kit for /secret replies. Pure functions of data. Values only ever go into the blocks
 * of an ephemeral reply; the message's `text` (shown in notifications) names the secret only.
 */
import type { View } from '@slack/types';
import { UserError } from '../errors.js';
import {
  actions,
  type Block,
  button,
  context,
  header,
  LIMITS,
  plainSection,
  type SlackMessage,
  section,
} from '../slack/block-kit.js';
import { code, escapeMrkdwn, slackDate, splitEscaped } from '../slack/mrkdwn.js';
import { encodeEditButtonRef } from './edit-blocks.js';
import { ACTION_EDIT_OPEN, ACTION_HIDE, BLOCK_REVEAL_ACTIONS } from './ids.js';
import type { SecretField, SecretList, SecretRead } from './secret-reader.js';
import { plural } from '../text.js';

// Room left in a section for the field label and the ``` fences around a chunk.
const CHUNK = LIMITS.sectionText - 200;
// Longest field name shown (escaped); a longer one is cut so it can't push a section past Slack's limit.
const MAX_LABEL = 100;

function fieldLabel(key: string): string {
  const escaped = escapeMrkdwn(key);
  const shown = splitEscaped(escaped, MAX_LABEL)[0] ?? '';
  return `*${shown}${shown.length < escaped.length ? '…' : ''}*`;
}

function fieldBlocks(field: SecretField, secretName: string): Block[] {
  const label = fieldLabel(field.key);
  if (field.hiddenSeed) {
    return [section(`${label}  _hidden: a 2FA seed. Use \`/totp ${escapeMrkdwn(secretName)}\` for a code._`)];
  }
  if (field.value === '') return [section(`${label}  _(empty)_`)];
  // A value holding ``` would end a code block early; plain text shows it exactly instead.
  if (field.value.includes('```')) {
    const parts = chunkPlain(field.value, CHUNK);
    return parts.flatMap((part, i) => [section(partLabel(label, i, parts.length)), plainSection(part)]);
  }
  const parts = splitEscaped(escapeMrkdwn(field.value), CHUNK);
  return parts.map((part, i) => section(`${partLabel(label, i, parts.length)}\n\`\`\`${part}\`\`\``));
}

function partLabel(label: string, i: number, n: number): string {
  return n === 1 ? label : `${label} (part ${i + 1} of ${n}: copy each part)`;
}

function chunkPlain(text: string, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += max) out.push(text.slice(i, i + max));
  return out;
}

export interface RevealContext {
  roleName: string;
  ttlSeconds: number;
  revealId: string;
}

/**
 * The ephemeral reveal. Throws too_large when the value can't fit Slack's 50-block limit,
 * because a half-shown credential is worse than a clear refusal.
 */
export function buildRevealMessage(secret: SecretRead, ctx: RevealContext): SlackMessage {
  const blocks = revealBlocks(
    secret,
    ctx.roleName,
    [`hides in ${ctx.ttlSeconds} s`],
    LIMITS.messageBlocks - 1,
  );
  blocks.push(
    actions(
      BLOCK_REVEAL_ACTIONS,
      button('Hide now', ACTION_HIDE, ctx.revealId),
      button('Edit', ACTION_EDIT_OPEN, encodeEditButtonRef({ s: secret.name, r: ctx.roleName })),
    ),
  );
  return { text: `Secret ${secret.name} (only visible to you)`, blocks };
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

/** An approved reveal: the same content in a modal, which only the requester sees. */
export function buildRevealView(secret: SecretRead, roleName: string, approvedBy: string | undefined): View {
  const extra = approvedBy ? [`approved by <@${approvedBy}>`] : [];
  return {
    type: 'modal',
    callback_id: 'secret_reveal_view',
    title: { type: 'plain_text', text: 'Secret' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: revealBlocks(secret, roleName, [...extra, 'close this window when done'], LIMITS.modalBlocks),
  };
}

/** What replaces a reveal once it hides itself or "Hide now" is pressed. */
export function buildHiddenMessage(
  secretName: string,
  reason: 'expired' | 'hidden' | 'shutdown',
): SlackMessage {
  const why =
    reason === 'expired'
      ? 'hid itself'
      : reason === 'hidden'
        ? 'was hidden'
        : 'was hidden because locksmith restarted';
  return {
    text: `Secret ${secretName} hidden`,
    blocks: [
      section(
        `:lock: ${code(secretName)} ${why}. Run \`/secret get ${escapeMrkdwn(secretName)}\` to see it again.`,
      ),
    ],
  };
}

/**
 * What the person gets when a reveal could not be delivered through its response_url: the
 * value is not re-sent another way (it could not hide itself), so they are asked to run the
 * command again.
 */
export function buildUndeliveredRevealMessage(secretName: string): SlackMessage {
  return {
    text: `Secret ${secretName} could not be shown`,
    blocks: [
      section(
        `:warning: locksmith read ${code(secretName)} for you, but Slack refused the reply (its link had expired or was used up), so it is not shown. Run \`/secret get ${escapeMrkdwn(secretName)}\` again.`,
      ),
    ],
  };
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
  const lines = shown.map((s) => {
    const parts = [`• ${code(s.name)}`];
    if (s.description) parts.push(escapeMrkdwn(s.description.slice(0, 120)));
    if (s.changedAt) parts.push(`_changed ${slackDate(s.changedAt, '{date_short}')}_`);
    return parts.join(' · ');
  });
  const sections: Block[] = [];
  let current = '';
  for (const line of lines) {
    if (current.length + line.length + 1 > LIMITS.sectionText - 100) {
      sections.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) sections.push(section(current));
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
 * `/secret help`: every subcommand, and the other commands (`/totp`, and `/rotate-key` where the
 * config has a `rotation` section), so one help finds them all.
 */
export function buildHelpMessage(ttlSeconds: number, options: { rotation?: boolean } = {}): SlackMessage {
  const usage = [
    '*locksmith: shared credentials from AWS Secrets Manager, read under your own IAM role*',
    '`/secret get NAME [--role ROLE]`: show a secret only to you; it hides itself after ' +
      `${ttlSeconds} s.`,
    '`/secret list [WORDS] [--role ROLE]`: find the secrets your role can see by name, description or tags, as the console searches (`/secret list fastly`); no value is read. `ssm:/PATH` lists parameters.',
    '`/secret edit NAME [--role ROLE]`: change or add fields in a form (a field left empty keeps its value); ' +
      'saves a new version you can undo. A reveal has an *Edit* button too.',
    '`/secret who NAME [--days N] [--role ROLE]`: who read or changed a secret, from CloudTrail (default 30 days, at most 90).',
    '`/secret help`: this help.',
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
