import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RENDERED_TYPES } from '../../sandbox/web/render-blocks.js';

/** Every block, element and text-object type Block Kit has (docs.slack.dev, Block Kit reference). */
const BLOCK_KIT_TYPES = [
  // blocks
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'rich_text',
  'section',
  'video',
  'markdown',
  // elements
  'button',
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'number_input',
  'overflow',
  'plain_text_input',
  'radio_buttons',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
  'conversations_select',
  'channels_select',
  'file_input',
  'rich_text_input',
  // text objects
  'plain_text',
  'mrkdwn',
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the sandbox renderer covers the bot', () => {
  it("knows every Block Kit type named in the bot's source, so a new element cannot reach the page unrendered", () => {
    const named = new Set<string>();
    for (const file of sources('src')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/type: '([a-z_]+)'/g)) {
        if (BLOCK_KIT_TYPES.includes(match[1]!)) named.add(match[1]!);
      }
    }
    assert.ok(named.has('section') && named.has('button'), "the scan found the bot's blocks");
    const missing = [...named].filter((t) => !RENDERED_TYPES.has(t));
    assert.deepEqual(missing, []);
  });
});
