/**
 * Block Kit for /secret edit: the edit modal, the confirmation with its Undo button, and what
 * replaces the confirmation after an undo. Pure functions of data. None of them holds a value:
 * the modal names fields and leaves every input empty, the messages name fields and versions.
 */
import { z } from 'zod';
import type { InputBlock, PlainTextInput, View } from '@slack/types';
import { UserError } from '../core/errors.js';
import {
  actions,
  type Block,
  button,
  context,
  LIMITS,
  type SlackMessage,
  section,
} from '../slack/block-kit.js';
import { codec, SLACK_LIMITS } from '../slack/interaction-kit.js';
import { code } from '../slack/mrkdwn.js';
import {
  ACTION_EDIT_UNDO,
  BLOCK_EDIT_CONFIRM_ACTIONS,
  BLOCK_EDIT_FIELD_PREFIX,
  BLOCK_EDIT_NEW_NAME,
  BLOCK_EDIT_NEW_VALUE,
  editFieldBlockId,
  INPUT_EDIT_NAME,
  INPUT_EDIT_VALUE,
  VIEW_EDIT,
} from './ids.js';
import {
  type EditableField,
  type EditableSecret,
  type EditProblem,
  type IndexedChanges,
  MAX_FIELD_NAME_CHARS,
  MAX_INPUT_CHARS,
} from './secret-writer.js';

/** Slack's limits that matter here: input labels, placeholders, hints and private_metadata. */
const LABEL_CHARS = 2000;
const HINT_CHARS = 2000;
const PRIVATE_METADATA_CHARS = 3000;

/**
 * What the submission needs, carried in the modal's private_metadata: names and ids only.
 * Short keys, because the secret name and the response_url have to fit in 3000 characters.
 */
export interface EditMeta {
  /** The secret's name. */
  s: string;
  /** The role the form was read under, and the one the write runs under. */
  r: string;
  /** The version the form was opened on: the edit's base, and what Undo goes back to. */
  b: string;
  /** The person who opened the form. */
  p: string;
  /** Where to confirm: the command's (or the clicked reveal's) response_url. */
  u?: string;
  /** A channel for chat.postEphemeral, when there is no response_url or it has lapsed. */
  c?: string;
  /** The approval that allows an edit of a guarded secret. */
  a?: string;
}

/** What the Undo button carries: names and version ids, never a value. */
export interface UndoRef {
  /** The secret's name. */
  s: string;
  /** The role the edit was written under. */
  r: string;
  /** The version before the edit, which Undo makes AWSCURRENT again. */
  p: string;
  /** The version the edit wrote. */
  n: string;
  /** The person who made the edit: the only one who may undo it. */
  e: string;
}

/** What the reveal's Edit button carries: the secret and the role it was read under. */
export interface EditButtonRef {
  s: string;
  r: string;
}

const word = z.string().min(1);
/** An optional word: anything else (wrong type, empty) counts as absent. */
const maybeWord = word.optional().catch(undefined);

const editMeta = codec(
  z.object({ s: word, r: word, b: word, p: word, u: maybeWord, c: maybeWord, a: maybeWord }),
  SLACK_LIMITS.privateMetadata,
);
const undoRef = codec(z.object({ s: word, r: word, p: word, n: word, e: word }));
const editButtonRef = codec(z.object({ s: word, r: word }));

export function parseEditMeta(text: string): EditMeta | undefined {
  const o = editMeta.decode(text);
  if (!o) return undefined;
  const meta: EditMeta = { s: o.s, r: o.r, b: o.b, p: o.p };
  if (o.u !== undefined) meta.u = o.u;
  if (o.c !== undefined) meta.c = o.c;
  if (o.a !== undefined) meta.a = o.a;
  return meta;
}

export function encodeUndoRef(ref: UndoRef): string {
  return JSON.stringify(ref);
}

export function parseUndoRef(text: string): UndoRef | undefined {
  return undoRef.decode(text);
}

export function encodeEditButtonRef(ref: EditButtonRef): string {
  return JSON.stringify(ref);
}

export function parseEditButtonRef(text: string): EditButtonRef | undefined {
  return editButtonRef.decode(text);
}

function plain(text: string, max: number) {
  return { type: 'plain_text' as const, text: text.length > max ? text.slice(0, max - 1) + '…' : text };
}

