/**
 * Block Kit for /rotate-key: the one status message per rotation (in the requester's DM,
 * updated in place), its thread notes, the 2ndline post, and the modals (places, proceed
 * anyway, the one-time reveal). Pure functions of the rotation record; everything that came
 * from data is escaped, and no message holds a secret: only the reveal modal does.
 */
import type { Button, Checkboxes, InputBlock, View } from '@slack/types';
import type { KeyPair } from '../core/key-places.js';
import type { KeyFact } from '../core/key-facts.js';
import type { LocateProgress } from '../core/locate.js';
import {
  allowedPersonEvents,
  type HistoryEntry,
  needsSearchAck,
  type SecretPlace,
  searchComplete,
  searchGaps,
  type PersonEventType,
  type Rotation,
  type RotationConfig,
  type RotationNotice,
  untickedPlaces,
} from '../core/workflow/index.js';
import {
  actions,
  type Block,
  button,
  context,
  header,
  LIMITS,
  type SlackMessage,
  section,
} from '../../slack/block-kit.js';
import { code, escapeMrkdwn, slackDate } from '../../slack/mrkdwn.js';
import {
  ACTION_CANCEL,
  ACTION_CHOOSE_PLACES,
  ACTION_CONFIRM_DEACTIVATE,
  ACTION_CONFIRM_DELETE,
  ACTION_CONFIRM_PLACES,
  ACTION_ACK_SEARCH,
  ACTION_DELETE_EXTRA,
  ACTION_EDIT_HOME,
  ACTION_FULL_SCAN,
  ACTION_PROCEED_ANYWAY,
  ACTION_REACTIVATE,
  ACTION_RESCAN,
  ACTION_RETIRE,
  ACTION_RETRY,
  ACTION_TICK_PLACE,
  BLOCK_KEY_ACTIONS,
  BLOCK_PLACES_CHECKLIST_PREFIX,
  BLOCK_PLACES_SECRETS_PREFIX,
  BLOCK_PROCEED_REASON,
  BLOCK_STEP_ACTIONS,
  BLOCK_TICK_ACTIONS,
  type ButtonValue,
  encodeHomeRef,
  encodeValue,
  indexedAction,
  INPUT_PLACES,
  INPUT_REASON,
  VIEW_INFO,
  VIEW_PLACES,
  VIEW_PROCEED,
} from './ids.js';
import { every, plural } from '../../core/text.js';
import { parkedLine, takeOverButton } from './parked-blocks.js';
import { type ConfirmDialog, withConfirm } from './confirm-dialog.js';
import type { SecondLineNotice } from '../service/notifier.js';

const HOUR_MS = 60 * 60 * 1000;
/** Checkbox groups hold at most 10 options; option texts at most 75 characters. */
const CHECKBOX_OPTIONS = 10;
const OPTION_TEXT = 75;
/** Tick-off buttons shown at once (an actions block holds 25 elements). */
const MAX_TICK_BUTTONS = 20;

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

// ---------------------------------------------------------------------------------------------
// Small helpers

function date(ms: number): string {
  return slackDate(new Date(ms));
}

function accountOf(roleArn: string): string {
  return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(roleArn)?.[1] ?? 'unknown account';
}

/** Escapes data for mrkdwn but keeps user mentions (`<@U123>`) that locksmith itself wrote. */
export function escapeKeepingMentions(text: string): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<@$1>');
}

function who(by: string): string {
  return /^[UW][A-Z0-9]+$/.test(by) ? `<@${by}>` : escapeMrkdwn(by);
}

