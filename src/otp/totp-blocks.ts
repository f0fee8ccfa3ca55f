/**
 * Block Kit for /totp replies. Pure functions of data. Codes only ever go into the blocks of an
 * ephemeral reply; the message's `text` (shown in notifications) names the secret only, and
 * button values carry the secret's name, the field and the role name: never a seed or a code.
 */
import {
  actions,
  type Block,
  button,
  context,
  header,
  LIMITS,
  type SlackMessage,
  section,
} from '../slack/block-kit.js';
import { code, escapeMrkdwn } from '../slack/mrkdwn.js';
import { groupDigits, type TotpCodes } from './codes.js';
import {
  ACTION_REFRESH,
  BLOCK_CODES_ACTIONS_PREFIX,
  BLOCK_PICK_ACTIONS_PREFIX,
  pickActionId,
} from './ids.js';

/** What a /totp button asks for again when clicked: which seed, read under which role. */
export interface TotpTarget {
  secretName: string;
  /** The field holding the seed; undefined when the whole secret is the seed. */
  field?: string;
  roleName?: string;
}

/** What a hidden /totp message names, so the person knows what to run again. */
export interface HiddenTotp {
  secretName: string;
  field?: string;
}

/** Slack shows at most this many characters on a button. */
const BUTTON_TEXT = 75;
/** Slack allows at most this many elements in one actions block. */
const ACTIONS_PER_BLOCK = 25;
/** Pick buttons beyond this are left out (the text still names every field). */
const MAX_PICK_BUTTONS = 40;

/** A button value: short keys, so long secret names still fit Slack's 2000 characters. */
export function encodeTarget(target: TotpTarget): string {
  const value: Record<string, string> = { s: target.secretName };
  if (target.field !== undefined) value['f'] = target.field;
  if (target.roleName !== undefined) value['r'] = target.roleName;
  return JSON.stringify(value);
}

/** Reads a button value back; undefined for anything that is not one of ours. */
export function decodeTarget(value: string | undefined): TotpTarget | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { s, f, r } = parsed as Record<string, unknown>;
  if (typeof s !== 'string' || s === '') return undefined;
  if (f !== undefined && typeof f !== 'string') return undefined;
  if (r !== undefined && typeof r !== 'string') return undefined;
  const target: TotpTarget = { secretName: s };
  if (f !== undefined) target.field = f;
  if (r !== undefined) target.roleName = r;
  return target;
}

/** The block_id of a codes message's actions: `totp_codes:<messageId>:<iteration>`. */
export function codesBlockId(messageId: string, iteration: string): string {
  return `${BLOCK_CODES_ACTIONS_PREFIX}${messageId}:${iteration}`;
}

/** The message id inside a codes message's block_id; undefined for any other block. */
export function messageIdFromBlockId(blockId: string | undefined): string | undefined {
  if (!blockId?.startsWith(BLOCK_CODES_ACTIONS_PREFIX)) return undefined;
  const id = blockId.slice(BLOCK_CODES_ACTIONS_PREFIX.length).split(':')[0];
  return id ? id : undefined;
}

