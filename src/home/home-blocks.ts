/**
 * Block Kit for locksmith's App Home tab: the person's roles, their open approval requests and
 * the requests they may decide. Pure functions of data; everything that came from a person or
 * the store is escaped, and every list is capped so the view stays under Slack's 100 blocks.
 * Nothing here is ever a secret value: names, ids, roles and states only.
 */
import type { HomeView } from '@slack/types';
import { type Approval, describeKind } from '../approvals/approval.js';
import { ACTION_APPROVE, ACTION_REJECT } from '../approvals/ids.js';
import type { RoleGrant } from '../identity/access.js';
import { actions, type Block, button, context, header, LIMITS, section } from '../slack/block-kit.js';
import { code, escapeMrkdwn, slackDate } from '../slack/mrkdwn.js';
import { BLOCK_HOME_DECISION, VIEW_HOME } from './ids.js';

/** How many items of each list the Home shows before "and N more". */
export const HOME_CAPS = { roles: 20, mine: 10, toDecide: 15, rotations: 10 } as const;

/** Which roles the person may use, or the sentence that says why they may use none. */
export type HomeAccess = { ok: true; roles: RoleGrant[] } | { ok: false; message: string };

export interface HomeApprovals {
  /** The approvals channel, where requests are posted. */
  channel: string;
  /** The person's own pending requests. */
  mine: Approval[];
  /** Other people's pending requests; undefined when the person is not an approver now. */
  toDecide?: Approval[];
}

/** One of the person's key rotations in progress (a store record of kind 'rotation', not final). */
export interface HomeRotation {
  /** The IAM user whose key is rotated. */
  userName: string;
  role: { name: string; arn: string };
  /** The workflow state, e.g. `switch-over`. */
  state: string;
  /** Epoch ms the rotation started. */
  startedAt: number;
  /** The status message in the person's DM with locksmith, when known. */
  message?: { channel: string; ts: string };
  /** The team, for the link to the DM. */
  teamId?: string;
}

export interface HomeModel {
  userId: string;
  access: HomeAccess;
  /** Absent when config has no `approvals` section (or the person can't take part). */
  approvals?: HomeApprovals;
  /** The person's key rotations in progress, newest first; absent without a `rotation` section. */
  rotations?: HomeRotation[];
  /** How long a revealed secret stays visible, for the how-to line. */
  revealSeconds: number;
  /** Epoch ms the view was built at. */
  now: number;
  /** A line shown at the top, e.g. why a click from the Home was refused. */
  notice?: string;
}

const SLACK_USER = /^[UW][A-Z0-9]+$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]+$/;
const ROLE_ACCOUNT = /^arn:[a-z-]+:iam::(\d{12}):role\//;

