import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrailEvent } from '../../../src/trail/cloudtrail-record.js';
import { groupCallers, type KeyUsage } from '../../../src/trail/key-callers.js';
import { buildKeyCallersBlocks, buildKeyEvidenceLine } from '../../../src/trail/key-callers-blocks.js';
import { keysToShow, withBlocks } from '../../../src/rotation/slack/key-evidence.js';
import type { Rotation } from '../../../src/rotation/core/rotation.js';

const CLI = 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0';

function event(i: number, over: Partial<TrailEvent> = {}): TrailEvent {
  return {
    id: `e${i}`,
    name: 'GetCallerIdentity',
    source: 'sts.amazonaws.com',
    time: new Date(Date.UTC(2026, 2, 1, 9, i)),
    region: 'eu-west-1',
    sourceIp: '10.2.3.4',
    userAgent: CLI,
    actor: { label: 'svc', kind: 'iam-user' },
    requestParameters: {},
    responseElements: {},
    ...over,
  };
}

function usage(over: Partial<KeyUsage> = {}): KeyUsage {
  return {
    keyId: 'AKIAEXAMPLEOLDKEY001',
    callers: [],
    calls: 0,
    since: 0,
    until: 1,
    coveredFrom: 0,
    complete: true,
    asOf: 1,
    regions: ['eu-west-1'],
    ...over,
  };
}

describe('key callers', () => {
  it('groups calls by address and user agent, with services, Regions, first and last seen and counts', () => {
    const callers = groupCallers([
      event(1),
      event(40, { name: 'GetSecretValue', source: 'secretsmanager.amazonaws.com' }),
      event(5, { errorCode: 'AccessDenied' }),
      event(20, { sourceIp: '10.9.9.9', userAgent: 'Boto3/1.34.0', region: 'us-east-1' }),
    ]);
    assert.equal(callers.length, 2);
    const [cli, boto] = callers;
    assert.equal(cli?.count, 3);
    assert.equal(cli?.failed, 1);
    assert.deepEqual(cli?.services, ['secretsmanager', 'sts']);
    assert.deepEqual(cli?.operations, ['GetCallerIdentity', 'GetSecretValue']);
    assert.equal(cli?.first.toISOString(), '2026-03-01T09:01:00.000Z');
    assert.equal(cli?.last.toISOString(), '2026-03-01T09:40:00.000Z');
    assert.equal(cli?.agent.via, 'cli');
    assert.deepEqual(boto?.regions, ['us-east-1'], 'most recently seen first');
  });

  it('renders each key with its callers and what CloudTrail cannot show', () => {
    const callers = groupCallers([event(1), event(2)]);
    const blocks = buildKeyCallersBlocks(
      [
        { usage: usage({ callers, calls: 2 }), label: 'Old key' },
        { usage: usage({ keyId: 'AKIAEXAMPLENEWKEY001' }), label: 'New key' },
      ],
      { days: 7 },
    );
    const text = JSON.stringify(blocks);
    assert.match(text, /\*Old key\* `AKIAEXAMPLEOLDKEY001`: :eyes: 2 calls from 1 caller in the last 7 days/);
    assert.match(
      text,
      /10\.2\.3\.4, CLI \(aws-cli\/2\.15\.30\): sts in eu-west-1 \(GetCallerIdentity\); 2 calls, first/,
    );
    assert.match(text, /\*New key\* `AKIAEXAMPLENEWKEY001`: :zzz: no calls in the last 7 days/);
    assert.match(text, /data events \(S3 object reads and writes, DynamoDB items, Lambda invocations\)/);
    assert.match(text, /Regions other than eu-west-1/);
  });

  it('escapes what callers sent: a user agent cannot ping or link', () => {
    const callers = groupCallers([event(1, { userAgent: '<!channel>', sourceIp: '<https://x|y>' })]);
    const text = JSON.stringify(
      buildKeyCallersBlocks([{ usage: usage({ callers, calls: 1 }), label: 'Old key' }], { days: 7 }),
    );
    assert.doesNotMatch(text, /<!channel>/);
    assert.match(text, /&lt;!channel&gt;/);
    assert.doesNotMatch(text, /<https:/);
  });

  it("quotes the key's last caller for 2ndline, or says it saw none, or why it could not look", () => {
    const callers = groupCallers([event(1), event(30, { sourceIp: '10.0.0.9', userAgent: 'Boto3/1.34.0' })]);
    assert.match(
      buildKeyEvidenceLine(usage({ callers, calls: 2 }), 7),
      /\*CloudTrail \(eu-west-1\):\* last call with `AKIAEXAMPLEOLDKEY001` from 10\.0\.0\.9 by Boto3\/1\.34\.0 at <!date\^\d+.*\(2 calls in the last 7 days, and 1 other caller\)/,
    );
    assert.match(buildKeyEvidenceLine(usage(), 7), /no calls with `AKIAEXAMPLEOLDKEY001` in the last 7 days/);
    // "No calls" is CloudTrail's view only: the notice says what it cannot see.
    for (const line of [
      buildKeyEvidenceLine(usage(), 7),
      buildKeyEvidenceLine(usage({ callers, calls: 2 }), 7),
    ]) {
      assert.match(
        line,
        /\nNot in CloudTrail's event history: data events \(S3 object reads and writes, DynamoDB items, Lambda invocations\), Regions other than eu-west-1 .*calls of the last few minutes/,
      );
    }
    assert.match(
      buildKeyEvidenceLine(usage({ error: 'Your role `x` may not read CloudTrail' }), 7),
      /could not be checked: Your role/,
    );
  });

  it('shows the keys each state is about', () => {
    const base = {
      oldKeyId: 'OLD',
      newKeyId: 'NEW',
      keys: [{ id: 'OLD' }, { id: 'TWO' }],
    } as unknown as Rotation;
    const ids = (state: string) =>
      keysToShow({ ...base, state } as Rotation).map((k) => `${k.label}:${k.keyId}`);
    assert.deepEqual(ids('resolve-extra-key'), ['Key:OLD', 'Key:TWO']);
    assert.deepEqual(ids('confirm-places'), ['Old key:OLD']);
    assert.deepEqual(ids('switch-over'), ['Old key:OLD', 'New key:NEW']);
    assert.deepEqual(ids('grace'), []);
    assert.deepEqual(ids('done'), []);
  });

  it('puts the evidence before the buttons, and never past 50 blocks', () => {
    const message = {
      text: 't',
      blocks: [
        { type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'a' } },
        { type: 'actions' as const, elements: [] },
        { type: 'context' as const, elements: [] },
      ],
    };
    const evidence = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'evidence' } }];
    assert.deepEqual(
      withBlocks(message, evidence).blocks.map((b) => b.type),
      ['section', 'section', 'actions', 'context'],
    );
    const full = { text: 't', blocks: Array.from({ length: 50 }, () => message.blocks[0]!) };
    assert.equal(withBlocks(full, evidence).blocks.length, 50);
  });
});