/** A link to a configured place; characters that would break `<url|text>` are percent-encoded. */
function linkTo(url: string, text: string): string {
  const safe = url.replace(/[<>|&\s]/g, (c) => encodeURIComponent(c));
  return `<${safe}|${escapeMrkdwn(text).replace(/\|/g, '¦')}>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Lines joined into sections of at most 3000 characters, at most `maxBlocks` of them. */
function sections(title: string, lines: string[], maxBlocks: number): Block[] {
  const blocks: Block[] = [];
  let current = title;
  let shown = 0;
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > LIMITS.sectionText - 60) {
      if (blocks.length + 1 >= maxBlocks) break;
      blocks.push(section(current));
      current = line;
    } else current = next;
    shown++;
  }
  if (shown < lines.length) current += `\n_…and ${lines.length - shown} more_`;
  if (current) blocks.push(section(current));
  return blocks;
}

function stepButton(
  text: string,
  actionId: string,
  value: ButtonValue,
  style?: 'primary' | 'danger',
  confirm?: ConfirmDialog,
): Button {
  const b = button(clip(text, 75), actionId, encodeValue(value), style);
  if (!confirm) return b;
  return withConfirm(b, {
    title: clip(confirm.title, 100),
    text: clip(confirm.text, 300),
    confirm: clip(confirm.confirm, 30),
  });
}

// ---------------------------------------------------------------------------------------------
// Keys

const VERDICT: Record<KeyFact['verdict'], string> = {
  ok: ':white_check_mark: within the maximum age',
  due: ':large_yellow_circle: due for rotation soon',
  overdue: ':red_circle: overdue',
  'unused-old': ':zzz: never used, older than 7 days',
};

/** One line per key: id, status, created, age, last use, verdict. */
export function keyLine(key: KeyFact, rotation: Rotation, maxKeyAgeDays: number): string {
  const role =
    key.id === rotation.newKeyId ? ' (new)' : key.id === rotation.oldKeyId ? ' (being rotated)' : '';
  const used =
    key.lastUsed === 'never'
      ? 'never used'
      : `last used ${date(key.lastUsed.at)} (${escapeMrkdwn(key.lastUsed.service)}, ${escapeMrkdwn(key.lastUsed.region)})`;
  const days = plural(key.ageDays, 'day');
  return (
    `• ${code(key.id)}${role} · ${key.status} · created ${date(key.createdAt)} (${days} old) · ${used} · ` +
    `${VERDICT[key.verdict]}${key.verdict === 'overdue' || key.verdict === 'due' ? ` (max ${plural(maxKeyAgeDays, 'day')})` : ''}`
  );
}

function keysBlock(rotation: Rotation, config: RotationConfig): Block[] {
  if (rotation.keys.length === 0) return [];
  const lines = rotation.keys.map((k) => keyLine(k, rotation, config.maxKeyAgeDays));
  return [section(`*Keys of ${code(rotation.userName)} when the rotation started*\n${lines.join('\n')}`)];
}

// ---------------------------------------------------------------------------------------------
// Places

const FOUND_BY: Record<NonNullable<SecretPlace['found']>, string> = {
  tag: 'found by its tag',
  remembered: 'remembered from an earlier rotation',
  scan: 'found by reading it',
};

function secretLines(rotation: Rotation): string[] {
  return rotation.places.secrets.map((s) => {
    if (!s.updatable) {
      return `• ${code(s.name)}: :pencil2: not updated automatically (${escapeMrkdwn(s.reason ?? 'unknown layout')}); on the checklist`;
    }
    const fields = s.idFields.length
      ? `fields ${s.idFields.map(code).join(', ')} / ${s.secretFields.map(code).join(', ')}`
      : 'fields found when the key is written';
    const how = s.found && s.found !== 'scan' ? `; ${FOUND_BY[s.found]}` : '';
    const mark = !rotation.places.confirmed
      ? ':ballot_box_with_check:'
      : !s.selected
        ? ':heavy_minus_sign: left as it is:'
        : s.restored === 'restored'
          ? ':leftwards_arrow_with_hook: restored:'
          : s.written
            ? ':white_check_mark: updated:'
            : ':hourglass_flowing_sand:';
    const untagged = s.untagged ? ` (not tagged: ${escapeMrkdwn(s.untagged)})` : '';
    const guarded = s.guarded ? ' :lock: guarded: written after an approval, shown to nobody' : '';
    return `• ${mark} ${code(s.name)} (${fields}${how})${untagged}${guarded}`;
  });
}

/**
 * What a guarded place changes (issue 14, item 5): an approver first, and the new pair is
 * write-only, so checklist places cannot get it from locksmith.
 */
function guardedNote(r: Rotation): string {
  if (!r.places.secrets.some((s) => s.guarded && s.updatable)) {
    return 'Places on the checklist get the new key from a window only you see, once.';
  }
  return (
    ':lock: Writing into a guarded place needs an approver first (asked when you confirm), and then the new key is shown to nobody, ' +
    'not even you: places on the checklist would need it read from the guarded secret, which is itself approved and audited.'
  );
}

/** How the places were searched, and what that did not cover. */
function searchLines(rotation: Rotation): { summary: string; gaps: string[] } {
  const { places } = rotation;
  const search = places.search;
  if (!search) {
    return {
      summary:
        places.scanned !== undefined
          ? `Searched ${places.scanned} secret${places.scanned === 1 ? '' : 's'} your role can list` +
            (places.unreadable ? `; ${places.unreadable} could not be read` : '') +
            '.'
          : '',
      gaps: [],
    };
  }
  const summary =
    search.mode === 'indexed'
      ? `Looked up by locksmith's \`locksmith:access-key-id\` tag and the places remembered from earlier rotations: no secret or parameter value was read.`
      : `Read ${search.secrets.read} of ${plural(search.secrets.listed, 'secret')} and ${search.parameters.read} of ${plural(search.parameters.listed, 'parameter')} your role can list` +
        (search.newlyTagged
          ? `; tagged ${search.newlyTagged} so the next rotation finds them without reading anything`
          : '') +
        '.';
  return { summary, gaps: searchComplete(search) ? [] : searchGaps(search) };
}

