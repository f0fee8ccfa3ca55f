/**
 * Block Kit for a parked rotation (issue 14, item 4): work that runs later found that the person
 * who started the rotation may no longer act under its role, so nothing runs in their name. The
 * post in the approvals channel offers "Take over" and "Cancel rotation" to anyone who may use
 * the role; the status message says why it stopped. Pure; data is escaped.
 */
import type { Button } from '@slack/types';
import { actions, button, context, type SlackMessage, section } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import type { Rotation } from '../core/workflow/index.js';
import { withConfirm } from './confirm-dialog.js';
import { ACTION_CANCEL_PARKED, ACTION_TAKE_OVER, encodeValue } from './ids.js';

export const BLOCK_PARKED_ACTIONS = 'rotation_parked_actions';

/** A `<@U…>` mention kept, everything else escaped (the reason is locksmith's own sentence). */
function mrkdwnReason(reason: string): string {
  return escapeMrkdwn(reason).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<@$1>');
}

/** What the rotation was doing, in a few words. */
function stepOf(rotation: Rotation): string {
  return rotation.intent ? `${rotation.state}, a step interrupted` : rotation.state;
}

/** The "Take over" button (also "Resume" in the status message, for the requester allowed again). */
export function takeOverButton(rotation: Rotation, version: number, label = 'Take over'): Button {
  return withConfirm(
    button(label, ACTION_TAKE_OVER, encodeValue({ r: rotation.id, v: version }), 'primary'),
    {
      title: 'Take this rotation over?',
      text: `You become the person this rotation acts for: its steps run under your own session of role ${code(rotation.role.name)}, its message moves to your DM, and an approval asked in another name is asked again.`,
      confirm: label,
    },
  );
}

/** The post in the approvals channel (or 2ndline's, without one) when a rotation is parked. */
export function buildParkedPost(rotation: Rotation, version: number): SlackMessage {
  const r = rotation;
  const reason = mrkdwnReason(r.parked?.reason ?? '');
  return {
    text: `Rotation of ${r.userName} parked: locksmith no longer acts for ${r.requester.slackId}`,
    blocks: [
      section(
        `:parking: *Rotation of ${code(r.userName)} parked* (role ${code(r.role.name)}, started by <@${r.requester.slackId}>, at ${escapeMrkdwn(stepOf(r))}).\n` +
          `${reason} locksmith checks this before every step nobody clicked for, and did nothing in AWS.\n` +
          `Someone who may use the role ${code(r.role.name)} can *take it over* (it continues under their name) or *cancel* it (locksmith undoes what it changed).`,
      ),
      actions(
        BLOCK_PARKED_ACTIONS,
        takeOverButton(r, version),
        withConfirm(
          button('Cancel rotation', ACTION_CANCEL_PARKED, encodeValue({ r: r.id, v: version }), 'danger'),
          {
            title: 'Cancel this rotation?',
            text: 'locksmith undoes what it changed, under your own session: the old key is made active again, each updated secret goes back to its previous version, and a new key that was never used is deleted.',
            confirm: 'Cancel rotation',
          },
        ),
      ),
      context(`rotation \`${escapeMrkdwn(r.id)}\``),
    ],
  };
}

/** The same post once someone acted on it (it replaces the post through the click's response_url). */
export function buildParkedOutcome(
  rotation: Rotation,
  outcome: 'taken-over' | 'cancelled',
  by: string,
): SlackMessage {
  const what =
    outcome === 'taken-over'
      ? `taken over by <@${by}>: it continues under their name`
      : `cancelled by <@${by}>`;
  return {
    text: `Rotation of ${rotation.userName}: ${outcome === 'taken-over' ? 'taken over' : 'cancelled'} by ${by}`,
    blocks: [
      section(
        `:parking: The parked rotation of ${code(rotation.userName)} (role ${code(rotation.role.name)}) was ${what}.`,
      ),
      context(`rotation \`${escapeMrkdwn(rotation.id)}\``),
    ],
  };
}

/** The status message's line while parked. */
export function parkedLine(rotation: Rotation, approvalsChannel: string | undefined): string {
  const where = approvalsChannel ? ` in <#${approvalsChannel}>` : '';
  return (
    `:parking: *Parked.* ${mrkdwnReason(rotation.parked?.reason ?? '')} Nothing runs in <@${rotation.requester.slackId}>'s name now. ` +
    `Someone who may use the role ${code(rotation.role.name)} can take it over or cancel it${where}.`
  );
}
