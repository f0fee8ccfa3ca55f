/**
 * Block Kit for approvals: the channel request (updated in place with the outcome), the reason
 * modals, and the requester's DM with a single-use button. Pure functions of data; everything
 * that came from a person is escaped.
 */
import type { View } from '@slack/types';
import { z } from 'zod';
import {
  actions,
  type Block,
  button,
  context,
  header,
  type SlackMessage,
  section,
} from '../slack/block-kit.js';
import { codec, SLACK_LIMITS } from '../slack/interaction-kit.js';
import { code, escapeMrkdwn, slackDate } from '../slack/mrkdwn.js';
import { type Approval, describeKind } from './approval.js';
import {
  ACTION_APPROVE,
  ACTION_BREAK_GLASS,
  ACTION_REJECT,
  ACTION_USE_GRANT,
  BLOCK_DECISION,
  BLOCK_REASON,
  INPUT_REASON,
} from './ids.js';

function quote(text: string): string {
  return escapeMrkdwn(text)
    .split('\n')
    .map((l) => `>${l}`)
    .join('\n');
}

/** The AWS account of a role ARN (`arn:aws:iam::123456789012:role/x` → 123456789012). */
function accountOf(roleArn: string): string {
  return roleArn.split(':')[4] || '?';
}

/** Slack user IDs in a text (e.g. "acknowledged by U0ALICE") become mentions; the rest escaped. */
function withMentions(text: string): string {
  return escapeMrkdwn(text).replace(/\b([UW][A-Z0-9]{6,})\b/g, '<@$1>');
}

/** What approving does, in the approver's words. */
function consequence(a: Approval): string {
  const d = a.detail;
  switch (a.kind) {
    case 'reveal':
      return `<@${a.requester.slackId}> gets a single-use button in a DM; the value opens in a window only they see, read under their role.`;
    case 'edit':
      return `<@${a.requester.slackId}> gets a single-use button in a DM that opens the edit form; every change is a new version they can undo.`;
    case 'deactivate-key':
      return `The access key ${code(a.target)}${d.userName ? ` of IAM user ${code(d.userName)}` : ''} is made *inactive*: whatever still uses it is refused by AWS. It can be reactivated until it is deleted.`;
    case 'delete-key':
      return d.smtp
        ? `IAM user ${code(d.oldUser ?? a.target)} and its keys are *deleted* for good${d.newUser ? `; ${code(d.newUser)} replaces it` : ''}. This cannot be undone.`
        : `The access key ${code(a.target)}${d.userName ? ` of IAM user ${code(d.userName)}` : ''} is *deleted* for good. This cannot be undone.`;
    case 'skip-wait':
      return `The rotation stops waiting for the old key to go quiet, and goes on to deactivate it.`;
    case 'write-guarded':
      return `A new access key${d.userName ? ` of IAM user ${code(d.userName)}` : ''} is created and written into ${code(a.target)} under <@${a.requester.slackId}>'s session scoped to it. Write-only: nobody is shown the new key.`;
  }
}

/**
 * The request's facts, labelled for a person: who, what, which secret or IAM user and key, which
 * role in which account, and what approving does. Internal ids (the rotation's, the role's ARN,
 * how the request was made) stay out of sight; the request id is in the context line only.
 */
function facts(a: Approval): Block[] {
  const d = a.detail;
  const keyKind = a.kind === 'deactivate-key' || a.kind === 'delete-key' || a.kind === 'skip-wait';
  const lines = [`*Requester:* <@${a.requester.slackId}>`, `*Action:* ${describeKind(a.kind)}`];
  if (d.smtp) {
    lines.push(`*IAM user:* ${code(d.oldUser ?? a.target)} (an SES SMTP user)`);
    if (d.newUser) lines.push(`*Replaced by:* ${code(d.newUser)}`);
  } else if (keyKind) {
    if (d.userName) lines.push(`*IAM user:* ${code(d.userName)}`);
    lines.push(`*Access key:* ${code(a.target)}`);
  } else {
    if (a.kind === 'write-guarded' && d.userName) lines.push(`*IAM user:* ${code(d.userName)}`);
    lines.push(`*Secret:* ${code(a.target)}`);
    if (d.field) lines.push(`*Field:* ${code(d.field)}`);
  }
  lines.push(`*Role:* ${code(a.role.name)} · account ${accountOf(a.role.arn)}`);
  if (d.searched) lines.push(`*Search for the key's places:* ${withMentions(d.searched)}`);
  const blocks: Block[] = [section(lines.join('\n')), section(`*If approved:* ${consequence(a)}`)];
  if ((a.kind === 'deactivate-key' || a.kind === 'skip-wait') && d.unticked) {
    blocks.push(
      section(
        `:warning: *Not ticked off as updated yet:* ${escapeMrkdwn(d.unticked)}. These places outside AWS may still use the old key, and would break when it is deactivated.`,
      ),
    );
  }
  blocks.push(section(`*Reason:*\n${quote(a.reason.slice(0, 1500))}`));
  return blocks;
}

/** The one line a notification shows: what, on what, by whom. */
function summary(a: Approval): string {
  const d = a.detail;
  const what =
    d.smtp && d.oldUser
      ? `IAM user ${d.oldUser}`
      : d.userName
        ? `${a.target} of IAM user ${d.userName}`
        : a.target;
  // Fallback text is mrkdwn too (notifications, screen readers): data in it is escaped like
  // in the blocks (issue 14, item 10).
  return `${describeKind(a.kind)}: ${escapeMrkdwn(what)}`;
}

const DECIDED_HEADING: Record<Approval['state'], string> = {
  pending: 'Approval needed',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
};

