import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { View } from '@slack/types';
import { checkView } from '../../../devkit/block-kit-limits.js';
import { ACTION_PICK_PATTERN, ACTION_REFRESH } from '../../../src/otp/ids.js';
import {
  buildCodesView,
  buildPickView,
  buildTotpHelpMessage,
  type CodesContext,
  codesHideSubject,
  decodeTarget,
  encodeTarget,
} from '../../../src/otp/totp-blocks.js';
import { buildHiddenView } from '../../../src/reveal/window-views.js';

/** A window as the tests read it: its title (what its frame shows) and blocks. */
function buildCodesMessage(c: CodesContext) {
  return asMessage(buildCodesView(c));
}
function buildPickMessage(secretName: string, fields: string[], roleName: string) {
  return asMessage(buildPickView(secretName, fields, roleName));
}
function asMessage(view: View) {
  assert.equal(checkView(view, ['modal']), undefined, 'Slack would accept the window');
  return { text: (view as { title: { text: string } }).title.text, blocks: view.blocks as unknown[], view };
}
function checkMessageContent(_: unknown): undefined {
  return undefined; // asMessage checked the window already
}

type AnyBlock = {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  elements?: Array<{ type: string; text: string | { text: string }; action_id?: string; value?: string }>;
};

function ctx(overrides: Partial<CodesContext> = {}): CodesContext {
  return {
    secretName: '2ndline/fastly',
    field: '2fa-seed',
    roleName: '2ndline',
    issuer: 'Fastly',
    account: 'cdn-bot',
    codes: { current: '492039', next: '118204', secondsLeft: 20, periodStart: 0, period: 30 },
    hidesInSeconds: 50,
    ...overrides,
  };
}

function blocksOf(message: { blocks: unknown[] }): AnyBlock[] {
  return message.blocks as AnyBlock[];
}

