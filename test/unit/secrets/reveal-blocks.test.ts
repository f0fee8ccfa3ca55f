import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { parseEditButtonRef } from '../../../src/secrets/edit-blocks.js';
import type { View } from '@slack/types';
import type { Block } from '../../../src/slack/block-kit.js';
import {
  buildHelpMessage,
  buildListMessage,
  buildRevealView,
  splitAtLines,
} from '../../../src/secrets/reveal-blocks.js';
import { interpretSecretString, type SecretRead } from '../../../src/secrets/secret-reader.js';
import type { Deps } from '../../../src/deps.js';
import { secretCommand } from '../../../src/secrets/manifest.js';
import { helpLines } from '../../../src/slack/command-table.js';

const ctx = { roleName: '2ndline', ttlSeconds: 60 };

/** The reveal window's blocks, and its title (what a notification or the window's frame shows). */
function buildRevealMessage(s: SecretRead, c: typeof ctx): { text: string; blocks: Block[] } {
  const view: View = buildRevealView(s, c);
  assert.equal(view.type, 'modal');
  return { text: (view as { title: { text: string } }).title.text, blocks: view.blocks as Block[] };
}
const seedFields = { seedFields: ['2fa-seed'] };

function secret(text: string, name = '2ndline/fastly'): SecretRead {
  return {
    name,
    versionId: 'abcdef123456',
    changedAt: new Date('2026-11-01T14:02:00Z'),
    ...interpretSecretString(text, seedFields),
  };
}

function allText(blocks: unknown): string {
  return JSON.stringify(blocks);
}

describe('interpretSecretString', () => {
  it('splits JSON objects into fields and keeps plain strings whole', () => {
    assert.deepEqual(interpretSecretString('{"user":"ops","n":3}', seedFields).fields, [
      { key: 'user', value: 'ops', hiddenSeed: false },
      { key: 'n', value: '3', hiddenSeed: false },
    ]);
    assert.deepEqual(interpretSecretString('hunter2', seedFields), {
      kind: 'string',
      fields: [{ key: 'value', value: 'hunter2', hiddenSeed: false }],
    });
    assert.equal(interpretSecretString('[1,2]', seedFields).kind, 'string');
  });

  it('hides 2fa-seed fields and any otpauth URI', () => {
    const { fields } = interpretSecretString(
      '{"2fa-seed":"JBSWY3DPEHPK3PXP","backup":" OTPAUTH://totp/x?secret=JBSWY3DPEHPK3PXP","user":"u"}',
      seedFields,
    );
    assert.deepEqual(fields.slice(0, 2), [
      { key: '2fa-seed', hiddenSeed: true },
      { key: 'backup', hiddenSeed: true },
    ]);
    assert.equal(
      interpretSecretString('otpauth://totp/x?secret=AAAA', seedFields).fields[0]!.hiddenSeed,
      true,
    );
  });
});

