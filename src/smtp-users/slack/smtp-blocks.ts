/**
 * Block Kit of the SES SMTP user replacement: the status message in the requester's DM (one
 * per replacement, updated in place), and the one-time modal with the new SMTP credentials.
 * Pure functions; names are escaped, and the password only ever goes into the modal.
 */
import type { Button } from '@slack/types';
import type { View } from '@slack/types';
import { z } from 'zod';
import {
  actions,
  type Block,
  button,
  context,
  LIMITS,
  section,
  type SlackMessage,
} from '../../slack/block-kit.js';
import { codec } from '../../slack/interaction-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import {
  ACTION_SMTP_CANCEL,
  ACTION_SMTP_CREATE,
  ACTION_SMTP_DELETE_OLD,
  BLOCK_SMTP_ACTIONS,
  VIEW_SMTP_INFO,
} from '../ids.js';

/** What every button of the status message carries. */
export interface SmtpValue {
  /** Old (replaced) user. */
  o: string;
  /** New user, `<old>.YYYYMMDD`. */
  n: string;
  /** Role name the replacement runs under. */
  r: string;
  /** Requester's Slack id and team. */
  q: string;
  t: string;
}

const word = z.string().min(1);
/** Old, new, role and requester must be there; a missing or odd team counts as unknown (''). */
const smtpValue = codec(z.object({ o: word, n: word, r: word, q: word, t: z.string().catch('') }));

export function encodeSmtpValue(v: SmtpValue): string {
  return smtpValue.encode(v);
}

/** A status-message button's value; undefined for anything not ours (forged, malformed, too long). */
export function decodeSmtpValue(raw: string | undefined): SmtpValue | undefined {
  const v = smtpValue.decode(raw);
  return v && { o: v.o, n: v.n, r: v.r, q: v.q, t: v.t };
}

export type SmtpStage =
  | { stage: 'start' }
  | { stage: 'created'; copied?: { groups: string[]; attached: string[]; inline: string[] }; note?: string }
  | { stage: 'awaiting-approval'; approvalsChannel: string }
  | { stage: 'done' }
  | { stage: 'cancelled'; newDeleted: boolean }
  | { stage: 'failed'; message: string; retry: 'create' | 'delete' };

function withConfirm(b: Button, title: string, text: string, ok: string): Button {
  return {
    ...b,
    confirm: {
      title: { type: 'plain_text', text: title.slice(0, 100) },
      text: { type: 'mrkdwn', text: text.slice(0, 300) },
      confirm: { type: 'plain_text', text: ok.slice(0, 30) },
      deny: { type: 'plain_text', text: 'Back' },
    },
  };
}

function list(items: string[], none: string): string {
  if (items.length === 0) return none;
  const shown = items.slice(0, 10).map((i) => code(i.slice(0, 200)));
  return shown.join(', ') + (items.length > 10 ? ` and ${items.length - 10} more` : '');
}

