import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMessageContent, checkView } from '../../../devkit/block-kit-limits.js';
import { type KeysDueReport, sortKeysDue, type UserKeysRead } from '../../../src/keys-due/report.js';
import { decodeDueStart } from '../../../src/rotation/slack/ids.js';
import { buildKeysDueMessage, FULL_LIST_HINT } from '../../../src/keys-due/slack/keys-due-blocks.js';
import { buildPickerView } from '../../../src/rotation/slack/user-picker.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2024-06-01T12:00:00Z');

function key(id: string, ageDays: number, status: 'Active' | 'Inactive' = 'Active') {
  return { AccessKeyId: id, Status: status, CreateDate: new Date(NOW - ageDays * DAY) };
}

function used(daysAgo: number) {
  return { LastUsedDate: new Date(NOW - daysAgo * DAY), ServiceName: 's3', Region: 'eu-west-1' };
}

function report(reads: UserKeysRead[], inProgress: KeysDueReport['inProgress'] = []): KeysDueReport {
  const sections = sortKeysDue(reads, inProgress, NOW, { maxKeyAgeDays: 90 });
  return {
    generatedAt: NOW,
    source: { kind: 'credential-report', generatedAt: NOW - 3 * 60 * 60 * 1000 },
    account: { roleName: 'ops', roleArn: 'arn:aws:iam::111111111111:role/ops', accountId: '111111111111' },
    maxKeyAgeDays: 90,
    unusedKeyDays: 7,
    ...sections,
    inProgress,
    failures: [],
    gone: [],
    counts: {
      users: sections.users.length,
      keys: sections.users.reduce((n, u) => n + u.keys.length, 0),
      overdue: sections.overdue.length,
      twoKeys: sections.twoKeys.length,
      unused: sections.unused.length,
      inactive: sections.inactive.length,
      inProgress: inProgress.length,
      failures: 0,
    },
    calls: { operations: {}, sdkRetries: 0, ownRetries: 0 } as never,
    durationMs: 1,
  };
}

const text = (v: unknown) => JSON.stringify(v);

function buttons(blocks: unknown[]): Array<{ action_id: string; value: string }> {
  return blocks
    .map((b) => (b as { accessory?: { type: string; action_id: string; value: string } }).accessory)
    .filter((a): a is { type: string; action_id: string; value: string } => a?.type === 'button');
}

