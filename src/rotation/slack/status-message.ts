/**
 * The one status message per rotation, in the requester's DM and updated in place: the header,
 * the keys, the state's own paragraph, the places, what happened and the buttons
 * (status-buttons.ts). Pure functions of the rotation record; everything that came from data is
 * escaped, and no message holds a secret (only the reveal modal does: rotation-modals.ts).
 */
import type { LocateProgress } from '../core/locate.js';
import {
  type HistoryEntry,
  needsSearchAck,
  type Rotation,
  type RotationConfig,
} from '../core/workflow/index.js';
import { type Block, context, header, LIMITS, section, type SlackMessage } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import { every, plural } from '../../core/text.js';
import { parkedLine } from './parked-blocks.js';
import { accountOf, date, sections, who } from './message-parts.js';
import { guardedNote, keysBlock, placesBlocks, untickedWarning } from './status-keys-places.js';
import { buildStatusButtons } from './status-buttons.js';

const HOUR_MS = 60 * 60 * 1000;

/** What the status message needs besides the record. */
export interface StatusContext {
  /** Epoch ms from the injected clock. */
  now: number;
  /** The store version of `rotation`: buttons carry it so a double click is one event. */
  version: number;
  config: RotationConfig;
  /** The approvals channel, to point at; undefined without an `approvals` section. */
  approvalsChannel?: string;
  notifyChannel?: string;
  /** Progress of the secrets search, while locating. */
  progress?: LocateProgress;
}

/** The state's own paragraph. */
function stateText(rotation: Rotation, ctx: StatusContext): string {
  const r = rotation;
  const oldKey = code(r.oldKeyId ?? '?');
  const newKey = code(r.newKeyId ?? '?');
  const approvals = ctx.approvalsChannel ? `<#${ctx.approvalsChannel}>` : 'the approvals channel';
  const pending = r.pendingApproval
    ? `\n:hourglass_flowing_sand: Waiting for an approver in ${approvals}.${r.pendingApproval.action === 'deactivate-key' || r.pendingApproval.action === 'skip-wait' ? untickedWarning(r, '\n') : ''}`
    : '';
  switch (r.state) {
    case 'inspect':
      return `:mag: Reading the access keys of ${code(r.userName)}…`;
    case 'resolve-extra-key':
      return (
        `:warning: ${code(r.userName)} has two keys. A user should have one; one of them must go before a new key can be made.\n` +
        `• Delete a key that was *never used*, then rotate the other one; or\n` +
        `• Pick the key to *retire*: the other one stays as the new key (no key is created) and locksmith waits until the retired key is unused.` +
        pending
      );
    case 'locate': {
      if (!r.places.fullScanRequested) {
        return `:mag: Looking for ${oldKey} by locksmith's tag and in the places remembered from earlier rotations (no value is read)…`;
      }
      const p = ctx.progress;
      const line = p
        ? p.listingDone
          ? `${p.read} of ${plural(p.listed, 'secret')} read, ${plural(p.parametersRead, 'parameter')} read, ${p.found} found`
          : `${plural(p.listed, 'secret')} listed so far`
        : 'starting';
      return `:mag: Searching every secret and parameter your role can read for ${oldKey}, 20 secrets a call… (${line})`;
    }
    case 'confirm-places': {
      const none = r.places.secrets.length === 0 && r.places.checklist.length === 0;
      const searchAll =
        r.places.search?.mode === 'indexed'
          ? ' If it is kept elsewhere in AWS, *Search all secrets…* reads every secret and parameter your role can read.'
          : '';
      return none
        ? `:grey_question: No secret or parameter is known to hold ${oldKey} and no place outside AWS is on the checklist, so a new key would reach nobody.${searchAll} Or cancel.`
        : `:point_right: Next: create a new key and write it into the secrets and parameters below (the same fields, as a new version of each). ${guardedNote(r)}${searchAll}${pending}`;
    }
    case 'create':
      return `:gear: Creating the new key and writing it into the chosen secrets…`;
    case 'switch-over': {
      const retired = !r.newKeyCreatedHere;
      const needed = ctx.config.quietHours;
      const quietFor = r.quietSince !== undefined ? Math.floor((ctx.now - r.quietSince) / HOUR_MS) : 0;
      // The wait is counted on locksmith's own checks, from the first one that saw the old key's
      // last use unchanged (IAM reports use late), not from the last-use time: say so, or
      // "quiet for 0 hours" two hours after the last use reads as a bug.
      const quiet =
        r.quietSince !== undefined
          ? `no newer use seen by locksmith's checks since ${date(r.quietSince)}: ${quietFor} of ${plural(needed, 'hour')}`
          : `the count of ${plural(needed, 'hour')} without use starts at the first check`;
      const lines = [
        `:arrows_counterclockwise: *Switch-over.* Waiting until ${retired ? 'the kept key' : 'the new key'} is in use and the old key has not been used for ${plural(needed, 'hour')}.`,
        `• ${retired ? 'Kept' : 'New'} key ${newKey}: ${r.newKeyUsedAt !== undefined ? `used ${date(r.newKeyUsedAt)}` : 'not used yet'}`,
        `• Old key ${oldKey}: ${r.oldKeyLastUsedAt !== undefined ? `last used ${date(r.oldKeyLastUsedAt)}` : 'no use seen'}; ${quiet}`,
        r.lastPolledAt !== undefined
          ? `Checked ${date(r.lastPolledAt)}; checked again ${every(ctx.config.pollMinutes, 'minute')}.`
          : `First check in a moment; then ${every(ctx.config.pollMinutes, 'minute')}.`,
      ];
      return lines.join('\n') + pending;
    }
    case 'notify-and-approve': {
      if (!r.pendingApproval && needsSearchAck(r)) {
        return `:mega: ${oldKey} looks unused. Before 2ndline is told and it is deactivated, acknowledge that not every place that could hold it was searched (below), or cancel.`;
      }
      const told = ctx.notifyChannel ? `2ndline was told in <#${ctx.notifyChannel}>. ` : '';
      if (r.pendingApproval) return `:mega: ${oldKey} looks unused. ${told}` + pending.trim();
      return `:mega: ${oldKey} looks unused. ${told}Deactivate it when you are ready; it can be reactivated until it is deleted.`;
    }
    case 'deactivate':
      return `:gear: Making ${oldKey} inactive…`;
    case 'grace':
      return (
        `:zzz: ${oldKey} is *inactive* since ${date(r.deactivatedAt ?? ctx.now)}. If anything breaks, press *Reactivate*.\n` +
        `You will be asked to delete it after ${date(r.graceEndsAt ?? ctx.now)}.`
      );
    case 'confirm-delete':
      return (
        `:wastebasket: The grace period is over and ${oldKey} has stayed inactive. Delete it for good? This cannot be undone.` +
        pending
      );
    case 'delete':
      return `:gear: Deleting ${oldKey}…`;
    case 'cancelling':
      return `:gear: Cancelling: undoing what this rotation changed…`;
    case 'done':
      // The outcome's notes below say which key the user now has; said once.
      return r.outcome?.notes.length
        ? `:white_check_mark: *Done.*`
        : `:white_check_mark: *Done.* ${code(r.userName)} now has one key, ${newKey}.`;
    case 'cancelled':
      return `:leftwards_arrow_with_hook: *Cancelled.*`;
    case 'abandoned':
      return `:information_source: *Nothing to rotate.*`;
  }
}