/** The AWS account id in an IAM role ARN, or undefined when the ARN is not one. */
export function accountOf(arn: string): string | undefined {
  return ROLE_ACCOUNT.exec(arn)?.[1];
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Ids come from Slack and the store, but a mention is markup: only well-formed ids become one.
function mention(user: string): string {
  return SLACK_USER.test(user) ? `<@${user}>` : code(user);
}

function channelLink(channel: string): string | undefined {
  return SLACK_CHANNEL.test(channel) ? `<#${channel}>` : undefined;
}

function quote(text: string, max: number): string {
  return escapeMrkdwn(clip(text.trim(), max))
    .split('\n')
    .map((l) => `>${l}`)
    .join('\n');
}

function more(count: number, what: string): Block {
  return context(`…and ${count} more ${what}.`);
}

function rolesBlocks(access: HomeAccess): Block[] {
  if (!access.ok) return [header('Your roles'), section(`:no_entry_sign: ${access.message}`)];
  const shown = access.roles.slice(0, HOME_CAPS.roles);
  const lines = shown.map((r, i) => {
    const account = accountOf(r.arn);
    const where = account ? `account ${code(account)}` : 'account unknown';
    return `• ${code(clip(r.name, 64))} · ${where}${i === 0 ? ' · _default_' : ''}`;
  });
  const hidden = access.roles.length - shown.length;
  if (hidden > 0) lines.push(`…and ${hidden} more.`);
  const hint =
    access.roles.length > 1
      ? 'The first is the default; pick another with `--role ROLE`.'
      : 'Commands run under this role; IAM decides what it may read.';
  return [header('Your roles'), section(lines.join('\n')), context(hint)];
}

function howToBlocks(model: HomeModel): Block[] {
  const lines = [
    `\`/secret get NAME\`: show a secret only to you; it hides itself after ${model.revealSeconds} s.`,
    '`/secret list [PREFIX]`: the secrets your role can see (names and descriptions, no values).',
    "`/totp NAME`: the current one-time password from a secret's `2fa-seed` (the seed is never shown).",
    '`/secret help`, `/totp help`: more.',
  ];
  const channel = model.approvals && channelLink(model.approvals.channel);
  if (channel) {
    lines.push(
      `Some secrets are guarded: asking for one posts a request in ${channel}, and an approver's OK sends you a single-use button.`,
    );
  }
  return [header('How to use locksmith'), section(lines.join('\n'))];
}

function whereLine(a: Approval): string {
  const parts = [`role ${code(clip(a.role.name, 64))}`, `expires ${slackDate(new Date(a.expiresAt))}`];
  const channel = a.message && channelLink(a.message.channel);
  if (channel) parts.push(`in ${channel}`);
  return parts.join(' · ');
}

function myRequestBlock(a: Approval): Block {
  return section(`*${describeKind(a.kind)}* ${code(clip(a.target, 200))}\n${whereLine(a)}`);
}

function decisionBlocks(a: Approval): Block[] {
  const reason = a.reason.trim() ? `\n${quote(a.reason, 300)}` : '';
  return [
    section(
      `${mention(a.requester.slackId)} wants to *${describeKind(a.kind)}* ${code(clip(a.target, 200))}\n${whereLine(a)}${reason}`,
    ),
    actions(
      `${BLOCK_HOME_DECISION}${a.id}`.slice(0, 255),
      button('Approve', ACTION_APPROVE, a.id, 'primary'),
      button('Reject', ACTION_REJECT, a.id, 'danger'),
    ),
  ];
}

function approvalsBlocks(approvals: HomeApprovals): Block[] {
  const blocks: Block[] = [{ type: 'divider' }, header('Your open requests')];
  if (approvals.mine.length === 0) {
    blocks.push(context('None. Requests you make for guarded secrets show up here until they are decided.'));
  } else {
    blocks.push(...approvals.mine.slice(0, HOME_CAPS.mine).map(myRequestBlock));
    if (approvals.mine.length > HOME_CAPS.mine)
      blocks.push(more(approvals.mine.length - HOME_CAPS.mine, 'open requests'));
  }
  if (approvals.toDecide === undefined) return blocks;
  blocks.push({ type: 'divider' }, header('Waiting for your decision'));
  if (approvals.toDecide.length === 0) {
    blocks.push(context('Nothing to decide right now.'));
    return blocks;
  }
  blocks.push(...approvals.toDecide.slice(0, HOME_CAPS.toDecide).flatMap(decisionBlocks));
  if (approvals.toDecide.length > HOME_CAPS.toDecide) {
    const channel = channelLink(approvals.channel);
    blocks.push(
      more(
        approvals.toDecide.length - HOME_CAPS.toDecide,
        channel ? `requests, all in ${channel}` : 'requests in the approvals channel',
      ),
    );
  }
  return blocks;
}

/** What each workflow state means, in a few words, for the Home list. */
const ROTATION_STATE_WORDS: Record<string, string> = {
  inspect: 'reading the keys',
  'resolve-extra-key': 'two keys: waiting for your choice',
  locate: 'searching the secrets',
  'confirm-places': 'waiting for you to confirm the places',
  create: 'creating the new key',
  'switch-over': 'waiting for the switch-over',
  'notify-and-approve': 'waiting for an approval to deactivate',
  deactivate: 'deactivating the old key',
  grace: 'old key inactive: grace period',
  'confirm-delete': 'waiting for you to confirm the deletion',
  delete: 'deleting the old key',
  cancelling: 'cancelling',
};

const DM_TS = /^\d+\.\d+$/;
const TEAM = /^T[A-Z0-9]+$/;

/** A link that opens the rotation's DM with locksmith (Slack's documented app_redirect). */
function dmLink(r: HomeRotation): string | undefined {
  const m = r.message;
  if (!m || !/^D[A-Z0-9]+$/.test(m.channel) || !DM_TS.test(m.ts)) return undefined;
  const team = r.teamId && TEAM.test(r.teamId) ? `&team=${r.teamId}` : '';
  return `<https://slack.com/app_redirect?channel=${m.channel}${team}|open the status message>`;
}

function rotationLine(r: HomeRotation): string {
  const state = ROTATION_STATE_WORDS[r.state] ?? escapeMrkdwn(clip(r.state, 40));
  const account = accountOf(r.role.arn);
  const parts = [
    `role ${code(clip(r.role.name, 64))}${account ? ` (account ${code(account)})` : ''}`,
    `started ${slackDate(new Date(r.startedAt))}`,
  ];
  const link = dmLink(r);
  if (link) parts.push(link);
  return `• ${code(clip(r.userName, 64))}: _${state}_ · ${parts.join(' · ')}`;
}

function rotationsBlocks(rotations: HomeRotation[]): Block[] {
  const blocks: Block[] = [{ type: 'divider' }, header('Your key rotations in progress')];
  if (rotations.length === 0) {
    blocks.push(context('None. `/rotate-key USER` starts one; you follow it in your DM with locksmith.'));
    return blocks;
  }
  const shown = rotations.slice(0, HOME_CAPS.rotations);
  blocks.push(section(shown.map(rotationLine).join('\n')));
  if (rotations.length > shown.length)
    blocks.push(more(rotations.length - shown.length, 'rotations in progress'));
  return blocks;
}

/** The whole Home tab for one person. */
export function buildHomeView(model: HomeModel): HomeView {
  const blocks: Block[] = [];
  if (model.notice) blocks.push(section(`:warning: ${model.notice}`));
  blocks.push(
    header('locksmith'),
    section(
      `Hi ${mention(model.userId)}. locksmith reads shared credentials and one-time passwords from AWS under *your own* IAM role, and shows them only to you.`,
    ),
    ...rolesBlocks(model.access),
    { type: 'divider' },
    ...howToBlocks(model),
  );
  if (model.rotations) blocks.push(...rotationsBlocks(model.rotations));
  if (model.approvals) blocks.push(...approvalsBlocks(model.approvals));
  blocks.push(context(`Updated ${slackDate(new Date(model.now))}. Reopen this tab to refresh.`));
  // The caps keep this far below the limit; this guard only makes a future slip visible early.
  if (blocks.length > LIMITS.modalBlocks) blocks.length = LIMITS.modalBlocks;
  return { type: 'home', callback_id: VIEW_HOME, blocks };
}
