/**
 * Small pieces the rotation's messages and modals share: dates, the account of a role, people,
 * links, clipping, long lists cut into sections, and the buttons of the status message (each
 * carrying the rotation and the record version it was rendered from).
 */
import type { Button } from '@slack/types';
import { type Block, button, LIMITS, section } from '../../slack/block-kit.js';
import { escapeMrkdwn, slackDate } from '../../slack/mrkdwn.js';
import { type ButtonValue, encodeValue } from './ids.js';
import { type ConfirmDialog, withConfirm } from './confirm-dialog.js';

export function date(ms: number): string {
  return slackDate(new Date(ms));
}

export function accountOf(roleArn: string): string {
  return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(roleArn)?.[1] ?? 'unknown account';
}

/** Escapes data for mrkdwn but keeps user mentions (`<@U123>`) that locksmith itself wrote. */
export function escapeKeepingMentions(text: string): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<@$1>');
}

export function who(by: string): string {
  return /^[UW][A-Z0-9]+$/.test(by) ? `<@${by}>` : escapeMrkdwn(by);
}

/** A link to a configured place; characters that would break `<url|text>` are percent-encoded. */
export function linkTo(url: string, text: string): string {
  const safe = url.replace(/[<>|&\s]/g, (c) => encodeURIComponent(c));
  return `<${safe}|${escapeMrkdwn(text).replace(/\|/g, '¦')}>`;
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Lines joined into sections of at most 3000 characters, at most `maxBlocks` of them. */
export function sections(title: string, lines: string[], maxBlocks: number): Block[] {
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

export function stepButton(
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
