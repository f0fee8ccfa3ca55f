import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMessageContent } from '../../../src/devkit/block-kit-limits.js';
import { ACTION_PICK_PATTERN, ACTION_REFRESH } from '../../../src/otp/ids.js';
import {
  buildCodesMessage,
  buildHiddenCodesMessage,
  buildPickMessage,
  buildTotpHelpMessage,
  type CodesContext,
  codesBlockId,
  decodeTarget,
  encodeTarget,
  messageIdFromBlockId,
} from '../../../src/otp/totp-blocks.js';

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
    messageId: 'm-1',
    iteration: 'i1',
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

  it('keeps codes out of the notification text', () => {
    const { text } = buildCodesMessage(ctx());
    assert.equal(text, 'One-time password for 2ndline/fastly (only visible to you)');
    assert.doesNotMatch(text, /492|118/);
  });

  it('has a Refresh button whose value holds only the secret, field and role', () => {
    const blocks = blocksOf(buildCodesMessage(ctx()));
    const row = blocks.find((b) => b.type === 'actions')!;
    assert.equal(row.block_id, codesBlockId('m-1', 'i1'));
    const refresh = row.elements![0]!;
    assert.equal(refresh.action_id, ACTION_REFRESH);
    assert.deepEqual(JSON.parse(refresh.value!), { s: '2ndline/fastly', f: '2fa-seed', r: '2ndline' });
    assert.doesNotMatch(refresh.value!, /492039|118204/);
  });

  it('changes the block_id per iteration but keeps the message id', () => {
    const a = blocksOf(buildCodesMessage(ctx({ iteration: 'a' }))).find((b) => b.type === 'actions')!;
    const b = blocksOf(buildCodesMessage(ctx({ iteration: 'b' }))).find((x) => x.type === 'actions')!;
    assert.notEqual(a.block_id, b.block_id);
    assert.equal(messageIdFromBlockId(a.block_id), 'm-1');
    assert.equal(messageIdFromBlockId(b.block_id), 'm-1');
    assert.equal(messageIdFromBlockId('secret_reveal_actions'), undefined);
    assert.equal(messageIdFromBlockId(undefined), undefined);
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
    assert.equal(
      blocksOf(message).find((b) => b.type === 'actions'),
      undefined,
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

describe('buildHiddenCodesMessage and help', () => {
  it('says the codes expired and what to run for new ones, without codes', () => {
    const message = buildHiddenCodesMessage({ secretName: '2ndline/multi', field: 'aws' }, 'expired');
    assert.match(
      JSON.stringify(message.blocks),
      /have expired and were hidden\. Run `\/totp 2ndline\/multi aws`/,
    );
    const restart = buildHiddenCodesMessage({ secretName: '2ndline/fastly' }, 'shutdown');
    assert.match(
      JSON.stringify(restart.blocks),
      /because locksmith restarted\. Run `\/totp 2ndline\/fastly`/,
    );
  });

  it('explains usage and where seeds are found', () => {
    const help = JSON.stringify(buildTotpHelpMessage(['2fa-seed']).blocks);
    assert.match(help, /`\/totp NAME \[--role ROLE\]`/);
    assert.match(help, /`\/totp NAME FIELD/);
    assert.match(help, /`2fa-seed`/);
  });
});
