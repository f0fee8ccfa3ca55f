/**
 * Slack's confirmation dialog on a button (Block Kit "confirmation dialog object"): the one shape
 * rotation's risky buttons use, so "Back" declines everywhere and a danger button's dialog is too.
 */
import type { Button } from '@slack/types';

export interface ConfirmDialog {
  title: string;
  /** mrkdwn. */
  text: string;
  /** The label of the button that goes ahead. */
  confirm: string;
}

/** `b` behind a confirmation dialog; a danger button's dialog gets the danger style as well. */
export function withConfirm(b: Button, dialog: ConfirmDialog): Button {
  return {
    ...b,
    confirm: {
      title: { type: 'plain_text', text: dialog.title },
      text: { type: 'mrkdwn', text: dialog.text },
      confirm: { type: 'plain_text', text: dialog.confirm },
      deny: { type: 'plain_text', text: 'Back' },
      ...(b.style === 'danger' ? { style: 'danger' as const } : {}),
    },
  };
}
