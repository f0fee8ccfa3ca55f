/**
 * The rotation's modals: working / message windows, the one-time reveal of the new key pair (the
 * only place its secret is ever shown), the places to update, and "proceed anyway" with a reason.
 */
import type { Checkboxes, InputBlock, View } from '@slack/types';
import type { KeyPair } from '../core/key-places.js';
import type { Rotation } from '../core/workflow/index.js';
import { type Block, context, LIMITS, section } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import {
  BLOCK_PLACES_CHECKLIST_PREFIX,
  BLOCK_PLACES_SECRETS_PREFIX,
  BLOCK_PROCEED_REASON,
  INPUT_PLACES,
  INPUT_REASON,
  VIEW_INFO,
  VIEW_PLACES,
  VIEW_PROCEED,
} from './ids.js';
import { clip, linkTo, sections } from './message-parts.js';

/** Checkbox groups hold at most 10 options; option texts at most 75 characters. */
const CHECKBOX_OPTIONS = 10;
const OPTION_TEXT = 75;

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
