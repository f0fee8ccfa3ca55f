/**
 * What a rotation posts besides its status message: notes in the status message's thread (for
 * the notices worth a notification), and the post in 2ndline's channel before a key is
 * deactivated or deleted. Pure; data is escaped.
 */
import type { Rotation, RotationNotice } from '../core/workflow/index.js';
import { context, section, type SlackMessage } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import { plural } from '../../core/text.js';
import { parkedLine } from './parked-blocks.js';
import type { SecondLineNotice } from '../service/notifier.js';
import { accountOf, date, sections, who } from './message-parts.js';
import { untickedWarning } from './status-keys-places.js';
import { historyLines } from './status-message.js';

/** A note in the status message's thread for a notice worth a notification; undefined for none. */
export function buildThreadNote(
  rotation: Rotation,
  notice: RotationNotice,
  options: { notifyChannel?: string; approvalsChannel?: string; graceDays: number },
): SlackMessage | undefined {
  const approvals = options.approvalsChannel ? `<#${options.approvalsChannel}>` : 'the approvals channel';
  switch (notice.kind) {
    case 'deactivation-planned': {
      const told = options.notifyChannel ? ` 2ndline was told in <#${options.notifyChannel}>.` : '';
      const next = notice.needsApproval
        ? ` An approver decides in ${approvals}.`
        : ' Deactivate it from the message above when you are ready.';
      return note(
        `:mega: ${code(notice.keyId)} is about to be deactivated: ${escapeMrkdwn(notice.why)}.${told}${next}${untickedWarning(rotation, '\n')}`,
      );
    }
    case 'search-ack-needed':
      return note(
        `:warning: ${code(notice.keyId)} looks unused, but not every place that could hold it was searched: ${escapeMrkdwn(notice.gaps.join('; '))}. Acknowledge it in the message above to go on (2ndline is told and an approver asked then), or search everything and cancel.`,
      );
    case 'key-deactivated':
      return note(
        `:zzz: ${code(notice.keyId)} is now *inactive*. If anything breaks, press *Reactivate* in the message above. You will be asked to delete it after ${date(notice.graceEndsAt)}.`,
      );
    case 'key-reactivated':
      return note(
        `:arrow_backward: ${code(notice.keyId)} is active again (asked by ${who(notice.by)}); locksmith waits for the switch-over again.`,
      );
    case 'delete-due':
      return note(
        `:wastebasket: The grace period for ${code(notice.keyId)} is over. Delete it from the message above (or reactivate it).`,
      );
    case 'extra-key-deleted':
      return note(`:wastebasket: Deleted the never-used key ${code(notice.keyId)}.`);
    case 'parked':
      return note(parkedLine(rotation, options.approvalsChannel));
    case 'taken-over':
      return note(
        notice.by === notice.from
          ? `:arrow_forward: ${who(notice.by)} resumed the parked rotation; it goes on under their name.`
          : `:handshake: ${who(notice.by)} took this rotation over from ${who(notice.from)}; it goes on under their name, and its message is now in their DM.`,
      );
    case 'finished': {
      const title =
        notice.outcome === 'done'
          ? `:white_check_mark: *Rotation of ${code(rotation.userName)} done.*`
          : notice.outcome === 'cancelled'
            ? `:leftwards_arrow_with_hook: *Rotation of ${code(rotation.userName)} cancelled.*`
            : `:information_source: *Rotation of ${code(rotation.userName)} stopped: nothing to rotate.*`;
      const notes = notice.notes.map((n) => `• ${escapeMrkdwn(n)}`);
      const blocks = [
        section([title, ...notes].join('\n')),
        ...sections('*Summary*', historyLines(notice.summary), 20),
      ];
      return { text: `Rotation of ${rotation.userName}: ${notice.outcome}`, blocks };
    }
    default:
      return undefined;
  }
}

function note(mrkdwn: string): SlackMessage {
  return { text: mrkdwn.replace(/[`*_:]/g, '').slice(0, 200), blocks: [section(mrkdwn)] };
}

/** The post in 2ndline's channel before a key is deactivated or deleted (a never-used one, or the old one after its grace period). */
export function buildNotifyPost(
  rotation: Rotation,
  input: SecondLineNotice,
  options: { approvalsChannel?: string; graceDays: number },
): SlackMessage {
  const r = rotation;
  const approvals = options.approvalsChannel ? `<#${options.approvalsChannel}>` : 'the approvals channel';
  const what =
    input.action === 'deactivate'
      ? `will *deactivate* access key ${code(input.keyId)} of IAM user ${code(r.userName)}`
      : input.action === 'delete'
        ? `will *delete* the inactive access key ${code(input.keyId)} of IAM user ${code(r.userName)}`
        : `will *delete* the never-used access key ${code(input.keyId)} of IAM user ${code(r.userName)}`;
  const lines = [
    `:mega: <@${input.by}> ${what} (role ${code(r.role.name)}, account ${accountOf(r.role.arn)}).`,
    `*Why it is believed unused:* ${escapeMrkdwn(input.why)}`,
    ...(input.gaps?.length
      ? [
          `:warning: *Not every place that could hold it was searched:* ${escapeMrkdwn(input.gaps.join('; '))}` +
            (r.places.acknowledged ? ` (acknowledged by ${who(r.places.acknowledged.by)})` : ''),
        ]
      : []),
    input.needsApproval ? `An approver decides in ${approvals}.` : 'No approval is required for this step.',
  ];
  const after =
    input.action === 'deactivate'
      ? `A deactivated key can be reactivated until it is deleted, ${plural(options.graceDays, 'day')} later at the earliest.`
      : 'A deleted key cannot be brought back.';
  return {
    text: `${r.userName}: ${input.action === 'deactivate' ? 'deactivating' : 'deleting'} ${input.keyId}`,
    blocks: [section(lines.join('\n')), context(`${after} · rotation \`${escapeMrkdwn(r.id)}\``)],
  };
}
