/**
 * `/secret who` against moto's CloudTrail history: the time from the signed command to the
 * final reply, the LookupEvents calls it took and whether the answer was complete, for an
 * account with few reads and with many (every GetSecretValue of every secret is in the same
 * EventName stream, so an account's read traffic is what makes an answer slow). Next to the
 * floor: the same look-ups made directly with the SDK, paced at CloudTrail's 2 per second.
 * Then the same question asked again (the cache), and 20 people asking at once.
 *
 * `node --import tsx bench/secret-who.ts [READS...]` (default 0 450 2000); results in
 * bench/results/secret-who.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type PolicyDocument } from '../devkit/aws-seed.js';
import { CHANGE_EVENTS, READ_EVENTS } from '../src/trail/secret-who.js';
import { type Harness, REGION, startHarness } from '../test/support/app-harness.js';
import { config, seed, usergroups, users } from '../test/support/fixtures.js';

const SIZES = process.argv.slice(2).map(Number);
const READS = SIZES.length ? SIZES : [0, 450, 2000];

const READ_AND_TRAIL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecrets',
        'cloudtrail:LookupEvents',
      ],
      Resource: '*',
    },
  ],
};

const h: Harness = await startHarness({
  config: { ...config, trail: { budget_seconds: 10, cache_seconds: 60 } },
  seed: {
    ...seed,
    roles: (seed.roles ?? []).map((r) =>
      r.name === 'locksmith-2ndline' ? { ...r, policy: READ_AND_TRAIL } : r,
    ),
  },
  users,
  usergroups,
  enforceIam: false,
  logLevel: 'warn',
});

async function who(userId: string, text: string): Promise<{ ms: number; json: string }> {
  const started = performance.now();
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  const reply = await h.slack.waitFor(
    () =>
      h.slack.responseUrlPosts.find(
        (p) => p.url === sent.responseUrl && !JSON.stringify(p.body).includes('Looking through CloudTrail'),
      ),
    120_000,
  );
  return { ms: performance.now() - started, json: JSON.stringify(reply.body) };
}

async function lookups(): Promise<number> {
  const stats = await h.moto.cloudTrailStats();
  return stats.lookupEvents.reduce((n, s) => n + s.served, 0);
}

/** The floor: the same 7 streams paged directly with the SDK at 2 a second (550 ms apart). */
async function floor(): Promise<{ ms: number; calls: number }> {
  const person = await h.deps.directory.lookup('U0ALICE', 'T0');
  const session = await h.deps.sessions.sessionFor(person, {
    name: '2ndline',
    arn: h.seeded.roleArns['locksmith-2ndline']!,
  });
  const client = session.clients.cloudTrail(REGION);
  const started = performance.now();
  let calls = 0;
  let next = performance.now();
  const until = new Date(Date.now() + 5 * 60_000);
  const since = new Date(Date.now() - 30 * 86_400_000);
  for (const name of [...READ_EVENTS, ...CHANGE_EVENTS]) {
    let token: string | undefined;
    do {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next = performance.now() + 550;
      calls++;
      const out = await client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }],
          StartTime: since,
          EndTime: until,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      token = out.NextToken;
    } while (token);
  }
  return { ms: performance.now() - started, calls };
}

// A machine consumer that reads secrets: the account's read traffic.
const iam = new IAMClient({
  region: REGION,
  endpoint: h.moto.url,
  credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
});
await iam.send(new CreateUserCommand({ UserName: 'busy-app' }));
await iam.send(
  new PutUserPolicyCommand({
    UserName: 'busy-app',
    PolicyName: 'read',
    PolicyDocument: JSON.stringify(READ_AND_TRAIL),
  }),
);
const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'busy-app' }))).AccessKey!;
const app = new SecretsManagerClient({
  region: REGION,
  endpoint: h.moto.url,
  credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
});

const results: Array<Record<string, unknown>> = [];
let readsSoFar = 0;
try {
  // Alice's own reveal, the access every answer should name.
  await who('U0ALICE', 'get 2ndline/fastly');
  for (const target of READS) {
    for (; readsSoFar < target; readsSoFar++) {
      await app.send(new GetSecretValueCommand({ SecretId: readsSoFar % 2 ? '2ndline/plain' : 'prod/db' }));
    }
    // A fresh trail service (as after a restart): the first ask reads CloudTrail afresh.
    h.deps.trail = (await import('../src/trail/index.js')).createTrailService({
      clock: h.deps.clock,
      limiter: (await import('../src/trail/index.js')).createTrailRateLimiter({ requestsPerSecond: 2 }),
      budgetMs: 10_000,
      cacheSeconds: 60,
      contact: '#platform-help',
    });
    await new Promise((r) => setTimeout(r, 1100));
    const before = await lookups();
    const first = await who('U0BOB', 'who 2ndline/fastly --role 2ndline');
    const firstCalls = (await lookups()) - before;
    const cachedBefore = await lookups();
    const again = await who('U0BOB', 'who 2ndline/fastly --role 2ndline');
    const againCalls = (await lookups()) - cachedBefore;
    await new Promise((r) => setTimeout(r, 1100));
    const direct = await floor();
    results.push({
      reads_in_account: readsSoFar + 1,
      first_answer_ms: Math.round(first.ms),
      first_calls: firstCalls,
      first_complete: !/:hourglass:/.test(first.json),
      names_alice: /alice@example\.com/.test(first.json),
      cached_answer_ms: Math.round(again.ms),
      cached_calls: againCalls,
      floor_ms: Math.round(direct.ms),
      floor_calls: direct.calls,
    });
    console.error(JSON.stringify(results.at(-1)));
  }

  // 20 people at once, the cache cleared: one allowance for all of them.
  h.deps.trail = (await import('../src/trail/index.js')).createTrailService({
    clock: h.deps.clock,
    limiter: (await import('../src/trail/index.js')).createTrailRateLimiter({ requestsPerSecond: 2 }),
    budgetMs: 10_000,
    cacheSeconds: 60,
    contact: '#platform-help',
  });
  await new Promise((r) => setTimeout(r, 1100));
  const statsBefore = await h.moto.cloudTrailStats();
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      who(i % 2 ? 'U0ALICE' : 'U0BOB', `who 2ndline/fastly --role 2ndline`),
    ),
  );
  const wall = performance.now() - started;
  const statsAfter = await h.moto.cloudTrailStats();
  const sum = (s: typeof statsAfter, f: 'served' | 'throttled') =>
    s.lookupEvents.reduce((n, x) => n + x[f], 0);
  const concurrent = {
    people: 20,
    wall_ms: Math.round(wall),
    slowest_answer_ms: Math.round(Math.max(...answers.map((a) => a.ms))),
    lookups: sum(statsAfter, 'served') - sum(statsBefore, 'served'),
    throttled: sum(statsAfter, 'throttled') - sum(statsBefore, 'throttled'),
  };
  console.error(JSON.stringify(concurrent));
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(
    join(import.meta.dirname, 'results', 'secret-who.json'),
    JSON.stringify({ sizes: results, concurrent }, null, 2),
  );
  console.log(JSON.stringify({ sizes: results, concurrent }, null, 2));
} finally {
  app.destroy();
  iam.destroy();
  await h.stop();
}