function checklistLines(rotation: Rotation): string[] {
  return rotation.places.checklist.map((p) => {
    const name = p.link ? linkTo(p.link, p.name) : code(p.name);
    const note = p.note ? ` (${escapeMrkdwn(p.note)})` : '';
    if (rotation.places.confirmed && !p.selected) return `• :heavy_minus_sign: ${name}${note}: left out`;
    if (p.ticked)
      return `• :white_check_mark: ${name}${note}: updated by ${who(p.ticked.by)} ${date(p.ticked.at)}`;
    return `• :black_square_button: ${name}${note}: update by hand`;
  });
}

function placesBlocks(rotation: Rotation): Block[] {
  const { places } = rotation;
  if (!places.located || (rotation.newKeyId && !rotation.newKeyCreatedHere)) return [];
  const blocks: Block[] = [];
  const secrets = secretLines(rotation);
  blocks.push(
    ...sections(
      `*Secrets and parameters that hold ${code(rotation.oldKeyId ?? '')}*`,
      secrets.length ? secrets : ['_none found_'],
      4,
    ),
  );
  const checklist = checklistLines(rotation);
  if (checklist.length) blocks.push(...sections('*Checklist: places updated by hand*', checklist, 3));
  if (places.note)
    blocks.push(context(`:memo: *Where this key lives (note):* ${escapeMrkdwn(places.note.slice(0, 1500))}`));
  const { summary, gaps } = searchLines(rotation);
  if (summary) blocks.push(context(summary));
  if (gaps.length) {
    const ack = places.acknowledged
      ? ` Acknowledged by ${who(places.acknowledged.by)} ${date(places.acknowledged.at)}.`
      : rotation.state === 'confirm-places' || rotation.state === 'locate'
        ? ' Deactivating the old key will wait until you acknowledge this (or search everything).'
        : ' Deactivating the old key waits until you acknowledge this.';
    blocks.push(
      section(
        `:warning: *Not every place that could hold the key was searched:* ${escapeMrkdwn(gaps.join('; '))}.${ack}`.slice(
          0,
          LIMITS.sectionText,
        ),
      ),
    );
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// The status message

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

function untickedWarning(r: Rotation, before: string): string {
  const open = untickedPlaces(r);
  if (!open.length) return '';
  return `${before}:warning: *Not ticked off as updated yet:* ${open.map(escapeMrkdwn).join(', ')}. If ${open.length === 1 ? 'it still uses' : 'they still use'} the old key, ${open.length === 1 ? 'it breaks' : 'they break'} when the key is deactivated: put the new key there and press *Done* first.`;
}

/** The history of a rotation, one line per step, for the summary. */
export function historyLines(history: readonly HistoryEntry[]): string[] {
  return history.map((h) => `• ${date(h.at)} ${who(h.by)}: ${escapeMrkdwn(h.what)}`);
}

function actionBlocks(rotation: Rotation, ctx: StatusContext): Block[] {
  const r = rotation;
  const allowed = new Set<PersonEventType>(allowedPersonEvents(r, ctx.now));
  const value = (extra: Partial<ButtonValue> = {}): ButtonValue => ({ r: r.id, v: ctx.version, ...extra });
  const blocks: Block[] = [];

  if (r.state === 'resolve-extra-key' && !r.pendingApproval) {
    r.keys.forEach((key, i) => {
      const keyButtons: Button[] = [];
      const other = r.keys.find((k) => k.id !== key.id);
      if (allowed.has('delete-extra-key') && key.lastUsed === 'never') {
        keyButtons.push(
          stepButton(`Delete never-used ${key.id}`, ACTION_DELETE_EXTRA, value({ k: key.id }), 'danger', {
            title: 'Delete this key?',
            text: `${code(key.id)} has never been used. Deleting it cannot be undone${ctx.config.approvals.deleteExtraKey ? '; an approver is asked first' : ''}.`,
            confirm: 'Delete it',
          }),
        );
      }
      if (allowed.has('retire-key') && other) {
        keyButtons.push(
          stepButton(`Retire ${key.id}, keep ${other.id}`, ACTION_RETIRE, value({ k: key.id }), undefined, {
            title: 'Retire this key?',
            text: `No new key is made: ${code(other.id)} stays, and locksmith waits until ${code(key.id)} is unused before deactivating it.`,
            confirm: 'Retire it',
          }),
        );
      }
      if (keyButtons.length) blocks.push(actions(`${BLOCK_KEY_ACTIONS}${i}`, ...keyButtons));
    });
  }

  const step: Button[] = [];
  // Parked: the requester, allowed again, resumes it; anyone else takes it over from the approvals channel.
  if (allowed.has('take-over')) step.push(takeOverButton(r, ctx.version, 'Resume'));
  if (allowed.has('confirm-places')) {
    const any = r.places.secrets.some((s) => s.updatable) || r.places.checklist.length > 0;
    if (any) {
      step.push(
        stepButton('Create new key and update these places', ACTION_CONFIRM_PLACES, value(), 'primary', {
          title: 'Create the new key?',
          text: `locksmith creates a second key for ${code(r.userName)} and writes it into every secret listed. Cancelling later undoes it.`,
          confirm: 'Create it',
        }),
        stepButton('Choose places…', ACTION_CHOOSE_PLACES, value()),
      );
    }
  }
  if (allowed.has('rescan')) step.push(stepButton('Search again', ACTION_RESCAN, value()));
  if (r.state === 'confirm-places') {
    // Notes places outside AWS for this user, then the checklist is made again from the record.
    step.push(
      button(
        'Where it lives…',
        ACTION_EDIT_HOME,
        encodeHomeRef({ u: r.userName, r: r.role.name, rot: r.id }),
      ),
    );
  }
  if (allowed.has('full-scan')) {
    step.push(
      stepButton('Search all secrets…', ACTION_FULL_SCAN, value(), undefined, {
        title: 'Read every secret?',
        text: 'locksmith reads every secret and parameter your role can read (20 secrets a call, paced) to find the key, and tags what it finds. Reading many secrets at once is what credential-harvesting alerts look for: your security team may be paged (the calls carry `locksmith/` in their user agent).',
        confirm: 'Search all',
      }),
    );
  }
  // Offered once there is a new key whose old one could be deactivated, not while choosing places.
  if (allowed.has('acknowledge-search') && r.state !== 'confirm-places') {
    step.push(
      stepButton('Acknowledge: not everything searched', ACTION_ACK_SEARCH, value(), undefined, {
        title: 'Not every place was searched',
        text: `A place locksmith did not search may still use ${code(r.oldKeyId ?? '')}; it fails when the key is deactivated. Go on anyway? Your acknowledgement is shown to the approver.`,
        confirm: 'I acknowledge',
      }),
    );
  }
  if (allowed.has('confirm-deactivate') && !ctx.config.approvals.deactivate) {
    step.push(
      stepButton(`Deactivate ${r.oldKeyId}`, ACTION_CONFIRM_DEACTIVATE, value(), 'danger', {
        title: 'Deactivate the old key?',
        text: `${code(r.oldKeyId ?? '')} becomes inactive; anything still using it fails until it is reactivated.`,
        confirm: 'Deactivate',
      }),
    );
  }
  if (allowed.has('confirm-delete')) {
    step.push(
      stepButton(`Delete ${r.oldKeyId}`, ACTION_CONFIRM_DELETE, value(), 'danger', {
        title: 'Delete the old key?',
        text: `${code(r.oldKeyId ?? '')} is deleted for good${ctx.config.approvals.delete ? ' once an approver agrees' : ''}. This cannot be undone.`,
        confirm: 'Delete it',
      }),
    );
  }
  if (allowed.has('reactivate')) {
    step.push(
      stepButton(`Reactivate ${r.oldKeyId}`, ACTION_REACTIVATE, value(), undefined, {
        title: 'Reactivate the old key?',
        text: `${code(r.oldKeyId ?? '')} becomes active again and locksmith waits for the switch-over again.`,
        confirm: 'Reactivate',
      }),
    );
  }
  if (allowed.has('proceed-anyway') && ctx.approvalsChannel) {
    step.push(stepButton('Proceed anyway…', ACTION_PROCEED_ANYWAY, value()));
  }
  const failed = r.intent?.failure !== undefined || (r.lastError !== undefined && !r.intent);
  if (failed && !allowed.has('confirm-places') && allowed.size > 0 && r.state !== 'resolve-extra-key') {
    step.push(stepButton('Retry now', ACTION_RETRY, value()));
  }
  if (allowed.has('cancel')) {
    step.push(
      stepButton('Cancel rotation', ACTION_CANCEL, value(), 'danger', {
        title: 'Cancel this rotation?',
        text: 'locksmith undoes what it changed: the old key is made active again, each updated secret goes back to its previous version, and a new key that was never used is deleted.',
        confirm: 'Cancel rotation',
      }),
    );
  }
  if (step.length) blocks.push(actions(BLOCK_STEP_ACTIONS, ...step));

  if (allowed.has('tick-place')) {
    const open = r.places.checklist.filter((p) => p.selected && !p.ticked).slice(0, MAX_TICK_BUTTONS);
    if (open.length) {
      blocks.push(
        actions(
          BLOCK_TICK_ACTIONS,
          ...open.map((p, i) =>
            stepButton(
              `Done: ${clip(p.name, 60)}`,
              indexedAction(ACTION_TICK_PLACE, i),
              value({ p: p.name }),
            ),
          ),
        ),
      );
    }
  }
  return blocks;
}

/** The rotation's status message, as it stands. At most 50 blocks. */
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
  blocks.push(...actionBlocks(r, ctx));
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

// ---------------------------------------------------------------------------------------------
// Thread notes, the 2ndline post, refusals

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

// ---------------------------------------------------------------------------------------------
// Modals

function infoView(title: string, blocks: Block[], close = 'Close'): View {
  return {
    type: 'modal',
    callback_id: VIEW_INFO,
    title: { type: 'plain_text', text: clip(title, 24) },
    close: { type: 'plain_text', text: close },
    blocks: blocks.slice(0, LIMITS.modalBlocks),
  };
}

/** A modal that asks for input: submitted as `callbackId` with `privateMetadata`; Back closes it. */
function formView(
  callbackId: string,
  privateMetadata: string,
  title: string,
  submit: string,
  blocks: Block[],
): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Back' },
    blocks,
  };
}

