/**
 * The status message's buttons for the state a rotation is in: only the steps the workflow
 * allows the requester now (allowedPersonEvents), with a confirmation where a step cannot be
 * undone, and the tick-off buttons of the checklist.
 */
import type { Button } from '@slack/types';
import { allowedPersonEvents, type PersonEventType, type Rotation } from '../core/workflow/index.js';
import { actions, type Block, button } from '../../slack/block-kit.js';
import { code } from '../../slack/mrkdwn.js';
import {
  ACTION_ACK_SEARCH,
  ACTION_CANCEL,
  ACTION_CHOOSE_PLACES,
  ACTION_CONFIRM_DEACTIVATE,
  ACTION_CONFIRM_DELETE,
  ACTION_CONFIRM_PLACES,
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
  BLOCK_STEP_ACTIONS,
  BLOCK_TICK_ACTIONS,
  type ButtonValue,
  encodeHomeRef,
  indexedAction,
} from './ids.js';
import { takeOverButton } from './parked-blocks.js';
import { clip, stepButton } from './message-parts.js';
import type { StatusContext } from './status-message.js';

/** Tick-off buttons shown at once (an actions block holds 25 elements). */
const MAX_TICK_BUTTONS = 20;

/** The action blocks of the status message: what the requester may do now. */
export function buildStatusButtons(rotation: Rotation, ctx: StatusContext): Block[] {
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
