/**
 * Command, action, view and block ids of the /rotate-key feature, in one place so a typo is a
 * compile error, and the codecs for what buttons and modals carry (the kit's zod `codec`: a
 * value Slack hands back is text anyone could have forged, so `decode` gives undefined for
 * anything malformed, of another shape, or over Slack's size limit).
 */
import { z } from 'zod';
import { codec, SLACK_LIMITS } from '../../slack/interaction-kit.js';
import { IAM_USER_NAME } from '../core/iam-users.js';

export const COMMAND_ROTATE_KEY = '/rotate-key';

/** "Create the new key" with the places as found (every updatable secret, every checklist item). */
export const ACTION_CONFIRM_PLACES = 'rotation_confirm_places';
/** "Choose places…": opens the places modal. */
export const ACTION_CHOOSE_PLACES = 'rotation_choose_places';
export const ACTION_RESCAN = 'rotation_rescan';
export const ACTION_DELETE_EXTRA = 'rotation_delete_extra';
export const ACTION_RETIRE = 'rotation_retire';
export const ACTION_TICK_PLACE = 'rotation_tick_place';
/** "Proceed anyway…": opens the reason modal; the skip needs an approval. */
export const ACTION_PROCEED_ANYWAY = 'rotation_proceed_anyway';
export const ACTION_CONFIRM_DEACTIVATE = 'rotation_confirm_deactivate';
export const ACTION_REACTIVATE = 'rotation_reactivate';
export const ACTION_CONFIRM_DELETE = 'rotation_confirm_delete';
export const ACTION_CANCEL = 'rotation_cancel';
/** "Retry now" on a step that failed: does the state's due work at once. */
export const ACTION_RETRY = 'rotation_retry';
/** "Search all secrets…": the full scan, reading every value the role can read. */
export const ACTION_FULL_SCAN = 'rotation_full_scan';
/** "Acknowledge: not everything searched": lets deactivation go on after an incomplete search. */
export const ACTION_ACK_SEARCH = 'rotation_ack_search';
/** "Where this key lives…": the window to note places outside AWS and a free-text note. */
export const ACTION_EDIT_HOME = 'rotation_edit_home';
export const ACTION_EDIT_HOME_PATTERN = /^rotation_edit_home(:\d+)?$/;
/** "Index this account" in the reply to `/rotate-key index`. */
export const ACTION_INDEX_START = 'rotation_index_start';

/** The "where the key lives" window. */
export const VIEW_HOME = 'rotation_home';

/** What the "where this key lives" button and window carry: IAM user, role, the rotation if any. */
export interface HomeRef {
  u: string;
  r: string;
  rot?: string;
}

/** An optional string: anything else (wrong type) counts as absent, as it always did. */
const maybeString = z.string().optional().catch(undefined);

const homeRefSchema = z.object({ u: z.string().regex(IAM_USER_NAME), r: z.string(), rot: maybeString });
/** On the button, and in the window's `private_metadata` (a larger limit). */
const homeRefValue = codec(homeRefSchema);
const homeRefMeta = codec(homeRefSchema, SLACK_LIMITS.privateMetadata);

function homeRefOf(v: z.output<typeof homeRefSchema> | undefined): HomeRef | undefined {
  return v && { u: v.u, r: v.r, ...(v.rot !== undefined ? { rot: v.rot } : {}) };
}

export function encodeHomeRef(ref: HomeRef): string {
  return homeRefValue.encode(ref);
}

/** The "where this key lives" button's value; undefined for anything not ours. */
export function decodeHomeRef(raw: string | undefined): HomeRef | undefined {
  return homeRefOf(homeRefValue.decode(raw));
}

/** The "where this key lives" window's `private_metadata`; undefined for anything not ours. */
export function decodeHomeMeta(raw: string | undefined): HomeRef | undefined {
  return homeRefOf(homeRefMeta.decode(raw));
}

/** What "Index this account" carries: the role the prompt was made under (none: the default). */
const indexStartValue = codec(z.object({ r: maybeString }));

export function encodeIndexStart(roleName: string): string {
  return indexStartValue.encode({ r: roleName });
}

/** The role of an "Index this account" click; undefined (the default role) for anything else. */
export function decodeIndexStart(raw: string | undefined): string | undefined {
  return indexStartValue.decode(raw)?.r;
}

/** Every button of the status message, for registering one handler per id. */
export const STATUS_ACTIONS = [
  ACTION_CONFIRM_PLACES,
  ACTION_CHOOSE_PLACES,
  ACTION_RESCAN,
  ACTION_DELETE_EXTRA,
  ACTION_RETIRE,
  ACTION_TICK_PLACE,
  ACTION_PROCEED_ANYWAY,
  ACTION_CONFIRM_DEACTIVATE,
  ACTION_REACTIVATE,
  ACTION_CONFIRM_DELETE,
  ACTION_CANCEL,
  ACTION_RETRY,
  ACTION_FULL_SCAN,
  ACTION_ACK_SEARCH,
] as const;

export type StatusAction = (typeof STATUS_ACTIONS)[number];