/** A modal that says locksmith is working; replaced with the outcome by views.update. */
export function buildWorkingView(text: string): View {
  return infoView('Key rotation', [section(`:hourglass_flowing_sand: ${text}`)]);
}

/** A modal with one message (an outcome, a refusal). */
export function buildMessageView(title: string, mrkdwn: string): View {
  return infoView(title, [section(mrkdwn)]);
}

/**
 * The one-time reveal of the new key pair: the only place its secret is ever shown. A modal,
 * so it reaches nobody else and is gone when closed.
 */
export function buildRevealView(rotation: Rotation, pair: KeyPair): View {
  const byHand = rotation.places.checklist.filter((p) => p.selected);
  const written = rotation.places.secrets.filter((s) => s.written && s.selected).map((s) => code(s.name));
  const places = byHand.map((p) => {
    const name = p.link ? linkTo(p.link, p.name) : code(p.name);
    return `• ${name}${p.note ? ` (${escapeMrkdwn(p.note)})` : ''}`;
  });
  return infoView(
    'New access key',
    [
      section(
        `:key: The new access key of ${code(rotation.userName)}. *Shown once:* locksmith does not keep the secret and cannot show it again. Copy it into the places below now.`,
      ),
      section(`*Access key ID*\n\`\`\`${escapeMrkdwn(pair.accessKeyId)}\`\`\``),
      section(`*Secret access key*\n\`\`\`${escapeMrkdwn(pair.secretAccessKey)}\`\`\``),
      ...sections('*Update by hand*', places.length ? places : ['_nothing_'], 3),
      context(
        (written.length ? `Already written into ${written.join(', ')}. ` : '') +
          'Tick each place off in my DM once it is updated.',
      ),
    ],
    'Done',
  );
}

