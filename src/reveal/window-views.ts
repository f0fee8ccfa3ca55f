/**
 * Block Kit of the reveal windows: the window itself (a modal that tells Slack to notify the
 * bot when the person closes it), what it says while the value is being read, what replaces
 * the value when it hides, and the two messages that never hold a value: the "Open" button
 * offered when Slack would not open the window, and the notice of a hide that failed. Pure.
 */
import type { Button, View } from '@slack/types';
import type { HideAction, HideHow } from '../audit/audit-events.js';
import { actions, type Block, button, LIMITS, type SlackMessage, section } from '../slack/block-kit.js';
import { code } from '../slack/mrkdwn.js';
import { ACTION_HIDE_WINDOW, BLOCK_WINDOW_ACTIONS, VIEW_REVEAL_WINDOW } from './ids.js';

/** What a window shows, for wording its hidden state and the hide's audit event. No value. */
export interface HideSubject {
  /** The audit action of the hide. */
  action: HideAction;
  /** The secret (or IAM user) the value belongs to: the canonical name AWS returned. */
  target: string;
  field?: string;
  /** The role it was read under, for the audit event. */
  role?: { name: string; arn: string };
  /** The window's title (Slack allows 24 characters). */
  title: string;
  /** What to do to see it again, mrkdwn, already escaped (e.g. "Run `/secret get NAME` …"). */
  again: string;
}

/** Slack's limit on a modal's title. */
const TITLE_CHARS = 24;

/**
 * A reveal window: a modal with `notify_on_close`, so Slack sends `view_closed` when the
 * person closes it (docs.slack.dev/reference/views/modal-views#modal-fields) and no hide is
 * needed for it any more.
 */
export function windowView(title: string, blocks: Block[], externalId?: string): View {
  return {
    type: 'modal',
    callback_id: VIEW_REVEAL_WINDOW,
    title: { type: 'plain_text', text: title.slice(0, TITLE_CHARS) },
    close: { type: 'plain_text', text: 'Close' },
    notify_on_close: true,
    blocks: blocks.slice(0, LIMITS.modalBlocks),
    ...(externalId !== undefined ? { external_id: externalId } : {}),
  };
}

/** The "Hide now" button of a window; it carries nothing: the click names its view. */
export function hideNowButton(): Button {
  return button('Hide now', ACTION_HIDE_WINDOW);
}

/** The window's actions row: "Hide now" first, then the feature's own buttons. */
export function windowActions(...more: Button[]): Block {
  return actions(BLOCK_WINDOW_ACTIONS, hideNowButton(), ...more);
}

/** What the window says while the value is being read (mrkdwn, escaped by the caller). */
export function buildOpeningView(title: string, mrkdwn: string): View {
  return windowView(title, [section(`:hourglass_flowing_sand: ${mrkdwn}`)]);
}

/** A window that shows a notice (a refusal, an error): it holds no value, so it never hides. */
export function buildNoticeView(title: string, blocks: Block[]): View {
  return windowView(title, blocks);
}

/** What replaces the value when it hides. */
export function buildHiddenView(subject: HideSubject, how: HideHow): View {
  const what = subject.field ? `${code(subject.field)} of ${code(subject.target)}` : code(subject.target);
  const why =
    how === 'click'
      ? 'was hidden'
      : how === 'shutdown'
        ? 'was hidden because locksmith restarted'
        : 'hid itself: its time was up';
  return windowView(subject.title, [section(`:lock: ${what} ${why}.`), section(subject.again)]);
}

/**
 * What the person gets when Slack would not open the window (its trigger lapsed after 3 s, a
 * slow or cold start): a button only, no value. Its click brings a fresh trigger_id, which
 * opens the same window. Sent as a message, so it must never hold the value.
 */
export function buildOpenButtonMessage(what: string, open: Button): SlackMessage {
  return {
    text: 'Your reveal is ready: open it',
    blocks: [
      section(
        `:lock: Slack did not let locksmith open the window for ${what} in time. Press *Open* to see it; it is read again then, under your role.`,
      ),
      actions(BLOCK_WINDOW_ACTIONS, open),
    ],
  };
}

/** The notice of a hide Slack would not take: the person must close the window themselves. */
export function buildHideFailedMessage(subject: HideSubject): SlackMessage {
  const what = subject.field ? `${code(subject.field)} of ${code(subject.target)}` : code(subject.target);
  return {
    text: `Close the locksmith window showing ${subject.target}`,
    blocks: [
      section(
        `:warning: locksmith could not hide the window showing ${what}: Slack did not take the change. *Close that window now* (its *Close* button or ✕).`,
      ),
    ],
  };
}
