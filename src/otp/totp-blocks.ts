/**
 * Block Kit for /totp. Pure functions of data. Codes only ever go into a reveal window's blocks
 * (a modal only the asker sees, which hides itself); messages and window titles name the
 * secret only, and button values carry the secret's name, the field and the role name: never
 * a seed or a code.
 */
import type { View } from '@slack/types';
import { z } from 'zod';
import type { HideSubject } from '../reveal/window-views.js';
import { windowActions, windowView } from '../reveal/window-views.js';
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
import { codec } from '../slack/interaction-kit.js';
import { groupDigits, type TotpCodes } from './codes.js';
import { ACTION_REFRESH, ACTION_TOTP_OPEN, BLOCK_PICK_ACTIONS_PREFIX, pickActionId } from './ids.js';

/** The codes window's title. */
export const CODES_TITLE = 'One-time password';

/** What a /totp button asks for again when clicked: which seed, read under which role. */
export interface TotpTarget {
  secretName: string;
  /** The field holding the seed; undefined when the whole secret is the seed. */
  field?: string;
  roleName?: string;
}

/** What a hidden codes window names, so the person knows what to run again. */
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

/** A /totp button's value as Slack carries it (short keys: see {@link encodeTarget}). */
const targetValue = codec(
  z.object({ s: z.string().min(1), f: z.string().optional(), r: z.string().optional() }),
);

/** Reads a button value back; undefined for anything that is not one of ours. */
export function decodeTarget(value: string | undefined): TotpTarget | undefined {
  const v = targetValue.decode(value);
  if (!v) return undefined;
  const target: TotpTarget = { secretName: v.s };
  if (v.f !== undefined) target.field = v.f;
  if (v.r !== undefined) target.roleName = v.r;
  return target;
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
  /** Seconds until the window hides itself (when the next code's period ends). */
  hidesInSeconds: number;
  /** False for an approved one-off: the person asks again instead of refreshing. */
  refresh?: boolean;
}

/**
 * The codes window. Block Kit has no text that is both large and monospace: the grouped code
 * goes in a header (large), and the ungrouped code in a code block (monospace, one click to
 * select and copy, no space to break a login form).
 */
export function buildCodesView(ctx: CodesContext): View {
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
  const refresh = ctx.refresh !== false && value.length <= LIMITS.buttonValue;
  blocks.push(refresh ? windowActions(button('Refresh', ACTION_REFRESH, value)) : windowActions());
  return windowView(CODES_TITLE, blocks);
}

/** The window when a secret holds several seeds: one button per seed field. No code yet. */
export function buildPickView(secretName: string, fields: string[], roleName: string): View {
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
  return windowView(CODES_TITLE, [
    section(truncate(intro, LIMITS.sectionText)),
    ...rows,
    context(`Read as role ${code(roleName)} · only visible to you`),
  ]);
}

/** What a codes window's hide says and audits. */
export function codesHideSubject(target: HiddenTotp, role: { name: string; arn: string }): HideSubject {
  const subject: HideSubject = {
    action: 'otp.hide',
    target: target.secretName,
    role,
    title: CODES_TITLE,
    again: `Run ${commandFor(target)} for new codes.`,
  };
  if (target.field !== undefined) subject.field = target.field;
  return subject;
}

/** The fallback's "Open" button (when Slack would not open the window): no code, no seed. */
export function codesOpenButton(target: TotpTarget) {
  return button('Open', ACTION_TOTP_OPEN, encodeTarget(target), 'primary');
}

/** Usage of /totp. */
export function buildTotpHelpMessage(seedFields: readonly string[]): SlackMessage {
  const named = seedFields.map((f) => code(f)).join(' or ');
  const usage = [
    '*/totp: one-time passwords from 2FA seeds kept in AWS Secrets Manager, read under your own IAM role*',
    '`/totp NAME [--role ROLE]`: the current code, the next one and the seconds left, in a window only you see. ' +
      'It hides itself when the next code expires; "Refresh" shows new codes in its place.',
    '`/totp NAME FIELD [--role ROLE]`: when the secret holds several seeds, the one in FIELD.',
    '`/totp help`: this help.',
    `The seed is never shown. It is read from a field named ${named || 'in `otp.seed_fields`'}, else from ` +
      'any field holding an `otpauth://totp/...` link, or from a secret that is just such a link.',
    'With several roles, the first is the default; pick another with `--role ROLE`.',
  ];
  return { text: 'locksmith /totp help', blocks: [section(usage.join('\n'))] };
}