/** The result of the create step when nothing needs the pair by hand. */
export function buildCreatedView(rotation: Rotation): View {
  const written = rotation.places.secrets.filter((s) => s.written && s.selected).map((s) => code(s.name));
  return buildMessageView(
    'New access key',
    `:white_check_mark: Created ${code(rotation.newKeyId ?? '?')} and wrote it into ${written.join(', ') || 'no secret'}. ` +
      'Nothing needs it by hand. The switch-over is followed in my DM.',
  );
}

function checkboxGroups(
  prefix: string,
  label: string,
  items: Array<{ value: string; text: string; selected: boolean }>,
): InputBlock[] {
  const blocks: InputBlock[] = [];
  for (let i = 0; i < items.length; i += CHECKBOX_OPTIONS) {
    const chunk = items.slice(i, i + CHECKBOX_OPTIONS);
    const options = chunk.map((item) => ({
      text: { type: 'mrkdwn' as const, text: clip(item.text, OPTION_TEXT) },
      value: item.value,
    }));
    const initial = options.filter((_, j) => chunk[j]!.selected);
    const element: Checkboxes = {
      type: 'checkboxes',
      action_id: INPUT_PLACES,
      options,
      ...(initial.length ? { initial_options: initial } : {}),
    };
    blocks.push({
      type: 'input',
      block_id: `${prefix}${i / CHECKBOX_OPTIONS}`,
      optional: true,
      label: { type: 'plain_text', text: i === 0 ? label : `${label} (continued)` },
      element,
    });
  }
  return blocks;
}