/** `/totp NAME FIELD` as a person would type it, for hints. */
function commandFor(target: HiddenTotp): string {
  const field = target.field === undefined ? '' : ` ${target.field}`;
  return '`/totp ' + escapeMrkdwn(`${target.secretName}${field}`.replace(/`/g, "'")) + '`';
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface CodesContext {
  secretName: string;
  field: string | undefined;
  roleName: string;
  /** From the seed's URI; shown so the person can tell which account the code is for. */
  issuer?: string;
  account?: string;
  codes: TotpCodes;
  /** Seconds until the message hides itself (when the next code's period ends). */
  hidesInSeconds: number;
  /** Stable across refreshes of one message; see {@link codesBlockId}. */
  messageId: string;
  /** Changes on every refresh. */
  iteration: string;
}

/**
 * The ephemeral codes message. Block Kit has no text that is both large and monospace: the
 * grouped code goes in a header (large), and the ungrouped code in a code block (monospace,
 * one click to select and copy, no space to break a login form).
 */
export function buildCodesMessage(ctx: CodesContext): SlackMessage {
  const { codes } = ctx;
  const who = [
    ctx.issuer ? `*${escapeMrkdwn(ctx.issuer)}*` : undefined,
    ctx.account ? escapeMrkdwn(ctx.account) : undefined,
  ].filter((x): x is string => x !== undefined);
  const source =
    ctx.field === undefined ? code(ctx.secretName) : `${code(ctx.secretName)} › ${code(ctx.field)}`;
  const facts = [
    `*${codes.secondsLeft} s* left`,
    `next code ${code(groupDigits(codes.next))}`,
    `read as role ${code(ctx.roleName)}`,
    'only visible to you',
    `hides in ${ctx.hidesInSeconds} s`,
  ];
  const blocks: Block[] = [
    section(who.length > 0 ? `:key: ${who.join(' · ')}  (${source})` : `:key: ${source}`),
    header(groupDigits(codes.current)),
    section('```' + codes.current + '```'),
    context(facts.join(' · ')),
  ];
  const value = encodeTarget({ secretName: ctx.secretName, field: ctx.field, roleName: ctx.roleName });
  // A field name too long for a button value loses only the button: /totp NAME FIELD still works.
  if (value.length <= LIMITS.buttonValue) {
    blocks.push(
      actions(codesBlockId(ctx.messageId, ctx.iteration), button('Refresh', ACTION_REFRESH, value)),
    );
  }
  return { text: `One-time password for ${ctx.secretName} (only visible to you)`, blocks };
}

/** The reply when a secret holds several seeds: one button per seed field. */
export function buildPickMessage(secretName: string, fields: string[], roleName: string): SlackMessage {
  const buttons = fields
    .map((field, i) => ({ i, field, value: encodeTarget({ secretName, field, roleName }) }))
    .filter((b) => b.value.length <= LIMITS.buttonValue)
    .slice(0, MAX_PICK_BUTTONS)
    .map((b) => button(truncate(b.field, BUTTON_TEXT), pickActionId(b.i), b.value));
  const rows: Block[] = [];
  for (let i = 0; i < buttons.length; i += ACTIONS_PER_BLOCK) {
    rows.push(actions(`${BLOCK_PICK_ACTIONS_PREFIX}${i}`, ...buttons.slice(i, i + ACTIONS_PER_BLOCK)));
  }
  const names = fields.map((f) => code(f)).join(', ');
  const intro =
    `${code(secretName)} holds ${fields.length} 2FA seeds: ${names}. Pick one, or run ` +
    `\`/totp ${escapeMrkdwn(secretName)} FIELD\`.`;
  return {
    text: `${secretName} holds several 2FA seeds`,
    blocks: [
      section(truncate(intro, LIMITS.sectionText)),
      ...rows,
      context(`Read as role ${code(roleName)} · only visible to you`),
    ],
  };
}

/** What replaces a codes message once its codes have expired (or locksmith restarts). */
export function buildHiddenCodesMessage(target: HiddenTotp, reason: 'expired' | 'shutdown'): SlackMessage {
  const why =
    reason === 'expired' ? 'have expired and were hidden' : 'were hidden because locksmith restarted';
  return {
    text: `One-time password for ${target.secretName} hidden`,
    blocks: [
      section(
        `:lock: The codes for ${code(target.secretName)} ${why}. Run ${commandFor(target)} for new ones.`,
      ),
    ],
  };
}

/**
 * What the person gets when the codes could not be delivered through the response_url: codes
 * are not re-sent another way (they could not hide themselves), so they are asked to run it again.
 */
export function buildUndeliveredCodesMessage(secretName: string): SlackMessage {
  return {
    text: `One-time password for ${secretName} could not be shown`,
    blocks: [
      section(
        `:warning: Slack refused the reply with the codes for ${code(secretName)} (its link had expired or was used up), so they are not shown. Run \`/totp ${escapeMrkdwn(secretName)}\` again.`,
      ),
    ],
  };
}

/** Usage of /totp. */
export function buildTotpHelpMessage(seedFields: readonly string[]): SlackMessage {
  const named = seedFields.map((f) => code(f)).join(' or ');
  const usage = [
    '*/totp: one-time passwords from 2FA seeds kept in AWS Secrets Manager, read under your own IAM role*',
    '`/totp NAME [--role ROLE]`: the current code, the next one and the seconds left, only to you. ' +
      'It hides itself when the next code expires; "Refresh" shows new codes in its place.',
    '`/totp NAME FIELD [--role ROLE]`: when the secret holds several seeds, the one in FIELD.',
    '`/totp help`: this help.',
    `The seed is never shown. It is read from a field named ${named || 'in `otp.seed_fields`'}, else from ` +
      'any field holding an `otpauth://totp/...` link, or from a secret that is just such a link.',
    'With several roles, the first is the default; pick another with `--role ROLE`.',
  ];
  return { text: 'locksmith /totp help', blocks: [section(usage.join('\n'))] };
}