describe('buildRevealView', () => {
  it('is a window that asks Slack for view_closed, titled without the value', () => {
    const view = buildRevealView(secret('{"password":"CANARY-1"}'), ctx) as View & {
      notify_on_close?: boolean;
      callback_id?: string;
    };
    assert.equal(view.notify_on_close, true);
    assert.equal(view.callback_id, 'reveal_window');
    assert.doesNotMatch(JSON.stringify((view as { title: unknown }).title), /CANARY/);
  });

  it('shows each field in a code block with the role, change date and a Hide button', () => {
    const msg = buildRevealMessage(secret('{"username":"ops","password":"p@ss"}'), ctx);
    const json = allText(msg.blocks);
    assert.match(json, /\*username\*\\n```ops```/);
    assert.match(json, /\*password\*\\n```p@ss```/);
    assert.match(json, /Read as role `2ndline`/);
    assert.match(json, /<!date\^1793541720\^/);
    assert.match(json, /"action_id":"reveal_hide"/);
    assert.match(json, /hides in 60 s/);
  });

  it('puts an Edit button next to "Hide now" that names the secret and role, never a value', () => {
    const msg = buildRevealMessage(secret('{"username":"ops","password":"CANARY-edit"}'), ctx);
    const actionsBlock = msg.blocks.find((b) => b.type === 'actions') as
      { elements: Array<{ action_id: string; value: string; text: { text: string } }> } | undefined;
    assert.deepEqual(
      actionsBlock?.elements.map((e) => [e.text.text, e.action_id]),
      [
        ['Hide now', 'reveal_hide'],
        ['Edit', 'secret_edit_open'],
      ],
    );
    const edit = actionsBlock!.elements[1]!;
    assert.deepEqual(parseEditButtonRef(edit.value), { s: '2ndline/fastly', r: '2ndline' });
    assert.doesNotMatch(edit.value, /CANARY/);
  });

  it('keeps values out of the notification text', () => {
    const msg = buildRevealMessage(secret('{"password":"CANARY-1"}'), ctx);
    assert.doesNotMatch(msg.text, /CANARY/);
  });

  it('escapes values so they cannot ping or forge links', () => {
    const json = allText(buildRevealMessage(secret('{"x":"<!channel> <https://evil|click>"}'), ctx).blocks);
    assert.doesNotMatch(json, /<!channel>/);
    assert.match(json, /&lt;!channel&gt;/);
  });

  it('never shows a seed, and points to /totp', () => {
    const json = allText(
      buildRevealMessage(secret('{"2fa-seed":"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"}'), ctx).blocks,
    );
    assert.doesNotMatch(json, /JBSWY3DPEHPK3PXP/);
    assert.match(json, /\/totp 2ndline\/fastly/);
  });

  it('shows a value holding ``` as plain text, exactly', () => {
    const msg = buildRevealMessage(secret('{"x":"a```b"}'), ctx);
    const plain = msg.blocks.find((b) => b.type === 'section' && b.text?.type === 'plain_text');
    assert.ok(plain && plain.type === 'section');
    assert.equal(plain.text?.text, 'a```b');
  });

  it('splits long values into sections within Slack limits', () => {
    const value = 'x'.repeat(9000);
    const msg = buildRevealMessage(secret(JSON.stringify({ key: value })), ctx);
    const sections = msg.blocks.filter((b) => b.type === 'section');
    assert.equal(sections.length, 4);
    for (const s of sections) assert.ok(s.type === 'section' && (s.text?.text.length ?? 0) <= 3000);
    const joined = sections
      .map((s) => (s.type === 'section' ? /```([^`]*)```/.exec(s.text!.text)![1] : ''))
      .join('');
    assert.equal(joined, value);
  });

  it('splits a PEM key at line boundaries: no base64 line is cut, each part is whole lines', () => {
    const line = (i: number) => `MIIE${String(i).padStart(4, '0')}${'A'.repeat(56)}`; // 64 characters
    const pem = [
      '-----BEGIN PRIVATE KEY-----',
      ...Array.from({ length: 120 }, (_, i) => line(i)),
      '-----END PRIVATE KEY-----',
    ].join('\n');
    const msg = buildRevealMessage(secret(JSON.stringify({ key: pem })), ctx);
    const parts = msg.blocks
      .filter((b) => b.type === 'section' && /```/.test(b.text?.text ?? ''))
      .map((b) => (b.type === 'section' ? /```([^`]*)```/.exec(b.text!.text)![1]! : ''));
    assert.ok(parts.length >= 3, `split into ${parts.length} parts`);
    for (const part of parts) {
      for (const l of part.split('\n'))
        assert.ok(
          l === '' || /^(MIIE\d{4}A{56}|-----(BEGIN|END) PRIVATE KEY-----)$/.test(l),
          `a whole line: ${l}`,
        );
    }
    assert.equal(parts.join('\n'), pem, 'the parts, one after the other on new lines, are the key');
    assert.match(JSON.stringify(msg.blocks), /part 1 of \d+: copy each part, in turn/);
  });

  it('refuses a value that cannot fit in one window', () => {
    assert.throws(
      () => buildRevealMessage(secret(JSON.stringify({ key: 'y'.repeat(100 * 2800) })), ctx),
      (err: unknown) => err instanceof UserError && err.code === 'too_large',
    );
  });
});

describe('splitAtLines', () => {
  const plain = (t: string) => t.length;
  it('keeps lines whole and puts as many as fit in a part', () => {
    assert.deepEqual(splitAtLines('aaa\nbbb\nccc', 7, plain), [
      { text: 'aaa\nbbb', continuesLine: false },
      { text: 'ccc', continuesLine: false },
    ]);
  });

  it('cuts only a line longer than a part, and says the next part goes on with it', () => {
    assert.deepEqual(splitAtLines('ab\ncdefghij\nk', 4, plain), [
      { text: 'ab', continuesLine: false },
      { text: 'cdef', continuesLine: true },
      { text: 'ghij', continuesLine: false },
      { text: 'k', continuesLine: false },
    ]);
  });

  it('measures parts as shown (escaped), so an escaped part stays within the limit', () => {
    const escaped = (t: string) => t.replace(/&/g, '&amp;').length;
    for (const part of splitAtLines('&&&&&&&&&&', 10, escaped)) assert.ok(escaped(part.text) <= 10);
  });
});

describe('buildListMessage', () => {
  const items = Array.from({ length: 60 }, (_, i) => ({
    name: `2ndline/s${String(i).padStart(2, '0')}`,
    description: '<b>desc</b>',
  }));

  it('caps a long list with a count and a hint to narrow', () => {
    const msg = buildListMessage({ items, total: 60, capped: false }, '2ndline', '2ndline/', 40);
    const json = allText(msg.blocks);
    assert.match(json, /Showing 40 of 60/);
    assert.match(json, /s39/);
    assert.doesNotMatch(json, /s40/);
    assert.doesNotMatch(json, /<b>/);
    assert.ok(msg.blocks.length <= 50);
  });

  it('says so when nothing matches', () => {
    assert.match(
      allText(buildListMessage({ items: [], total: 0, capped: false }, 'r', 'x/', 40).blocks),
      /none found/,
    );
  });
});

/** /secret's help lines from its command table, with a reveal time of `ttl` seconds. */
function secretHelp(ttl: number): string[] {
  return helpLines(secretCommand, { config: { reveal: { ttl_seconds: ttl } } } as unknown as Deps);
}

describe('buildHelpMessage', () => {
  it('lists /secret edit with its role option', () => {
    const json = allText(buildHelpMessage(secretHelp(60)).blocks);
    assert.match(json, /`\/secret edit NAME \[--role ROLE\]`/);
    assert.match(json, /left empty keeps its value/);
  });
});

describe('field labels', () => {
  it('cuts a very long field name so the section stays within Slack limits', () => {
    const key = '<&>'.repeat(2000);
    const msg = buildRevealMessage(secret(JSON.stringify({ [key]: 'v' })), ctx);
    for (const b of msg.blocks) {
      if (b.type === 'section') assert.ok((b.text?.text.length ?? 0) <= 3000);
    }
    assert.match(JSON.stringify(msg.blocks), /…\*/);
  });
});

describe('/secret help', () => {
  it('names /totp, and /rotate-key when rotation is configured (issue 18)', () => {
    const withRotation = JSON.stringify(buildHelpMessage(secretHelp(60), { rotation: true }).blocks);
    assert.match(withRotation, /`\/totp NAME \[FIELD\] \[--role ROLE\]`/);
    assert.match(withRotation, /`\/rotate-key USER \[--role ROLE\]`/);
    assert.match(withRotation, /`\/rotate-key due \[--role ROLE\]`/);
    const without = JSON.stringify(buildHelpMessage(secretHelp(60)).blocks);
    assert.match(without, /`\/totp NAME/);
    assert.doesNotMatch(without, /rotate-key/);
  });
});