/** The history of a rotation, one line per step, for the summary. */
export function historyLines(history: readonly HistoryEntry[]): string[] {
  return history.map((h) => `• ${date(h.at)} ${who(h.by)}: ${escapeMrkdwn(h.what)}`);
}

export function buildStatusMessage(rotation: Rotation, ctx: StatusContext): SlackMessage {
  const r = rotation;
  const blocks: Block[] = [
    header(`Rotating the access key of ${r.userName}`),
    context(
      `Role ${code(r.role.name)} · account ${accountOf(r.role.arn)} · started by <@${r.requester.slackId}> ${date(r.createdAt)} · \`${escapeMrkdwn(r.id)}\``,
    ),
    ...keysBlock(r, ctx.config),
    section(stateText(r, ctx)),
    ...(r.parked ? [section(parkedLine(r, ctx.approvalsChannel))] : []),
    ...placesBlocks(r),
  ];
  if (r.lastError && r.state !== 'done') {
    blocks.push(section(`:x: ${escapeMrkdwn(r.lastError.message)}`));
  }
  if (r.outcome) {
    if (r.outcome.notes.length)
      blocks.push(section(r.outcome.notes.map((n) => `• ${escapeMrkdwn(n)}`).join('\n')));
    const room = LIMITS.messageBlocks - blocks.length - 1;
    blocks.push(...sections('*What happened*', historyLines(r.history), Math.max(1, Math.min(room, 6))));
  }
  blocks.push(...buildStatusButtons(r, ctx));
  blocks.push(context(`Updated ${date(ctx.now)}`));
  return {
    text: `Rotation of ${r.userName}: ${r.state}`,
    blocks: blocks.slice(0, LIMITS.messageBlocks),
  };
}

/** The first version of the status message, before the rotation record exists. */
export function buildStartingMessage(userName: string, roleName: string): SlackMessage {
  return {
    text: `Starting the rotation of ${userName}`,
    blocks: [
      header(`Rotating the access key of ${userName}`),
      section(
        `:hourglass_flowing_sand: Starting under role ${code(roleName)}: reading the keys of ${code(userName)}…`,
      ),
    ],
  };
}