/** The status message of a replacement. */
export function buildSmtpStatus(v: SmtpValue, s: SmtpStage): SlackMessage {
  const value = encodeSmtpValue(v);
  const old = code(v.o);
  const next = code(v.n);
  const intro = `:envelope: *Replacing SES SMTP user ${old}* (role ${code(v.r)}). Its SMTP password is derived from its access key, so the key is not rotated in place: a new user ${next} takes its place, then ${old} is deleted.`;
  const cancel = withConfirm(
    button(`Cancel (delete ${v.n.slice(0, 40)})`, ACTION_SMTP_CANCEL, value),
    'Cancel the replacement?',
    `${next} is deleted (if it was made). ${old} is left as it is.`,
    'Cancel replacement',
  );
  const create = withConfirm(
    button(`Create ${v.n.slice(0, 50)}`, ACTION_SMTP_CREATE, value, 'primary'),
    'Create the new user?',
    `locksmith creates ${next} with the groups and policies of ${old}, makes its access key and shows the SMTP credentials once, only to you.`,
    'Create',
  );
  const deleteOld = withConfirm(
    button(`Delete ${v.o.slice(0, 50)}…`, ACTION_SMTP_DELETE_OLD, value, 'danger'),
    `Delete ${v.o.slice(0, 60)}?`,
    `Only once nothing sends mail as ${old} any more. An approver is asked first; then its keys, policies, group memberships and the user itself are deleted. This cannot be undone.`,
    'Ask to delete',
  );
  const blocks: Block[] = [section(intro)];
  let text: string;
  switch (s.stage) {
    case 'start':
      text = `Replacing SES SMTP user ${v.o}: step 1 of 3`;
      blocks.push(
        section(
          [
            `*1. Create ${next}* with the same groups, managed and inline policies as ${old}, and its access key. The SMTP credentials (user name = access key id, password derived for SES) are shown *once*, in a window only you see.`,
            '*2. Switch over:* put the new credentials wherever mail is sent from (you do this).',
            `*3. Delete ${old}* once nothing uses it: an approver is asked first.`,
          ].join('\n'),
        ),
        actions(BLOCK_SMTP_ACTIONS, create, cancel),
      );
      break;
    case 'created':
      text = `Replacing SES SMTP user ${v.o}: switch over, then delete the old user`;
      blocks.push(
        section(
          s.copied
            ? `:white_check_mark: *1. Created ${next}*: groups ${list(s.copied.groups, '_none_')}; managed policies ${list(s.copied.attached, '_none_')}; inline policies ${list(s.copied.inline, '_none_')}.`
            : `:white_check_mark: *1. ${next} is in place.*`,
        ),
        section(
          `*2. Switch over now:* put the new SMTP credentials wherever mail is sent from, and check mail goes out.\n*3.* When nothing sends as ${old} any more, delete it.`,
        ),
      );
      if (s.note) blocks.push(context(escapeMrkdwn(s.note)));
      blocks.push(actions(BLOCK_SMTP_ACTIONS, deleteOld, cancel));
      break;
    case 'awaiting-approval':
      text = `Replacing SES SMTP user ${v.o}: waiting for an approver`;
      blocks.push(
        section(
          `:hourglass_flowing_sand: *3. Deleting ${old}* waits for an approver in ${/^[CG][A-Z0-9]+$/.test(s.approvalsChannel) ? `<#${s.approvalsChannel}>` : 'the approvals channel'}. ${next} is in place.`,
        ),
        actions(BLOCK_SMTP_ACTIONS, cancel),
      );
      break;
    case 'done':
      text = `Replaced SES SMTP user ${v.o} with ${v.n}`;
      blocks.push(
        section(
          `*Done.* ${old} was deleted (its keys, policies and group memberships with it). ${next} replaces it.`,
        ),
      );
      break;
    case 'cancelled':
      text = `Replacement of SES SMTP user ${v.o} cancelled`;
      blocks.push(
        section(
          `*Cancelled.* ${s.newDeleted ? `${next} was deleted.` : `${next} had not been made.`} ${old} is unchanged.`,
        ),
      );
      break;
    case 'failed':
      text = `Replacing SES SMTP user ${v.o}: a step failed`;
      blocks.push(
        section(`:x: ${escapeMrkdwn(s.message)}`),
        actions(BLOCK_SMTP_ACTIONS, s.retry === 'create' ? create : deleteOld, cancel),
      );
      break;
  }
  return { text, blocks: blocks.slice(0, LIMITS.modalBlocks) };
}

function infoView(title: string, blocks: Block[]): View {
  return {
    type: 'modal',
    callback_id: VIEW_SMTP_INFO,
    title: { type: 'plain_text', text: title.slice(0, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks,
  };
}

export function buildSmtpWorkingView(text: string): View {
  return infoView('SES SMTP user', [section(`:hourglass_flowing_sand: ${text}`)]);
}

export function buildSmtpMessageView(mrkdwn: string): View {
  return infoView('SES SMTP user', [section(mrkdwn)]);
}

/** The one-time window with the new SMTP credentials: the only place the password is shown. */
export function buildSmtpCredentialsView(
  newUser: string,
  creds: { username: string; password: string; region: string; endpoint: string },
): View {
  return infoView('SMTP credentials', [
    section(
      `:key: The SES SMTP credentials of ${code(newUser)} for ${code(creds.region)}. *Shown once:* locksmith keeps neither the password nor the secret key it comes from. Copy them now.`,
    ),
    section(`*SMTP user name*\n\`\`\`${escapeMrkdwn(creds.username)}\`\`\``),
    section(`*SMTP password*\n\`\`\`${escapeMrkdwn(creds.password)}\`\`\``),
    context(
      `Server ${code(creds.endpoint)}, port 587 (STARTTLS) or 465 (TLS). The password works in this region only.`,
    ),
  ]);
}