function fieldInput(field: EditableField, index: number): InputBlock {
  const element: PlainTextInput = {
    type: 'plain_text_input',
    action_id: INPUT_EDIT_VALUE,
    multiline: field.multiline,
    max_length: MAX_INPUT_CHARS,
    placeholder: plain('leave empty to keep', 150),
  };
  const block: InputBlock = {
    type: 'input',
    block_id: editFieldBlockId(index),
    optional: true,
    label: plain(field.seed ? `${field.key} (2FA seed)` : field.key, LABEL_CHARS),
    element,
  };
  if (field.seed) {
    block.hint = plain(
      'A 2FA seed: never shown. Type a new seed or otpauth:// URI only to replace it.',
      HINT_CHARS,
    );
  } else if (field.json) {
    block.hint = plain(
      'Not text now (a number, list or object): what you type is stored as JSON when it is JSON.',
      HINT_CHARS,
    );
  }
  return block;
}

/**
 * The edit modal: one empty input per field, labelled with the field's name, and (for JSON
 * secrets) a pair of inputs to add a field. Nothing in it holds a value.
 * @throws UserError too_large when the fields cannot fit Slack's 100 blocks of a modal.
 */
export function buildEditView(
  secret: EditableSecret,
  ctx: { roleName: string; meta: EditMeta; approvedBy?: string },
): View {
  const approved = ctx.approvedBy ? `, approved by <@${ctx.approvedBy}>` : '';
  const blocks: Block[] = [
    section(
      `Editing ${code(secret.name)} as role ${code(ctx.roleName)} (version ${code(secret.versionId.slice(0, 8))}${approved}).\n` +
        'Type a new value only where you want a change: *a field left empty keeps its value*. Current values are not shown here.',
    ),
    ...secret.fields.map((f, i) => fieldInput(f, i)),
  ];
  if (secret.kind === 'json') {
    blocks.push(
      { type: 'divider' },
      {
        type: 'input',
        block_id: BLOCK_EDIT_NEW_NAME,
        optional: true,
        label: plain('New field name', LABEL_CHARS),
        element: {
          type: 'plain_text_input',
          action_id: INPUT_EDIT_NAME,
          max_length: MAX_FIELD_NAME_CHARS,
          placeholder: plain('optional: a field to add, e.g. api_key', 150),
        },
      },
      {
        type: 'input',
        block_id: BLOCK_EDIT_NEW_VALUE,
        optional: true,
        label: plain('New field value', LABEL_CHARS),
        element: {
          type: 'plain_text_input',
          action_id: INPUT_EDIT_VALUE,
          multiline: true,
          max_length: MAX_INPUT_CHARS,
          placeholder: plain('the new field’s value', 150),
        },
      },
    );
  }
  blocks.push(context('Save writes a new version under your role, and the confirmation has an Undo button.'));
  if (blocks.length > LIMITS.modalBlocks) {
    throw new UserError(
      'too_large',
      `\`${secret.name}\` has ${secret.fields.length} fields, more than a Slack form can hold. Change it with the AWS CLI or console.`,
    );
  }
  let meta = ctx.meta;
  // The response_url is a convenience (the confirmation can go by chat.postEphemeral instead).
  if (JSON.stringify(meta).length > PRIVATE_METADATA_CHARS) meta = { ...meta, u: undefined };
  const privateMetadata = JSON.stringify(meta);
  if (privateMetadata.length > PRIVATE_METADATA_CHARS) {
    throw new UserError('too_large', `The name \`${secret.name}\` is too long to edit in Slack.`);
  }
  return {
    type: 'modal',
    callback_id: VIEW_EDIT,
    private_metadata: privateMetadata,
    title: plain('Edit secret', 24),
    submit: plain('Save new version', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

/** The modal shown while the secret is read, or with an error instead of the form. */
export function buildEditNoticeView(
  blocks: Block[] = [section(':hourglass_flowing_sand: Reading under your role…')],
): View {
  return {
    type: 'modal',
    callback_id: 'secret_edit_notice',
    title: plain('Edit secret', 24),
    close: plain('Close', 24),
    blocks,
  };
}

type ViewStateValues = Record<string, Record<string, { value?: string | null } | undefined> | undefined>;

/**
 * Reads the submitted form: typed values by field position, and the field to add. Surrounding
 * whitespace is dropped (a pasted value often ends in a line break), and a box with only
 * whitespace counts as empty, so it keeps its value.
 */
export function readEditForm(values: ViewStateValues): IndexedChanges {
  const byIndex = new Map<number, string>();
  for (const [blockId, inputs] of Object.entries(values)) {
    if (!blockId.startsWith(BLOCK_EDIT_FIELD_PREFIX)) continue;
    const index = Number(blockId.slice(BLOCK_EDIT_FIELD_PREFIX.length));
    const value = inputs?.[INPUT_EDIT_VALUE]?.value?.trim() ?? '';
    if (Number.isInteger(index) && index >= 0 && value !== '') byIndex.set(index, value);
  }
  const name = values[BLOCK_EDIT_NEW_NAME]?.[INPUT_EDIT_NAME]?.value?.trim() ?? '';
  const value = values[BLOCK_EDIT_NEW_VALUE]?.[INPUT_EDIT_VALUE]?.value?.trim() ?? '';
  return name || value ? { byIndex, add: { name, value } } : { byIndex };
}

/**
 * Problems as `response_action: errors` wants them: by input block. A problem with a field the
 * form does not show, or with the whole form, goes on the first input.
 */
export function problemsToErrors(
  problems: EditProblem[],
  fieldNames: string[],
  firstBlockId: string,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of problems) {
    let blockId = firstBlockId;
    if (p.at === 'new-name') blockId = BLOCK_EDIT_NEW_NAME;
    else if (p.at === 'new-value') blockId = BLOCK_EDIT_NEW_VALUE;
    else if (typeof p.at === 'object') {
      const i = fieldNames.indexOf(p.at.field);
      if (i >= 0) blockId = editFieldBlockId(i);
    }
    errors[blockId] = errors[blockId] ? `${errors[blockId]} ${p.message}` : p.message;
  }
  return errors;
}

function nameList(names: string[], max = LIMITS.sectionText - 200): string {
  const out: string[] = [];
  let length = 0;
  for (const [i, n] of names.entries()) {
    const c = code(n.length > 200 ? n.slice(0, 199) + '…' : n);
    if (length + c.length > max) {
      out.push(`and ${names.length - i} more`);
      break;
    }
    out.push(c);
    length += c.length + 2;
  }
  return out.join(', ');
}

export interface EditOutcome {
  name: string;
  roleName: string;
  versionId: string;
  previousVersionId: string;
  /** Existing fields given a new value. */
  changed: string[];
  /** The field added, if any. */
  added?: string;
  editorId: string;
}

/** The ephemeral confirmation of a saved edit: the new version and an Undo button. */
export function buildEditConfirmation(o: EditOutcome): SlackMessage {
  const what: string[] = [];
  if (o.changed.length > 0) what.push(`*Changed:* ${nameList(o.changed)}`);
  if (o.added !== undefined) what.push(`*Added:* ${nameList([o.added])}`);
  const undo: UndoRef = { s: o.name, r: o.roleName, p: o.previousVersionId, n: o.versionId, e: o.editorId };
  return {
    text: `Saved a new version of ${o.name}`,
    blocks: [
      section(
        `:white_check_mark: Saved a new version of ${code(o.name)}: version ${code(o.versionId)} is now current (AWSCURRENT).`,
      ),
      section(what.join('\n')),
      context(
        `Written as role ${code(o.roleName)} · the version before, ${code(o.previousVersionId.slice(0, 8))}, is kept as AWSPREVIOUS · only visible to you`,
      ),
      actions(BLOCK_EDIT_CONFIRM_ACTIONS, button('Undo', ACTION_EDIT_UNDO, encodeUndoRef(undo), 'danger')),
    ],
  };
}

/** What replaces the confirmation once Undo has moved AWSCURRENT back (or found it moved). */
export function buildUndoneMessage(o: {
  name: string;
  previousVersionId: string;
  newVersionId: string;
  already: boolean;
}): SlackMessage {
  const text = o.already
    ? `:leftwards_arrow_with_hook: ${code(o.name)} is already back at version ${code(o.previousVersionId)}: this edit was undone before. Nothing was changed.`
    : `:leftwards_arrow_with_hook: Undone: ${code(o.name)} is back at version ${code(o.previousVersionId)} (AWSCURRENT). The version you wrote, ${code(o.newVersionId.slice(0, 8))}, is kept as AWSPREVIOUS.`;
  return { text: `Edit of ${o.name} undone`, blocks: [section(text)] };
}

/**
 * The form's place once it is submitted: the confirmation goes into the same window, so no
 * reply depends on a response_url and nothing typed stays on screen.
 */
export function buildEditSavingView(): View {
  return buildEditNoticeView([section(':hourglass_flowing_sand: Saving the new version…')]);
}

/** The confirmation of a saved edit, in the form's window: the new version and Undo. */
export function buildEditConfirmationView(o: EditOutcome): View {
  return { ...buildEditNoticeView(buildEditConfirmation(o).blocks), callback_id: 'secret_edit_done' };
}

/** What replaces the confirmation in its window once Undo has moved AWSCURRENT back. */
export function buildUndoneView(o: Parameters<typeof buildUndoneMessage>[0]): View {
  return { ...buildEditNoticeView(buildUndoneMessage(o).blocks), callback_id: 'secret_edit_done' };
}
