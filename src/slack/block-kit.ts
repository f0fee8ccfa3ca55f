/**
 * Small Block Kit builders shared by every feature, and Slack's documented limits. Features
 * build their messages from these so the limits are checked in one place.
 */
import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { escapeMrkdwn } from './mrkdwn.js';

export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  buttonValue: 2000,
  contextElements: 10,
} as const;

export type Block = KnownBlock;

/** A section of mrkdwn the caller has already escaped. */
export function section(mrkdwn: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

/** A section of plain text: Slack parses nothing in it, so it needs no escaping. */
export function plainSection(text: string): SectionBlock {
  return { type: 'section', text: { type: 'plain_text', text, emoji: false } };
}

export function header(text: string): HeaderBlock {
  const t = text.length > LIMITS.headerText ? text.slice(0, LIMITS.headerText - 1) + '…' : text;
  return { type: 'header', text: { type: 'plain_text', text: t, emoji: true } };
}

export function context(...mrkdwn: string[]): ContextBlock {
  return { type: 'context', elements: mrkdwn.map((text) => ({ type: 'mrkdwn' as const, text })) };
}

export function button(text: string, actionId: string, value?: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    ...(value !== undefined ? { value } : {}),
    ...(style ? { style } : {}),
  };
}

export function actions(blockId: string, ...elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

/** A complete message: the `text` is what notifications show, so it must never hold a value. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** A short message with one section, for errors, refusals and confirmations. */
export function notice(text: string, emoji = ':warning:'): SlackMessage {
  return { text: stripMrkdwn(text), blocks: [section(`${emoji} ${text}`)] };
}

/** A message that shows data as plain text, escaped. */
export function textMessage(text: string): SlackMessage {
  return { text, blocks: [section(escapeMrkdwn(text))] };
}

function stripMrkdwn(text: string): string {
  return text.replace(/[`*_]/g, '').slice(0, 300);
}