describe('buildCodesMessage', () => {
  it('shows the current code large and grouped, copyable ungrouped, and the next code', () => {
    const message = buildCodesMessage(ctx());
    const blocks = blocksOf(message);
    assert.equal(blocks.find((b) => b.type === 'header')?.text?.text, '492 039');
    const texts = blocks.map((b) => JSON.stringify(b)).join('\n');
    assert.ok(texts.includes('```492039```'), 'the ungrouped code is in a code block');
    assert.match(texts, /\*20 s\* left · next code `118 204`/);
    assert.match(texts, /hides in 50 s/);
    assert.match(texts, /:key: \*Fastly\* · cdn-bot {2}\(`2ndline\/fastly` › `2fa-seed`\)/);
    assert.match(texts, /read as role `2ndline` · only visible to you/);
    assert.equal(checkMessageContent({ ...message }), undefined, 'Slack would accept it');
  });

  it('keeps codes out of the window title, and asks Slack for view_closed', () => {
    const { text, view } = buildCodesMessage(ctx());
    assert.equal(text, 'One-time password');
    assert.equal((view as { notify_on_close?: boolean }).notify_on_close, true);
  });

  it('has Hide now and a Refresh button whose value holds only the secret, field and role', () => {
    const blocks = blocksOf(buildCodesMessage(ctx()));
    const row = blocks.find((b) => b.type === 'actions')!;
    const [hide, refresh] = row.elements!;
    assert.equal(hide!.action_id, 'reveal_hide');
    assert.equal(refresh!.action_id, ACTION_REFRESH);
    assert.deepEqual(JSON.parse(refresh!.value!), { s: '2ndline/fastly', f: '2fa-seed', r: '2ndline' });
    assert.doesNotMatch(refresh!.value!, /492039|118204/);
  });

  it('has no Refresh in an approved one-off window', () => {
    const row = blocksOf(buildCodesMessage(ctx({ refresh: false }))).find((b) => b.type === 'actions')!;
    assert.deepEqual(
      row.elements!.map((e) => e.action_id),
      ['reveal_hide'],
    );
  });

  it('names the secret when the seed has no issuer or account, and escapes data', () => {
    const texts = JSON.stringify(
      buildCodesMessage(ctx({ issuer: undefined, account: undefined, field: undefined })).blocks,
    );
    assert.match(texts, /:key: `2ndline\/fastly`"/);
    const odd = JSON.stringify(buildCodesMessage(ctx({ issuer: '<!channel>', account: 'a&b' })).blocks);
    assert.ok(odd.includes('*&lt;!channel&gt;* · a&amp;b'));
    assert.ok(!odd.includes('<!channel>'));
  });

  it('groups 8-digit codes 4+4', () => {
    const codes = { current: '12345678', next: '87654321', secondsLeft: 1, periodStart: 0, period: 30 };
    const message = buildCodesMessage(ctx({ codes }));
    assert.equal(blocksOf(message).find((b) => b.type === 'header')?.text?.text, '1234 5678');
    assert.match(JSON.stringify(message.blocks), /next code `8765 4321`/);
  });

  it('leaves the Refresh button out when its value would not fit Slack, keeping the codes', () => {
    const message = buildCodesMessage(ctx({ field: 'f'.repeat(2100) }));
    assert.deepEqual(
      blocksOf(message)
        .find((b) => b.type === 'actions')
        ?.elements?.map((e) => e.action_id),
      ['reveal_hide'],
    );
    assert.equal(blocksOf(message).find((b) => b.type === 'header')?.text?.text, '492 039');
  });
});

describe('buildPickMessage', () => {
  it('offers one button per seed field, with unique action ids and no values', () => {
    const message = buildPickMessage('2ndline/multi', ['github', 'aws'], '2ndline');
    const buttons = blocksOf(message)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements!);
    assert.deepEqual(
      buttons.map((b) => (b.text as { text: string }).text),
      ['github', 'aws'],
    );
    assert.equal(new Set(buttons.map((b) => b.action_id)).size, 2);
    for (const b of buttons) assert.match(b.action_id!, ACTION_PICK_PATTERN);
    assert.deepEqual(
      buttons.map((b) => decodeTarget(b.value)),
      [
        { secretName: '2ndline/multi', field: 'github', roleName: '2ndline' },
        { secretName: '2ndline/multi', field: 'aws', roleName: '2ndline' },
      ],
    );
    assert.match(JSON.stringify(message.blocks), /holds 2 2FA seeds: `github`, `aws`/);
    assert.match(JSON.stringify(message.blocks), /\/totp 2ndline\/multi FIELD/);
    assert.equal(checkMessageContent({ ...message }), undefined);
  });

  it('stays within Slack limits with many fields and long names', () => {
    const fields = Array.from({ length: 60 }, (_, i) => `seed-${i}-${'x'.repeat(90)}`);
    const message = buildPickMessage('2ndline/many', fields, '2ndline');
    assert.equal(checkMessageContent({ ...message }), undefined);
    const rows = blocksOf(message).filter((b) => b.type === 'actions');
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => r.elements!.length <= 25));
  });
});

describe('button values', () => {
  it('round-trip and refuse anything else', () => {
    const target = { secretName: 'a/b', field: 'x y', roleName: 'r' };
    assert.deepEqual(decodeTarget(encodeTarget(target)), target);
    assert.deepEqual(decodeTarget(encodeTarget({ secretName: 'a' })), { secretName: 'a' });
    for (const bad of [undefined, '', 'x', '[]', '{}', '{"s":1}', '{"s":"a","f":2}', 'null']) {
      assert.equal(decodeTarget(bad), undefined, String(bad));
    }
  });
});

describe('the hidden codes window and help', () => {
  const role = { name: '2ndline', arn: 'arn:aws:iam::123456789012:role/x' };
  it('says the codes hid themselves and what to run for new ones, without codes', () => {
    const subject = codesHideSubject({ secretName: '2ndline/multi', field: 'aws' }, role);
    assert.equal(subject.action, 'otp.hide');
    const hidden = JSON.stringify(buildHiddenView(subject, 'ttl').blocks);
    assert.match(hidden, /`aws` of `2ndline\/multi` hid itself/);
    assert.match(hidden, /Run `\/totp 2ndline\/multi aws` for new codes/);
    const restart = buildHiddenView(codesHideSubject({ secretName: '2ndline/fastly' }, role), 'shutdown');
    assert.match(JSON.stringify(restart.blocks), /because locksmith restarted/);
  });

  it('explains usage and where seeds are found', () => {
    const help = JSON.stringify(buildTotpHelpMessage(['2fa-seed']).blocks);
    assert.match(help, /`\/totp NAME \[--role ROLE\]`/);
    assert.match(help, /`\/totp NAME FIELD/);
    assert.match(help, /`2fa-seed`/);
  });
});
