import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsRecorder, type InjectedFailure } from '../../devkit/aws-recorder.js';
import type { MotoServer } from '../../devkit/moto.js';
import { isUserError } from '../../src/core/errors.js';
import { createIamCaller } from '../../src/keys-due/throttle.js';
import {
  buildKeysDueReport,
  type DueKey,
  type KeysDueInput,
  type KeysDueProgress,
  type KeysDueReport,
  sortKeysDue,
  type UserKeysRead,
} from '../../src/keys-due/report.js';
import type { Rotation, RotationState } from '../../src/rotation/core/rotation.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { startTestMoto } from '../support/moto.js';

const REGION = 'eu-west-1';
const DAY = 24 * 60 * 60 * 1000;
const ADMIN = { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' };
const ROLE = { name: 'platform', arn: 'arn:aws:iam::123456789012:role/platform' };
const OTHER_ACCOUNT_ROLE = { name: 'platform', arn: 'arn:aws:iam::222222222222:role/platform' };

const xmlError = (status: number, code: string, message: string): InjectedFailure => ({
  status,
  contentType: 'text/xml',
  body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>x</RequestId></ErrorResponse>`,
});
const THROTTLING = xmlError(400, 'Throttling', 'Rate exceeded');
const ACCESS_DENIED = xmlError(403, 'AccessDenied', 'User is not authorized to perform this action');

/**
 * A ListUsers page that says more follow. moto answers ListUsers in one page whatever MaxItems
 * says, so the first page is played by the recorder; the next call, with its Marker, reaches moto.
 */
const truncatedUsersPage = (names: string[], marker: string): InjectedFailure => ({
  status: 200,
  contentType: 'text/xml',
  body:
    '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users>' +
    names
      .map(
        (n) =>
          `<member><Path>/</Path><UserName>${n}</UserName><UserId>AIDA${n.length}</UserId>` +
          `<Arn>arn:aws:iam::123456789012:user/${n}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></member>`,
      )
      .join('') +
    `</Users><IsTruncated>true</IsTruncated><Marker>${marker}</Marker></ListUsersResult>` +
    '<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></ListUsersResponse>',
});

/**
 * The population, 200 users. moto stamps a key's CreateDate with its own "now", so ages come
 * from two creation phases a few milliseconds apart: "old" keys are made first, "new" keys after.
 * The report's clock is then put at (the instant between the phases) + N days, which makes every
 * old key older than N days and every new key younger, within one report.
 */
const GROUPS = {
  // phase old
  'old-used': 40, // one key, used                       → overdue
  'old-unused': 20, // one key, never used                → unused
  'old-two-used': 10, // two keys, both used              → two keys, 2 × overdue
  'old-inactive': 10, // one key, used, then Inactive     → inactive
  rotating: 10, // old key used + new key used (phase new) → two keys, overdue (old key only)
  // phase new
  'new-used': 50, // one key, used                        → nothing
  'new-extra-unused': 10, // one used + one never used    → two keys, unused
  'new-inactive': 10, // one used + one Inactive          → two keys, inactive
  'no-keys': 40, // no keys at all                         → nothing
} as const;
type Group = keyof typeof GROUPS;
const userName = (group: Group, i: number): string => `${group}-${String(i).padStart(3, '0')}`;
const usersOf = (group: Group): string[] =>
  Array.from({ length: GROUPS[group] }, (_, i) => userName(group, i));

/** Runs `fn` over `items`, `size` at a time: quick against moto without flooding it. */
async function inChunks<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

interface CreatedKey {
  userName: string;
  id: string;
  secret: string;
  createdAt: number;
}

describe('keys-due sections (pure)', () => {
  const NOW = Date.UTC(2026, 5, 1);
  const key = (id: string, ageMs: number, status: 'Active' | 'Inactive' = 'Active') => ({
    AccessKeyId: id,
    Status: status,
    CreateDate: new Date(NOW - ageMs),
  });
  const used = { LastUsedDate: new Date(NOW - DAY), ServiceName: 'sts', Region: REGION };
  const never = { ServiceName: 'N/A', Region: 'N/A' };
  const reads: UserKeysRead[] = [
    { userName: 'at-max-age', keys: [key('K1', 90 * DAY)], lastUsed: { K1: used } },
    { userName: 'just-under-max', keys: [key('K2', 90 * DAY - 1)], lastUsed: { K2: used } },
    { userName: 'unused-7-days', keys: [key('K3', 7 * DAY)], lastUsed: { K3: never } },
    { userName: 'unused-over-7-days', keys: [key('K4', 7 * DAY + 1)], lastUsed: { K4: never } },
    { userName: 'unused-and-ancient', keys: [key('K5', 400 * DAY)], lastUsed: {} },
    { userName: 'inactive-ancient', keys: [key('K6', 400 * DAY, 'Inactive')], lastUsed: { K6: never } },
    { userName: 'two-young', keys: [key('K7', DAY), key('K8', 2 * DAY)], lastUsed: { K7: used, K8: used } },
    { userName: 'no-keys', keys: [], lastUsed: {} },
  ];
  const ids = (lines: Array<{ key: { id?: string } }>) => lines.map((l) => l.key.id);

  it('puts each key in at most one of overdue, unused and inactive, by the documented boundaries', () => {
    const s = sortKeysDue(reads, [{ id: 'rot-1', userName: 'two-young' }], NOW, { maxKeyAgeDays: 90 });
    assert.deepEqual(ids(s.overdue), ['K1']);
    assert.deepEqual(ids(s.unused), ['K5', 'K4']);
    assert.deepEqual(ids(s.inactive), ['K6']);
    assert.deepEqual(
      s.twoKeys.map((l) => [l.userName, l.keys.map((k) => k.id), l.rotationId]),
      [['two-young', ['K8', 'K7'], 'rot-1']],
    );
    const categories = Object.fromEntries(s.users.map((u) => [u.userName, u.categories]));
    assert.deepEqual(categories, {
      'at-max-age': ['overdue'],
      'inactive-ancient': ['inactive'],
      'just-under-max': [],
      'no-keys': [],
      'two-young': ['two-keys', 'rotation-in-progress'],
      'unused-7-days': [],
      'unused-and-ancient': ['unused'],
      'unused-over-7-days': ['unused'],
    });
    assert.deepEqual(
      s.users.map((u) => u.userName),
      [...reads.map((r) => r.userName)].sort(),
    );
  });

  it('matches a rotation to its user as IAM compares names: case-insensitively', () => {
    const s = sortKeysDue(reads, [{ id: 'rot-1', userName: 'Two-Young' }], NOW, { maxKeyAgeDays: 90 });
    assert.equal(s.twoKeys[0]?.rotationId, 'rot-1');
    assert.deepEqual(s.users.find((u) => u.userName === 'two-young')?.categories, [
      'two-keys',
      'rotation-in-progress',
    ]);
  });

  it('honours a longer unused period', () => {
    const s = sortKeysDue(reads, [], NOW, { maxKeyAgeDays: 90, unusedKeyDays: 30 });
    assert.deepEqual(ids(s.unused), ['K5']);
    assert.equal(s.twoKeys[0]?.rotationId, undefined);
  });
});

describe('keys-due IAM caller (throttling beyond the SDK)', () => {
  /** What the SDK throws once its own attempts are spent on a throttled call. */
  const sdkError = (name: string, status: number, attempts: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status, attempts } });
  const fast = { baseDelayMs: 5, maxDelayMs: 20 };

  it('sends a call again when throttling outlasts the SDK, and counts every request', async () => {
    const caller = createIamCaller(fast);
    let sends = 0;
    const out = await caller.send('ListAccessKeys', async () => {
      if (++sends <= 2) throw sdkError('Throttling', 400, 3);
      return { $metadata: { attempts: 2 }, ok: true };
    });
    assert.equal(out.ok, true);
    const stats = caller.stats();
    assert.deepEqual(stats.byOperation.ListAccessKeys, {
      calls: 1,
      requests: 8,
      sdkRetries: 5,
      ownRetries: 2,
      failed: 0,
    });
    assert.equal(stats.requests, 8);
  });

  it('gives up after its bounded retries and rethrows the throttling error', async () => {
    const caller = createIamCaller({ ...fast, maxRetries: 2 });
    let sends = 0;
    await assert.rejects(
      caller.send('GetAccessKeyLastUsed', async () => {
        sends++;
        throw sdkError('Throttling', 400, 3);
      }),
      { name: 'Throttling' },
    );
    assert.equal(sends, 3);
    assert.deepEqual(caller.stats().byOperation.GetAccessKeyLastUsed, {
      calls: 1,
      requests: 9,
      sdkRetries: 6,
      ownRetries: 2,
      failed: 1,
    });
  });

  it('does not retry a denied call', async () => {
    const caller = createIamCaller(fast);
    let sends = 0;
    await assert.rejects(
      caller.send('ListAccessKeys', async () => {
        sends++;
        throw sdkError('AccessDenied', 403, 1);
      }),
      { name: 'AccessDenied' },
    );
    assert.equal(sends, 1);
    assert.equal(caller.stats().ownRetries, 0);
  });

  it('holds every other call back while one waits out throttling', async () => {
    const caller = createIamCaller({ baseDelayMs: 200, maxDelayMs: 200 });
    let throttled = false;
    const first = caller.send('ListAccessKeys', async () => {
      if (throttled) return 'first';
      throttled = true;
      throw sdkError('Throttling', 400, 3);
    });
    // Let the first call fail and start its backoff (at least 100 ms with these settings).
    await new Promise((resolve) => setTimeout(resolve, 10));
    const startedAt = Date.now();
    let sentAfter = -1;
    const second = caller.send('ListAccessKeys', async () => {
      sentAfter = Date.now() - startedAt;
      return 'second';
    });
    assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
    assert.ok(sentAfter >= 80, `the second call went out after ${sentAfter} ms`);
  });
});

describe('keys-due report against moto (200 users)', () => {
  let moto: MotoServer;
  let recorder: AwsRecorder;
  let admin: IAMClient;
  /** The reporting role's client as the client factory makes it (standard retries, 3 attempts). */
  let direct: IAMClient;
  let viaRecorder: IAMClient;
  let dir: string;
  let store: SqliteStore;
  /** The instant between the two creation phases (moto's clock, epoch ms). */
  let between: number;
  const keysOf = new Map<string, CreatedKey[]>();

  async function createKey(name: string): Promise<CreatedKey> {
    const res = await admin.send(new CreateAccessKeyCommand({ UserName: name }));
    const key = {
      userName: name,
      id: res.AccessKey!.AccessKeyId!,
      secret: res.AccessKey!.SecretAccessKey!,
      createdAt: res.AccessKey!.CreateDate!.getTime(),
    };
    keysOf.set(name, [...(keysOf.get(name) ?? []), key]);
    return key;
  }

  /** A consumer using the key: any call signed with it makes moto mark it used now. */
  async function use(key: CreatedKey): Promise<void> {
    const sts = new STSClient({
      region: REGION,
      endpoint: moto.url,
      credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
    });
    await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
  }

  async function deactivate(key: CreatedKey): Promise<void> {
    await admin.send(
      new UpdateAccessKeyCommand({ UserName: key.userName, AccessKeyId: key.id, Status: 'Inactive' }),
    );
  }

  async function seed(): Promise<void> {
    const all = (Object.keys(GROUPS) as Group[]).flatMap(usersOf);
    await inChunks(all, 25, (name) => admin.send(new CreateUserCommand({ UserName: name })));

    // Phase "old".
    const usedOnce = [...usersOf('old-used'), ...usersOf('old-inactive'), ...usersOf('rotating')];
    const old = await inChunks(usedOnce, 25, async (name) => {
      const key = await createKey(name);
      await use(key);
      return key;
    });
    old.push(...(await inChunks(usersOf('old-unused'), 25, createKey)));
    old.push(
      ...(
        await inChunks(usersOf('old-two-used'), 10, async (name) => {
          const keys = [await createKey(name), await createKey(name)];
          await Promise.all(keys.map(use));
          return keys;
        })
      ).flat(),
    );
    await inChunks(usersOf('old-inactive'), 25, (name) => deactivate(keysOf.get(name)![0]!));

    // The credential report dates keys to the second, as AWS does: the new phase starts in a
    // new second, and the instant between the phases is the last millisecond before it.
    const boundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((resolve) => setTimeout(resolve, boundary - Date.now() + 20));

    // Phase "new".
    const young = await inChunks(
      [
        ...usersOf('rotating'),
        ...usersOf('new-used'),
        ...usersOf('new-extra-unused'),
        ...usersOf('new-inactive'),
      ],
      25,
      async (name) => {
        const key = await createKey(name);
        await use(key);
        return key;
      },
    );
    young.push(...(await inChunks(usersOf('new-extra-unused'), 25, createKey)));
    young.push(
      ...(await inChunks(usersOf('new-inactive'), 25, async (name) => {
        const key = await createKey(name);
        await deactivate(key);
        return key;
      })),
    );

    const lastOld = Math.max(...old.map((k) => k.createdAt));
    const firstNew = Math.min(...young.map((k) => k.createdAt));
    assert.ok(lastOld < boundary && firstNew >= boundary, `the phases overlap (${lastOld} .. ${firstNew})`);
    between = boundary - 1;
  }

  async function seedRotations(): Promise<void> {
    const rotation = (id: string, user: string, state: RotationState, role = ROLE) =>
      store.create<Partial<Rotation>>(
        {
          kind: 'rotation',
          id,
          state,
          data: {
            id,
            userName: user,
            state,
            role,
            requester: { slackId: 'UREQ', teamId: 'T1' },
            createdAt: between + Number(id.slice(-1)),
            oldKeyId: keysOf.get(user)![0]!.id,
          },
        },
        Date.now(),
      );
    await rotation('rot-1', userName('rotating', 0), 'switch-over');
    await rotation('rot-2', userName('rotating', 1), 'notify-and-approve');
    await rotation('rot-3', userName('rotating', 2), 'grace');
    await rotation('rot-4', userName('rotating', 3), 'cancelling');
    await rotation('rot-5', userName('rotating', 4), 'done');
    await rotation('rot-6', userName('rotating', 5), 'switch-over', OTHER_ACCOUNT_ROLE);
  }

  before(async () => {
    moto = await startTestMoto();
    await moto.reset();
    recorder = await AwsRecorder.start(moto.url);
    admin = new IAMClient({ region: REGION, endpoint: moto.url, credentials: ADMIN });
    const reporting = { region: REGION, credentials: ADMIN, maxAttempts: 3 };
    direct = new IAMClient({ ...reporting, endpoint: moto.url });
    viaRecorder = new IAMClient({ ...reporting, endpoint: recorder.url });
    dir = mkdtempSync(join(tmpdir(), 'locksmith-keys-due-'));
    store = openSqliteStore({ dataDir: dir });
    await seed();
    await seedRotations();
  });

  after(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    admin?.destroy();
    direct?.destroy();
    viaRecorder?.destroy();
    await recorder?.stop();
    await moto?.stop();
  });

  /** The report 90 days after the instant between the phases: old keys are overdue, new ones not. */
  const run = (
    overrides: Partial<Omit<KeysDueInput, 'options'>> & {
      concurrency?: number;
      source?: 'credential-report' | 'per-user';
    } = {},
  ): Promise<KeysDueReport> => {
    const { concurrency, source, ...rest } = overrides;
    return buildKeysDueReport({
      iam: direct,
      store,
      clock: { now: () => between + 90 * DAY },
      role: ROLE,
      options: {
        maxKeyAgeDays: 90,
        pageSize: 50,
        concurrency,
        retry: { baseDelayMs: 50, maxDelayMs: 400 },
        source: source ?? 'per-user',
        reportPollDelaysMs: [250],
      },
      ...rest,
    });
  };

  const idsOf = (lines: Array<{ userName: string; key: { id?: string } }>): string[] =>
    lines.map((l) => `${l.userName}/${l.key.id}`).sort();
  /** Lines as the credential report can tell them apart: no key id, but the user and the key's creation. */
  const facts = (lines: Array<{ userName: string; key: DueKey }>): string[] =>
    lines.map((l) => `${l.userName}:${l.key.status}:${l.key.verdict}`).sort();
  /**
   * The same lines with the same key creation times, to within one second. moto sends
   * ListAccessKeys' CreateDate with microseconds (a fraction of .9995 s or more rounds up to
   * the next second when the SDK parses it to milliseconds) while the credential report
   * truncates to the second; real IAM sends whole seconds in both, so this tolerance only
   * absorbs the stand-in's extra precision.
   */
  const assertSameLines = (
    actual: Array<{ userName: string; key: DueKey }>,
    expected: Array<{ userName: string; key: DueKey }>,
  ): void => {
    assert.deepEqual(facts(actual), facts(expected));
    const created = (lines: Array<{ userName: string; key: DueKey }>): number[] =>
      [...lines]
        .sort((a, b) => a.userName.localeCompare(b.userName) || a.key.createdAt - b.key.createdAt)
        .map((l) => l.key.createdAt);
    const want = created(expected);
    created(actual).forEach((at, i) => {
      assert.ok(Math.abs(at - want[i]!) <= 1000, `key ${i} created at ${at}, expected ${want[i]} within 1 s`);
    });
  };

  let baseline: KeysDueReport;

  it('sorts 200 users with keys of mixed ages into exact sections, paging through ListUsers', async (t) => {
    const progress: KeysDueProgress[] = [];
    recorder.clear();
    // Fewer users than MaxItems and IsTruncated: IAM may do that; the report must go on.
    recorder.failNext(
      'ListUsers',
      truncatedUsersPage(['old-used-000', 'old-used-001', 'no-keys-039'], 'page-2'),
    );
    const report = await run({ iam: viaRecorder, onProgress: (p) => progress.push(p) });
    baseline = report;
    t.diagnostic(`200-user report: ${report.durationMs} ms, ${report.calls.requests} IAM requests`);

    assert.deepEqual(report.counts, {
      users: 200,
      keys: 200,
      overdue: 70,
      twoKeys: 40,
      unused: 30,
      inactive: 20,
      inProgress: 4,
      failures: 0,
    });
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.gone, []);

    // Overdue: every active old key, both keys of the two-key users, only the old key of a user mid-rotation.
    const oldKeys = (group: Group) =>
      usersOf(group).flatMap((u) => keysOf.get(u)!.map((k) => `${u}/${k.id}`));
    const firstKeys = (group: Group) => usersOf(group).map((u) => `${u}/${keysOf.get(u)![0]!.id}`);
    const secondKeys = (group: Group) => usersOf(group).map((u) => `${u}/${keysOf.get(u)![1]!.id}`);
    assert.deepEqual(
      idsOf(report.overdue),
      [...oldKeys('old-used'), ...oldKeys('old-two-used'), ...firstKeys('rotating')].sort(),
    );
    assert.deepEqual(
      idsOf(report.unused),
      [...oldKeys('old-unused'), ...secondKeys('new-extra-unused')].sort(),
    );
    assert.deepEqual(
      idsOf(report.inactive),
      [...oldKeys('old-inactive'), ...secondKeys('new-inactive')].sort(),
    );
    assert.deepEqual(
      report.twoKeys.map((l) => l.userName),
      [
        ...usersOf('new-extra-unused'),
        ...usersOf('new-inactive'),
        ...usersOf('old-two-used'),
        ...usersOf('rotating'),
      ],
    );
    assert.ok(report.twoKeys.every((l) => l.keys.length === 2));
    assert.ok(report.overdue.every((l) => l.key.status === 'Active' && l.key.ageDays === 90));
    assert.ok(report.overdue.every((l, i, a) => i === 0 || a[i - 1]!.key.createdAt <= l.key.createdAt));

    // Rotations in progress: not the finished one, not the one in another account.
    assert.deepEqual(
      report.inProgress.map((r) => [r.id, r.userName, r.state]),
      [
        ['rot-1', 'rotating-000', 'switch-over'],
        ['rot-2', 'rotating-001', 'notify-and-approve'],
        ['rot-3', 'rotating-002', 'grace'],
        ['rot-4', 'rotating-003', 'cancelling'],
      ],
    );
    const rotating0 = report.users.find((u) => u.userName === 'rotating-000')!;
    assert.equal(rotating0.rotationId, 'rot-1');
    assert.deepEqual(rotating0.categories, ['overdue', 'two-keys', 'rotation-in-progress']);
    assert.equal(report.overdue.find((l) => l.userName === 'rotating-000')?.rotationId, 'rot-1');
    assert.equal(report.users.find((u) => u.userName === 'rotating-004')!.rotationId, undefined);
    assert.deepEqual(report.users.find((u) => u.userName === 'new-used-000')!.categories, []);
    assert.deepEqual(report.users.find((u) => u.userName === 'no-keys-000')!.keys, []);
    assert.deepEqual(report.account, { roleName: 'platform', roleArn: ROLE.arn, accountId: '123456789012' });

    // Two ListUsers pages, the second asked for with the first one's Marker; one ListAccessKeys
    // per user (each once, though the pages overlap); one GetAccessKeyLastUsed per key.
    assert.deepEqual(
      recorder.callsOf('ListUsers').map((c) => [c.params.MaxItems, c.params.Marker]),
      [
        ['50', undefined],
        ['50', 'page-2'],
      ],
    );
    assert.equal(recorder.callsOf('ListAccessKeys').length, 200);
    assert.equal(recorder.callsOf('GetAccessKeyLastUsed').length, 200);
    assert.equal(report.calls.requests, recorder.calls.length);
    assert.equal(report.calls.sdkRetries + report.calls.ownRetries, 0);
    assert.equal(progress.at(-1)?.phase, 'done');
    assert.equal(progress.at(-1)?.usersRead, 200);
    assert.deepEqual(
      progress.filter((p) => p.phase === 'listing-users').map((p) => p.usersListed),
      [3, 200],
    );
  });

  it('completes with no failures while IAM throttles 30 calls, and counts the retries', async (t) => {
    recorder.clear();
    // A ListAccessKeys and a GetAccessKeyLastUsed throttled every 9 users, 15 times, while plenty
    // of users with keys are still to come.
    let nextAt = 9;
    // 8 workers: after each throttle the SDK sleeps up to a second; with 4, all workers are often
    // asleep at once, which makes the test slow (not the report wrong).
    const report = await run({
      iam: viaRecorder,
      concurrency: 8,
      onProgress: (p) => {
        if (p.phase !== 'reading-keys' || p.usersRead < nextAt || nextAt > 135) return;
        nextAt += 9;
        recorder.failNext('ListAccessKeys', THROTTLING, 1);
        recorder.failNext('GetAccessKeyLastUsed', THROTTLING, 1);
      },
    });

    t.diagnostic(`throttled report: ${report.durationMs} ms, retries: ${JSON.stringify(report.calls)}`);
    assert.equal(recorder.calls.filter((c) => c.status === 400).length, 30);
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.counts, baseline.counts);
    assert.deepEqual(idsOf(report.overdue), idsOf(baseline.overdue));
    assert.deepEqual(idsOf(report.unused), idsOf(baseline.unused));
    assert.deepEqual(idsOf(report.inactive), idsOf(baseline.inactive));
    // Every throttled answer was followed by exactly one retry, by the SDK or by the report.
    assert.equal(report.calls.sdkRetries + report.calls.ownRetries, 30);
    assert.equal(report.calls.requests, recorder.calls.length);
    assert.equal(report.calls.failed, 0);
    const listAccessKeys = report.calls.byOperation.ListAccessKeys!;
    assert.equal(listAccessKeys.calls, 200);
    assert.equal(listAccessKeys.sdkRetries + listAccessKeys.ownRetries, 15);
  });

  it('reports a user IAM will not show as access denied and still reads everyone else', async () => {
    recorder.clear();
    recorder.failNext('ListAccessKeys', ACCESS_DENIED, 1);
    const report = await run({ iam: viaRecorder });

    const denied = recorder.calls.filter((c) => c.status === 403);
    assert.equal(denied.length, 1, 'a denied call is not retried');
    const deniedUser = String(denied[0]!.params.UserName);
    assert.equal(report.failures.length, 1);
    const failure = report.failures[0]!;
    assert.equal(failure.userName, deniedUser);
    assert.equal(failure.operation, 'ListAccessKeys');
    assert.equal(failure.kind, 'access_denied');
    assert.equal(failure.errorName, 'AccessDenied');
    assert.match(failure.message, new RegExp(`IAM denied iam:ListAccessKeys for ${deniedUser}`));
    assert.equal(report.counts.users, 199);
    assert.ok(!report.users.some((u) => u.userName === deniedUser));
    const baseKeys = baseline.users.find((u) => u.userName === deniedUser)!.keys.length;
    assert.equal(report.counts.keys, 200 - baseKeys);
  });

  it('refuses with a clear access_denied error when IAM denies ListUsers, before reading any keys', async () => {
    recorder.clear();
    recorder.failNext('ListUsers', ACCESS_DENIED, 1);
    await assert.rejects(run({ iam: viaRecorder }), (err: unknown) => {
      assert.ok(isUserError(err));
      assert.equal(err.code, 'access_denied');
      assert.match(err.message, /iam:ListUsers was denied/);
      assert.match(err.message, /`platform`/);
      return true;
    });
    assert.equal(recorder.callsOf('ListAccessKeys').length, 0);
  });

  it('sends a call again itself when throttling outlasts the SDK, over the wire', async () => {
    // An SDK that stops after 2 attempts keeps this short; the factory's 3 only wait longer.
    // The denial after the throttling ends the run before any keys are read.
    const twoAttempts = new IAMClient({
      region: REGION,
      credentials: ADMIN,
      endpoint: recorder.url,
      maxAttempts: 2,
    });
    try {
      recorder.clear();
      recorder.failNext('ListUsers', THROTTLING, 2);
      recorder.failNext('ListUsers', ACCESS_DENIED, 1);
      await assert.rejects(
        run({ iam: twoAttempts }),
        (err: unknown) => isUserError(err) && err.code === 'access_denied',
      );
      // Two requests were the SDK's (its attempts are spent); the third was the report's own retry.
      assert.deepEqual(
        recorder.callsOf('ListUsers').map((c) => c.status),
        [400, 400, 403],
      );
    } finally {
      twoAttempts.destroy();
    }
  });
  it("reads IAM's credential report in three calls and sorts it as the user-by-user reads did", async (t) => {
    recorder.clear();
    const progress: KeysDueProgress[] = [];
    const report = await run({
      iam: viaRecorder,
      source: 'credential-report',
      onProgress: (p) => progress.push(p),
    });
    t.diagnostic(`credential report: ${report.durationMs} ms, ${report.calls.calls} IAM calls`);

    // Generate (STARTED), Generate again after a pause (COMPLETE), Get: nothing per user.
    assert.deepEqual(
      recorder.calls.map((c) => c.operation),
      ['GenerateCredentialReport', 'GenerateCredentialReport', 'GetCredentialReport'],
    );
    assert.equal(report.calls.calls, 3);
    assert.equal(report.source.kind, 'credential-report');
    const generatedAt = report.source.kind === 'credential-report' ? report.source.generatedAt : 0;
    assert.ok(Math.abs(generatedAt - Date.now()) < 60_000, "GeneratedTime is the report's own time");
    assert.ok(progress.some((p) => p.phase === 'credential-report'));

    // The same users, keys, sections and verdicts; only the key ids are missing.
    assert.deepEqual(report.counts, { ...baseline.counts });
    assertSameLines(report.overdue, baseline.overdue);
    assertSameLines(report.unused, baseline.unused);
    assertSameLines(report.inactive, baseline.inactive);
    assert.deepEqual(
      report.twoKeys.map((l) => l.userName),
      baseline.twoKeys.map((l) => l.userName),
    );
    assert.deepEqual(report.inProgress, baseline.inProgress);
    assert.ok(report.overdue.every((l) => l.key.id === undefined && (l.key.slot === 1 || l.key.slot === 2)));

    // "N/A" (never used, no key in the slot), the root user's row: read as AWS documents them.
    const unused = report.users.find((u) => u.userName === 'old-unused-000')!;
    assert.deepEqual(
      unused.keys.map((k) => [k.slot, k.status, k.lastUsed]),
      [[1, 'Active', 'never']],
    );
    const used = report.users.find((u) => u.userName === 'old-used-000')!.keys[0]!;
    assert.ok(
      used.lastUsed !== 'never' && used.lastUsed.service === 'sts' && used.lastUsed.region === REGION,
    );
    assert.deepEqual(report.users.find((u) => u.userName === 'no-keys-000')!.keys, []);
    assert.ok(!report.users.some((u) => u.userName === '<root_account>'));
    const offKeys = report.users.find((u) => u.userName === 'new-inactive-000')!.keys;
    assert.deepEqual(
      offKeys.map((k) => k.status),
      ['Active', 'Inactive'],
    );
  });

  it('reuses a report younger than four hours: two calls', async () => {
    recorder.clear();
    const report = await run({ iam: viaRecorder, source: 'credential-report' });
    assert.deepEqual(
      recorder.calls.map((c) => c.operation),
      ['GenerateCredentialReport', 'GetCredentialReport'],
    );
    assert.equal(report.source.kind, 'credential-report');
  });

  it('asks again while IAM says the report is still being made', async () => {
    recorder.clear();
    recorder.failNext(
      'GetCredentialReport',
      xmlError(404, 'ReportInProgress', 'Report is being generated'),
      2,
    );
    const report = await run({ iam: viaRecorder, source: 'credential-report' });
    assert.deepEqual(
      recorder.callsOf('GetCredentialReport').map((c) => c.status),
      [404, 404, 200],
    );
    assert.equal(report.counts.users, 200);
  });

  for (const denied of ['GenerateCredentialReport', 'GetCredentialReport']) {
    it(`falls back to reading each user when IAM denies ${denied}, and says so`, async () => {
      recorder.clear();
      recorder.failNext(denied, ACCESS_DENIED, 1);
      const report = await run({ iam: viaRecorder, source: 'credential-report' });
      assert.equal(report.source.kind, 'per-user');
      const reason = report.source.kind === 'per-user' ? report.source.fallbackReason : '';
      assert.match(
        reason ?? '',
        new RegExp(
          `does not allow the credential report to the role \`platform\` \\(IAM denied iam:${denied}\\)`,
        ),
      );
      assert.deepEqual(idsOf(report.overdue), idsOf(baseline.overdue));
      assert.equal(recorder.callsOf('ListAccessKeys').length, 200);
    });
  }
});