/** The request as posted in the approvals channel, with the decision buttons. */
export function buildRequestMessage(a: Approval, breakGlassAllowed: boolean): SlackMessage {
  const buttons = [
    button('Approve', ACTION_APPROVE, a.id, 'primary'),
    button('Reject', ACTION_REJECT, a.id, 'danger'),
  ];
  if (breakGlassAllowed) buttons.push(button('Break glass (requester only)', ACTION_BREAK_GLASS, a.id));
  return {
    text: `Approval needed: ${summary(a)}, asked by <@${a.requester.slackId}>`,
    blocks: [
      header(`Approval needed: ${describeKind(a.kind)}`),
      ...facts(a),
      context(`Expires ${slackDate(new Date(a.expiresAt))} · request \`${a.id}\``),
      actions(BLOCK_DECISION, ...buttons),
    ],
  };
}

/** The outcome line that replaces the buttons. */
export function outcomeLine(a: Approval): string {
  const d = a.decision;
  const when = d ? slackDate(new Date(d.at), '{time}') : '';
  const note = d?.note ? `: ${escapeMrkdwn(d.note.slice(0, 500))}` : '';
  switch (a.state) {
    case 'approved':
      return d?.breakGlass
        ? `:rotating_light: Approved by break-glass by <@${d.by}> at ${when}${note}`
        : `:white_check_mark: Approved by <@${d?.by}> at ${when}`;
    case 'rejected':
      return `:x: Rejected by <@${d?.by}> at ${when}${note}`;
    case 'expired':
      return ':hourglass: Expired without a decision';
    default:
      return ':hourglass_flowing_sand: Waiting for an approver';
  }
}

/** The channel message after a decision or expiry: the same facts, no buttons. */
export function buildOutcomeMessage(a: Approval): SlackMessage {
  return {
    text: `${DECIDED_HEADING[a.state]}: ${summary(a)}`,
    blocks: [
      header(`${DECIDED_HEADING[a.state]}: ${describeKind(a.kind)}`),
      ...facts(a),
      section(outcomeLine(a)),
      context(`request \`${a.id}\``),
    ],
  };
}

/** A modal asking for a reason: for a new request, a rejection, or break-glass. */
export function buildReasonView(options: {
  callbackId: string;
  title: string;
  intro: string;
  submit: string;
  privateMetadata: string;
  optional?: boolean;
}): View {
  return {
    type: 'modal',
    callback_id: options.callbackId,
    private_metadata: options.privateMetadata,
    title: { type: 'plain_text', text: options.title.slice(0, 24) },
    submit: { type: 'plain_text', text: options.submit.slice(0, 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(options.intro),
      {
        type: 'input',
        block_id: BLOCK_REASON,
        optional: options.optional ?? false,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: INPUT_REASON,
          multiline: true,
          max_length: 1500,
          placeholder: { type: 'plain_text', text: 'e.g. INC-1234: rotating the DB password' },
        },
      },
    ],
  };
}

/** The requester's DM after approval: only a button, never a value. */
export function buildGrantMessage(
  a: Approval,
  grantId: string,
  validUntil: number,
  verb: string,
): SlackMessage {
  return {
    text: `Approved: ${summary(a)}`,
    blocks: [
      section(
        `:white_check_mark: Your request to ${describeKind(a.kind)} ${code(a.target)} was approved by <@${a.decision?.by}>.`,
      ),
      actions(`grant_${grantId}`.slice(0, 255), button(verb, ACTION_USE_GRANT, grantId, 'primary')),
      context(
        `Works once, until ${slackDate(new Date(validUntil))}. The value opens in a window only you see.`,
      ),
    ],
  };
}

export function buildGrantUsedMessage(a: Approval, usedAt: number): SlackMessage {
  return {
    text: `Used: ${summary(a)}`,
    blocks: [
      section(
        `:lock: ${describeKind(a.kind)} ${code(a.target)}: used ${slackDate(new Date(usedAt))}. Request again to see it again.`,
      ),
    ],
  };
}

/** The DM to requesters whose request was rejected or expired. */
export function buildRequesterNotice(a: Approval): SlackMessage {
  return {
    text: `Your request to ${summary(a)}: ${a.state}`,
    blocks: [section(`Your request to ${describeKind(a.kind)} ${code(a.target)}: ${outcomeLine(a)}`)],
  };
}

/** The DM every approver gets at once when someone breaks the glass. */
export function buildBreakGlassNotice(a: Approval): SlackMessage {
  return {
    text: `Break-glass: <@${a.requester.slackId}> approved their own request to ${summary(a)}`,
    blocks: [
      section(
        `:rotating_light: *Break-glass:* <@${a.requester.slackId}> approved their own request to ${describeKind(a.kind)} ${code(a.target)} (role ${code(a.role.name)}, account ${accountOf(a.role.arn)}).`,
      ),
      section(`*Reason:*\n${quote(a.decision?.note ?? '')}`),
    ],
  };
}

export function buildLoadingView(title: string): View {
  return {
    type: 'modal',
    callback_id: 'loading',
    title: { type: 'plain_text', text: title.slice(0, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(':hourglass_flowing_sand: Reading under your role…')],
  };
}

/**
 * The private_metadata of a decision's reason modal (Reject, Break glass): the request, the
 * mode, the channel to answer in, and `home` when it was opened from the App Home.
 */
export const decisionReasonMeta = codec(
  z.object({
    approvalId: z.string().optional(),
    mode: z.enum(['reject', 'break-glass']).optional(),
    channel: z.string().optional(),
    home: z.boolean().optional(),
  }),
  SLACK_LIMITS.privateMetadata,
);
