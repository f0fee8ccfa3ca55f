/**
 * Block Kit for approvals: the channel request (updated in place with the outcome), the reason
 * modals, and the requester's DM with a single-use button. Pure functions of data; everything
 * that came from a person is escaped.
 */
import type { View } from '@slack/types';
import {
  actions,
  type Block,
  button,
  context,
  header,
  type SlackMessage,
  section,
} from '../slack/block-kit.js';
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

function facts(a: Approval): Block[] {
  return [
    section(
      [
        `*Requester:* <@${a.requester.slackId}>`,
        `*Action:* ${describeKind(a.kind)}`,
        `*Target:* ${code(a.target)}`,
        `*Role:* ${code(a.role.name)}`,
        ...Object.entries(a.detail).map(([k, v]) => `*${escapeMrkdwn(k)}:* ${code(v)}`),
      ].join('\n'),
    ),
    section(`*Reason:*\n${quote(a.reason.slice(0, 1500))}`),
  ];
}

/** The request as posted in the approvals channel, with the decision buttons. */
export function buildRequestMessage(a: Approval, breakGlassAllowed: boolean): SlackMessage {
  const buttons = [
    button('Approve', ACTION_APPROVE, a.id, 'primary'),
    button('Reject', ACTION_REJECT, a.id, 'danger'),
  ];
  if (breakGlassAllowed) buttons.push(button('Break glass (requester only)', ACTION_BREAK_GLASS, a.id));
  return {
    text: `Approval needed: ${describeKind(a.kind)} (${a.target}) for ${a.requester.slackId}`,
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
    text: `${describeKind(a.kind)} (${a.target}): ${a.state}`,
    blocks: [
      header(`Approval ${a.state}: ${describeKind(a.kind)}`),
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
    text: `Approved: ${describeKind(a.kind)} (${a.target})`,
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
    text: `Used: ${describeKind(a.kind)} (${a.target})`,
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
    text: `Your request (${a.target}) is ${a.state}`,
    blocks: [section(`Your request to ${describeKind(a.kind)} ${code(a.target)}: ${outcomeLine(a)}`)],
  };
}

/** The DM every approver gets at once when someone breaks the glass. */
export function buildBreakGlassNotice(a: Approval): SlackMessage {
  return {
    text: `Break-glass: ${a.requester.slackId} approved their own request (${a.target})`,
    blocks: [
      section(
        `:rotating_light: *Break-glass:* <@${a.requester.slackId}> approved their own request to ${describeKind(a.kind)} ${code(a.target)} (role ${code(a.role.name)}).`,
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