/** Option values in the places modal: `s<index>` (a secret) or `c<index>` (a checklist item). */
export function placeOptionValue(kind: 's' | 'c', index: number): string {
  return `${kind}${index}`;
}

/**
 * The places modal: which secrets get the new key, which checklist places are updated by hand.
 * Option values are indexes into the record, so `privateMetadata` carries the record version the
 * indexes belong to.
 */
export function buildPlacesView(rotation: Rotation, privateMetadata: string): View {
  const secrets = rotation.places.secrets
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.updatable)
    .map(({ s, i }) => ({ value: placeOptionValue('s', i), text: code(s.name), selected: true }));
  const checklist = rotation.places.checklist.map((p, i) => ({
    value: placeOptionValue('c', i),
    text: p.source === 'config' ? escapeMrkdwn(p.name) : `${code(p.name)} (by hand)`,
    selected: true,
  }));
  const blocks: Block[] = [
    section(
      `Where should the new key of ${code(rotation.userName)} go? Secrets are updated by locksmith; checklist places get the key from a window only you see, once.`,
    ),
    ...checkboxGroups(BLOCK_PLACES_SECRETS_PREFIX, 'Secrets locksmith updates', secrets),
    ...checkboxGroups(BLOCK_PLACES_CHECKLIST_PREFIX, 'Updated by hand (checklist)', checklist),
  ];
  return formView(
    VIEW_PLACES,
    privateMetadata,
    'Places for the key',
    'Create new key',
    blocks.slice(0, LIMITS.modalBlocks),
  );
}