describe('buildKeysDueMessage', () => {
  it("lists each section with an Open button per line (user + role), and the report's age", () => {
    const m = buildKeysDueMessage(
      report(
        [
          { userName: 'svc-old', keys: [key('AKIAOLD', 120)], lastUsed: { AKIAOLD: used(1) } },
          {
            userName: 'svc-two',
            keys: [key('AKIATWO1', 30), key('AKIATWO2', 20)],
            lastUsed: { AKIATWO1: used(1), AKIATWO2: undefined },
          },
          { userName: 'svc-off', keys: [key('AKIAOFF', 10, 'Inactive')], lastUsed: { AKIAOFF: used(9) } },
          { userName: 'svc-busy', keys: [key('AKIABUSY', 100)], lastUsed: { AKIABUSY: used(1) } },
          { userName: 'svc-fine', keys: [key('AKIAFINE', 3)], lastUsed: { AKIAFINE: used(1) } },
        ],
        [
          {
            id: 'rot_1',
            userName: 'svc-busy',
            state: 'switch-over',
            requestedBy: 'U0ALICE',
            startedAt: NOW - 2 * DAY,
          },
        ],
      ),
      { roleName: 'ops' },
    );
    const shown = text(m.blocks);
    assert.match(shown, /Keys due: role ops \(account 111111111111\)/);
    assert.match(shown, /Keys older than 90 days\* \(2\)/);
    assert.match(shown, /svc-old.*AKIAOLD.*120 days old, last used 2024-05-31 \(s3, eu-west-1\)/);
    assert.match(shown, /Users with two keys\* \(1\)/);
    assert.match(shown, /Keys never used, older than 7 days\* \(1\)/);
    assert.match(shown, /AKIATWO2.*never used/);
    assert.match(shown, /Inactive keys awaiting deletion\* \(1\)/);
    assert.match(shown, /Rotations in progress\* \(1\)/);
    assert.match(shown, /svc-busy.*switch-over.*started by <@U0ALICE>.*2 days ago/);
    assert.doesNotMatch(shown, /svc-fine/);
    const bs = buttons(m.blocks);
    const users = bs.map((b) => decodeDueStart(b.value));
    assert.ok(users.every((u) => u?.r === 'ops'));
    assert.deepEqual(
      users.map((u) => u?.u),
      ['svc-old', 'svc-busy', 'svc-two', 'svc-two', 'svc-off', 'svc-busy'],
    );
    assert.ok(bs.every((b) => b.action_id.startsWith('rotation_due_open:')));
    assert.match(
      shown,
      /From IAM's credential report as of 09:00 UTC; IAM makes a new one at most every 4 hours/,
    );
    assert.equal(new Set(bs.map((b) => b.action_id)).size, bs.length, 'action ids are unique');
    assert.match(shown, /rotation in progress/);
    assert.equal(checkMessageContent(m as never), undefined);
    assert.match(m.text, /2 overdue, 1 with two keys, 1 never used, 1 inactive, 1 rotating/);
  });

  it('says when nothing needs attention', () => {
    const m = buildKeysDueMessage(
      report([{ userName: 'svc-fine', keys: [key('AKIAFINE', 3)], lastUsed: { AKIAFINE: used(1) } }]),
      { roleName: 'ops' },
    );
    assert.match(text(m.blocks), /No access key needs attention/);
    assert.equal(buttons(m.blocks).length, 0);
  });

  it('stays within 50 blocks: …and N more, and the AWS console / CLI hint', () => {
    const reads: UserKeysRead[] = [];
    for (let i = 0; i < 80; i++) {
      const id = `AKIAOLD${String(i).padStart(3, '0')}`;
      reads.push({
        userName: `svc-${String(i).padStart(3, '0')}`,
        keys: [key(id, 100 + i)],
        lastUsed: { [id]: used(1) },
      });
    }
    for (let i = 0; i < 10; i++) {
      const id = `AKIAOFF${i}`;
      reads.push({ userName: `off-${i}`, keys: [key(id, 5, 'Inactive')], lastUsed: { [id]: used(1) } });
    }
    const m = buildKeysDueMessage(report(reads), { roleName: 'ops' });
    assert.ok(m.blocks.length <= 50, `${m.blocks.length} blocks`);
    const shown = text(m.blocks);
    assert.match(shown, /Keys older than 90 days\* \(80\)/);
    assert.match(shown, /…and \d+ more/);
    assert.match(shown, /Inactive keys awaiting deletion/);
    assert.ok(shown.includes(JSON.stringify(FULL_LIST_HINT).slice(1, 40)));
    const more = /…and (\d+) more\./.exec(shown);
    assert.equal(buttons(m.blocks).length + Number(more![1]), 80);
    assert.equal(checkMessageContent(m as never), undefined);
  });
});

describe('buildKeysDueMessage: where the data came from', () => {
  const one: UserKeysRead[] = [
    { userName: 'svc-old', keys: [key('AKIAOLD', 120)], lastUsed: { AKIAOLD: used(1) } },
  ];

  it('names a key by its slot when the credential report gave no id', () => {
    const r = report(one);
    r.overdue = r.overdue.map((l) => ({ ...l, key: { ...l.key, id: undefined, slot: 2 } }));
    assert.match(
      text(buildKeysDueMessage(r, { roleName: 'ops' }).blocks),
      /`svc-old` · access key 2, 120 days old/,
    );
  });

  it('says the report was read user by user, and why, when the role may not have the credential report', () => {
    const r = {
      ...report(one),
      source: {
        kind: 'per-user' as const,
        fallbackReason:
          "IAM does not allow the credential report to the role `ops` (IAM denied iam:GenerateCredentialReport), so each user's keys were read one by one.",
      },
      calls: { calls: 3 } as never,
    };
    const shown = text(buildKeysDueMessage(r, { roleName: 'ops' }).blocks);
    assert.match(
      shown,
      /does not allow the credential report to the role `ops` \(IAM denied iam:GenerateCredentialReport\)/,
    );
    assert.match(shown, /3 IAM calls/);
  });

  it("shows where a user's key lives when it is remembered", () => {
    const shown = text(
      buildKeysDueMessage(report(one), {
        roleName: 'ops',
        homes: new Map([['svc-old', 'app/deploy, Datadog']]),
      }).blocks,
    );
    assert.match(shown, /`svc-old` · `AKIAOLD`, 120 days old, .* · lives in app\/deploy, Datadog/);
  });
});

describe('buildPickerView', () => {
  it('is a valid modal: the roles as a static select, the users as an external select', () => {
    const view = buildPickerView(['ops', 'sandbox']);
    assert.equal(checkView(view, ['modal']), undefined);
    const shown = text(view.blocks);
    assert.match(shown, /static_select.*ops.*sandbox/);
    assert.match(shown, /external_select.*"min_query_length":0/);
  });
});