/**
 * Slack wants action ids unique within a block, so a button repeated per item (a checklist
 * place) gets `<action>:<n>`; handlers look at the part before the colon.
 */
export function indexedAction(action: StatusAction, index: number): string {
  return `${action}:${index}`;
}

export function baseAction(actionId: string): string {
  return actionId.split(':', 1)[0]!;
}

/** Matches an action id with or without its index. */
export function actionPattern(action: StatusAction): RegExp {
  return new RegExp(`^${action}(:\\d+)?$`);
}

export const BLOCK_STEP_ACTIONS = 'rotation_step_actions';
/** One actions block per key (`rotation_key_actions:<n>`) in the two-key choice. */
export const BLOCK_KEY_ACTIONS = 'rotation_key_actions:';
export const BLOCK_TICK_ACTIONS = 'rotation_tick_actions';

/** The places modal; its checkbox groups are `rotation_places_secrets:<n>` / `rotation_places_checklist:<n>`. */
export const VIEW_PLACES = 'rotation_places';
export const BLOCK_PLACES_SECRETS_PREFIX = 'rotation_places_secrets:';
export const BLOCK_PLACES_CHECKLIST_PREFIX = 'rotation_places_checklist:';
export const INPUT_PLACES = 'places';

/** The "proceed anyway" reason modal. */
export const VIEW_PROCEED = 'rotation_proceed';
export const BLOCK_PROCEED_REASON = 'rotation_proceed_reason';
export const INPUT_REASON = 'reason';

/** Modals that only show something (working…, the one-time reveal, a result). */
export const VIEW_INFO = 'rotation_info';

/**
 * What a status-message button carries: the rotation, the record version the message was
 * rendered from (so two clicks on the same rendering are one event), and the key or place.
 */
export interface ButtonValue {
  r: string;
  v: number;
  k?: string;
  p?: string;
}

const buttonValue = codec(z.object({ r: z.string(), v: z.number(), k: maybeString, p: maybeString }));

export function encodeValue(value: ButtonValue): string {
  return buttonValue.encode(value);
}

export function decodeValue(raw: string | undefined): ButtonValue | undefined {
  const v = buttonValue.decode(raw);
  return (
    v && {
      r: v.r,
      v: v.v,
      ...(v.k !== undefined ? { k: v.k } : {}),
      ...(v.p !== undefined ? { p: v.p } : {}),
    }
  );
}

/** What a modal (places, proceed anyway) carries back to its rotation: id and record version. */
export interface ModalMeta {
  r: string;
  v: number;
}

const modalMeta = codec(z.object({ r: z.string(), v: z.number() }), SLACK_LIMITS.privateMetadata);

export function encodeModalMeta(meta: ModalMeta): string {
  return modalMeta.encode(meta);
}

/** A modal's `private_metadata`; undefined for anything not ours. */
export function decodeModalMeta(raw: string | undefined): ModalMeta | undefined {
  const m = modalMeta.decode(raw);
  return m && { r: m.r, v: m.v };
}

/**
 * The event id of a click: the same button on the same rendering gives the same id, so a double
 * click or a Slack retry is answered as a duplicate by the workflow.
 */
export function clickEventId(action: string, value: ButtonValue): string {
  return [action, value.r, `v${value.v}`, value.k ?? '', value.p ?? ''].join(':');
}

export { rotationIdFor, statusMessageOf, statusMessageOfRotation } from '../core/status-ref.js';

/** "Take over" on the post about a parked rotation (in the approvals channel). */
export const ACTION_TAKE_OVER = 'rotation_take_over';
/** "Cancel rotation" on that post: anyone who may use the rotation's role may cancel a parked one. */
export const ACTION_CANCEL_PARKED = 'rotation_cancel_parked';

/** "Start rotation" in the detail of a user opened from the keys-due report: `rotation_due_start:<n>`. */
export const ACTION_DUE_START = 'rotation_due_start';
export const ACTION_DUE_START_PATTERN = /^rotation_due_start(:\d+)?$/;

/** The modal of bare `/rotate-key`: the role (static select) and the IAM user (external select). */
export const VIEW_PICK_USER = 'rotation_pick_user';
export const BLOCK_PICK_ROLE = 'rotation_pick_role';
export const INPUT_PICK_ROLE = 'role';
export const BLOCK_PICK_USER = 'rotation_pick_user_block';
/** The external select's action id; its options come from `app.options` (ListUsers). */
export const ACTION_PICK_USER = 'rotation_pick_user_select';

/**
 * What an "Open" (keys-due/) or "Start rotation" button of the keys-due report carries: the IAM
 * user and the role.
 */
export interface DueStartValue {
  u: string;
  r?: string;
}

const dueStartValue = codec(z.object({ u: z.string().min(1), r: maybeString }));

export function encodeDueStart(value: DueStartValue): string {
  return dueStartValue.encode(value);
}

/** An "Open" or "Start rotation" value; an empty role counts as none. Undefined for anything not ours. */
export function decodeDueStart(raw: string | undefined): DueStartValue | undefined {
  const v = dueStartValue.decode(raw);
  return v && { u: v.u, ...(v.r ? { r: v.r } : {}) };
}