/** The reason modal for skipping the switch-over wait; the skip needs an approval. */
export function buildProceedView(
  rotation: Rotation,
  privateMetadata: string,
  approvalsChannel: string,
): View {
  return formView(VIEW_PROCEED, privateMetadata, 'Proceed anyway', 'Ask for approval', [
    section(
      `Skip the rest of the switch-over wait and deactivate ${code(rotation.oldKeyId ?? '?')} of ${code(rotation.userName)}. An approver in <#${approvalsChannel}> decides; 2ndline is told.`,
    ),
    {
      type: 'input',
      block_id: BLOCK_PROCEED_REASON,
      label: { type: 'plain_text', text: 'Why is the old key no longer needed?' },
      element: {
        type: 'plain_text_input',
        action_id: INPUT_REASON,
        multiline: true,
        max_length: 1000,
        placeholder: { type: 'plain_text', text: 'e.g. the old consumer was shut down in INC-1234' },
      },
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Command replies

export function buildHelpMessage(): SlackMessage {
  return {
    text: 'How to use /rotate-key',
    blocks: [
      section(
        [
          '*/rotate-key USER [--role ROLE]*: rotate the access key of IAM user `USER`, step by step, under your role.',
          'locksmith shows the keys, finds the secrets that hold the key, creates the new key and writes it there, waits until the old key is unused, tells 2ndline and asks for approval, deactivates the old key, and after a grace period deletes it. You follow it in a DM from locksmith; every step can be cancelled (and is undone) until the old key is deleted.',
          '*/rotate-key* (no user): pick the role and the IAM user in a window.',
          "*/rotate-key due [--role ROLE]*: keys older than the maximum age, users with two keys, unused and inactive keys, and rotations in progress, from IAM's credential report; *Open* reads a user's keys and offers *Start rotation*.",
          '*/rotate-key index [--role ROLE]*: once per account, read every secret and parameter and tag those that hold a key, so rotations find their places without reading anything.',
          'SES SMTP users (by `rotation.smtp_users` or their tag) are replaced by a new user instead, step by step.',
        ].join('\n'),
      ),
    ],
  };
}
