import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type {
  CloudTrailClient,
  LookupEventsCommand,
  LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { UserError } from '../../../src/core/errors.js';
import { createTrailRateLimiter } from '../../../src/trail/rate-limit.js';
import { createTrailService, type TrailTarget } from '../../../src/trail/trail-service.js';

const MINUTE = 60_000;
const NOW = Date.parse('2026-03-01T12:00:00Z');

interface FakeEvent {
  id: string;
  name: string;
  time: number;
}

/** CloudTrail's LookupEvents over an in-memory history: pages, tokens, filters, failures. */
class FakeCloudTrail {
  events: FakeEvent[] = [];
  inputs: LookupEventsCommand['input'][] = [];
  throttleNext = 0;
  deny = false;

  async send(command: LookupEventsCommand): Promise<LookupEventsCommandOutput> {
    const input = command.input;
    this.inputs.push(input);
    if (this.deny)
      throw Object.assign(new Error('denied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      });
    if (this.throttleNext > 0) {
      this.throttleNext--;
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    const attr = input.LookupAttributes?.[0];
    const start = input.StartTime?.getTime() ?? 0;
    const end = input.EndTime?.getTime() ?? Infinity;
    const matching = this.events
      .filter((e) => (!attr || e.name === attr.AttributeValue) && e.time >= start && e.time <= end)
      .sort((a, b) => b.time - a.time);
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const size = input.MaxResults ?? 50;
    const page = matching.slice(offset, offset + size);
    return {
      $metadata: {},
      Events: page.map((e) => ({
        EventId: e.id,
        EventName: e.name,
        EventTime: new Date(e.time),
        CloudTrailEvent: JSON.stringify({
          eventID: e.id,
          eventName: e.name,
          eventTime: new Date(e.time).toISOString().replace(/\.\d+Z$/, 'Z'),
          eventSource: 'secretsmanager.amazonaws.com',
          userIdentity: { type: 'IAMUser', userName: 'ci' },
        }),
      })),
      ...(offset + size < matching.length ? { NextToken: String(offset + size) } : {}),
    };
  }

  /** `count` events of `name`, one a minute, the newest `newestMinutesAgo` before NOW. */
  add(name: string, count: number, newestMinutesAgo = 1): void {
    for (let i = 0; i < count; i++) {
      this.events.push({
        id: `${name}-${this.events.length}`,
        name,
        time: NOW - (newestMinutesAgo + i) * MINUTE,
      });
    }
  }
}

let fake: FakeCloudTrail;
let wall: number;
let virtual: number;
/** When set, the limiter's next slot is 10 s away (another look-up holds the allowance). */
let fakeLimiterBusy = false;

function service(options: { budgetMs?: number; cacheSeconds?: number; maxEvents?: number } = {}) {
  const real = createTrailRateLimiter({
    requestsPerSecond: 2,
    marginMs: 50,
    now: () => virtual,
    sleep: async (ms) => {
      virtual += ms;
    },
  });
  const limiter = {
    ...real,
    acquire: (bucket: string, deadline: number) =>
      fakeLimiterBusy ? Promise.resolve(virtual + 10_000 <= deadline) : real.acquire(bucket, deadline),
  };
  return createTrailService({
    clock: { now: () => wall },
    limiter,
    budgetMs: options.budgetMs ?? 60_000,
    cacheSeconds: options.cacheSeconds ?? 60,
    contact: '#platform-help',
    ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}),
  });
}

function target(roleArn = 'arn:aws:iam::123456789012:role/reader'): TrailTarget {
  return {
    client: fake as unknown as CloudTrailClient,
    accountId: '123456789012',
    region: 'eu-west-1',
    roleArn,
    roleName: 'reader',
  };
}

const READS = { key: 'EventName' as const, value: 'GetSecretValue' };
const DAY = { since: NOW - 24 * 60 * MINUTE, until: NOW };

beforeEach(() => {
  fakeLimiterBusy = false;
  fake = new FakeCloudTrail();
  wall = NOW;
  virtual = 0;
});

describe('CloudTrail look-ups', () => {
  it('pages past 50 events, newest first, and says it saw them all', async () => {
    fake.add('GetSecretValue', 120);
    fake.add('PutSecretValue', 3);
    const answer = await service().lookup(target(), [READS], DAY);
    const [reads] = answer.streams;
    assert.equal(reads?.events.length, 120);
    assert.equal(reads?.complete, true);
    assert.equal(answer.stopped, undefined);
    assert.equal(answer.calls, 3);
    const times = reads!.events.map((e) => e.time.getTime());
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.ok(fake.inputs.every((i) => i.MaxResults === 50));
  });

  it('stops when the time budget runs out, says how far it got, and continues when asked again', async () => {
    fake.add('GetSecretValue', 120);
    const trail = service({ budgetMs: 1200 });
    const first = await trail.lookup(target(), [READS], DAY);
    assert.equal(first.calls, 2, 'two slots fit in 1.2 s at 2 a second');
    assert.equal(first.stopped, 'budget');
    const [partial] = first.streams;
    assert.equal(partial?.complete, false);
    assert.equal(partial?.events.length, 100);
    assert.equal(partial?.coveredFrom, partial?.events.at(-1)?.time.getTime());

    const again = await trail.lookup(target(), [READS], DAY);
    assert.equal(again.streams[0]?.complete, true);
    assert.equal(again.streams[0]?.events.length, 120);
    assert.equal(again.calls, 1, 'only the page not read yet');
    assert.equal(fake.inputs.at(-1)?.NextToken, '100', 'continued with the NextToken');
  });

  it('answers again from memory within cacheSeconds, then fetches only what is newer or came late', async () => {
    fake.add('GetSecretValue', 10);
    const trail = service({ cacheSeconds: 60 });
    await trail.lookup(target(), [READS], DAY);
    const cached = await trail.lookup(target(), [READS], DAY);
    assert.equal(cached.calls, 0);

    wall = NOW + 2 * MINUTE;
    fake.events.push({ id: 'new-1', name: 'GetSecretValue', time: NOW + MINUTE });
    const later = await trail.lookup(target(), [READS], { since: DAY.since, until: wall });
    assert.equal(later.calls, 1);
    // From 15 minutes before where the last answer ended (which ran 5 minutes past "now", for
    // clock skew), for events CloudTrail delivered late.
    assert.equal(fake.inputs.at(-1)?.StartTime?.getTime(), NOW + 5 * MINUTE - 15 * MINUTE);
    assert.equal(later.streams[0]?.events[0]?.id, 'new-1');
    assert.equal(later.streams[0]?.events.length, 11);
  });

  it('keeps what it read when CloudTrail has no room for a fresh look, and says as of when', async () => {
    fake.add('GetSecretValue', 10);
    const trail = service({ cacheSeconds: 0, budgetMs: 2000 });
    const first = await trail.lookup(target(), [READS], DAY);
    assert.equal(first.streams[0]?.events.length, 10);
    // Someone else holds the allowance for the next 10 s: no slot fits this answer's budget.
    fakeLimiterBusy = true;
    wall = NOW + MINUTE;
    const busy = await trail.lookup(target(), [READS], { since: DAY.since, until: wall });
    assert.equal(busy.calls, 0);
    assert.equal(busy.streams[0]?.events.length, 10, 'the events read before are kept');
    assert.equal(busy.asOf, NOW + 5 * MINUTE, 'as of the end of the last look');
    assert.equal(busy.stopped, 'budget');
  });

  it('forgets the least recently used streams when it holds too many events', async () => {
    fake.add('GetSecretValue', 60);
    fake.add('PutSecretValue', 60);
    const trail = service({ maxEvents: 100 });
    const puts = { key: 'EventName' as const, value: 'PutSecretValue' };
    await trail.lookup(target(), [READS], DAY);
    await trail.lookup(target(), [puts], DAY);
    assert.equal((await trail.lookup(target(), [puts], DAY)).calls, 0, 'the newest stream is kept');
    assert.equal((await trail.lookup(target(), [READS], DAY)).calls, 2, 'the older one was forgotten');
  });

  it('keeps cached answers per role: another role asks CloudTrail itself', async () => {
    fake.add('GetSecretValue', 5);
    const trail = service();
    await trail.lookup(target(), [READS], DAY);
    const other = await trail.lookup(target('arn:aws:iam::123456789012:role/other'), [READS], DAY);
    assert.equal(other.calls, 1);
  });

  it('shares one look-up among people asking the same thing at once', async () => {
    fake.add('GetSecretValue', 120);
    const trail = service();
    const answers = await Promise.all(Array.from({ length: 5 }, () => trail.lookup(target(), [READS], DAY)));
    assert.equal(fake.inputs.length, 3);
    for (const a of answers) assert.equal(a.streams[0]?.events.length, 120);
  });

  it('steps back and tries again when AWS throttles anyway', async () => {
    fake.add('GetSecretValue', 3);
    fake.throttleNext = 1;
    const answer = await service().lookup(target(), [READS], DAY);
    assert.equal(answer.streams[0]?.complete, true);
    assert.equal(answer.calls, 2);
    assert.ok(virtual >= 1000, 'waited before trying again');
  });

  it('turns an IAM denial into a sentence naming cloudtrail:LookupEvents and the role', async () => {
    fake.deny = true;
    await assert.rejects(service().lookup(target(), [READS], DAY), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.code, 'access_denied');
      assert.match(err.message, /`reader`.*cloudtrail:LookupEvents.*#platform-help/);
      return true;
    });
  });

  it('never asks for more than the 90 days CloudTrail keeps', async () => {
    const answer = await service().lookup(target(), [READS], {
      since: NOW - 400 * 24 * 60 * MINUTE,
      until: NOW,
    });
    assert.equal(answer.since, NOW - 90 * 24 * 60 * MINUTE);
    assert.equal(fake.inputs[0]?.StartTime?.getTime(), answer.since);
  });

  it('runs several streams under one budget, taking turns', async () => {
    fake.add('GetSecretValue', 200);
    fake.add('PutSecretValue', 2);
    const answer = await service({ budgetMs: 2000 }).lookup(
      target(),
      [READS, { key: 'EventName', value: 'PutSecretValue' }],
      DAY,
    );
    const [reads, writes] = answer.streams;
    assert.equal(writes?.complete, true, 'the rare stream finished');
    assert.equal(reads?.complete, false);
    assert.equal(answer.stopped, 'budget');
  });
});
