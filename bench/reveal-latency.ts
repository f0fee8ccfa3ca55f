/**
 * /secret get latency: signed request → the window with the value received by the Slack
 * stand-in, for one person, sequentially, against moto, with the bot in this process; next to
 * the floor (the same GetSecretValue made directly with the SDK under the same session). Also
 * counts AssumeRole calls. `npm run bench`.
 *
 * Then the state stores compared: the same requests with the SQLite store and with the
 * DynamoDB store (in the same moto), both with moto's IAM checks off, since the bot's
 * test user has no DynamoDB policy in moto; that is the only difference from the first run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ensureDynamoTable } from '../devkit/dynamo-table.js';
import { type Harness, REGION, startHarness } from '../test/support/app-harness.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../test/support/fixtures.js';
import { shownIn, windowIdFrom } from '../test/support/windows.js';

/** When the value reached the stand-in (its clock, Date.now): the call that carried it. */
async function valueShownAt(h: Harness, triggerId: string): Promise<number> {
  await shownIn(h.slack, triggerId);
  const viewId = windowIdFrom(h.slack, triggerId)!;
  const externalId = h.slack.view(viewId)?.externalId;
  const call = h.slack.calls.find(
    (c) =>
      ((c.method === 'views.open' && c.args['trigger_id'] === triggerId) ||
        (c.method === 'views.update' && externalId !== undefined && c.args['external_id'] === externalId)) &&
      JSON.stringify(c.args['view']).includes(CANARY_PASSWORD),
  );
  return call!.at;
}

const N = Number(process.argv[2] ?? 100);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1]! };
}

const h = await startHarness({
  config: { ...config, reveal: { ttl_seconds: 600 } },
  seed,
  users,
  usergroups,
  enforceIam: true,
  logLevel: 'info',
});
try {
  // Warm-up: the first request pays for user lookup, AssumeRole and connection set-up.
  const warm = await h.sender.slashCommand({
    userId: 'U0ALICE',
    command: '/secret',
    text: 'get 2ndline/fastly',
  });
  await shownIn(h.slack, warm.triggerId);
  h.aws.clear();

  const { ack, reply } = await measure(h);
  const assumeRoles = h.aws.callsOf('AssumeRole').length;

  // The floor: the same read with the SDK directly, under the same cached session.
  const person = await h.deps.directory.lookup('U0ALICE', 'T0');
  const session = await h.deps.sessions.sessionFor(person, {
    name: '2ndline',
    arn: h.seeded.roleArns['locksmith-2ndline']!,
  });
  const floor: number[] = [];
  for (let i = 0; i < N; i++) {
    const p0 = performance.now();
    await session.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: '2ndline/fastly' }));
    floor.push(performance.now() - p0);
  }

  const result = {
    when: new Date().toISOString(),
    requests: N,
    ack_ms: stats(ack),
    reply_ms: stats(reply),
    direct_sdk_floor_ms: stats(floor),
    assume_role_calls_after_warmup: assumeRoles,
  };
  const round = (o: ReturnType<typeof stats>) =>
    `p50 ${o.p50.toFixed(1)} · p90 ${o.p90.toFixed(1)} · p99 ${o.p99.toFixed(1)} · max ${o.max.toFixed(1)}`;
  console.log(`/secret get, ${N} sequential requests by one person, against moto`);
  console.log(`  ack (request → HTTP 200)        ${round(result.ack_ms)} ms`);
  console.log(`  value on screen (request → window) ${round(result.reply_ms)} ms`);
  console.log(`  floor (direct GetSecretValue)   ${round(result.direct_sdk_floor_ms)} ms`);
  console.log(`  AssumeRole calls for ${N} requests: ${assumeRoles} (plus 1 in warm-up)`);
  const stores = { sqlite: await storeRun('sqlite'), dynamodb: await storeRun('dynamodb') };
  console.log(`state store comparison, ${N} sequential requests each, moto IAM checks off`);
  for (const [name, run] of Object.entries(stores)) {
    console.log(`  ${name.padEnd(8)} ack     ${round(run.ack_ms)} ms`);
    console.log(`  ${name.padEnd(8)} reply   ${round(run.reply_ms)} ms`);
  }
  writeFileSync(
    join(import.meta.dirname, 'results', 'reveal-latency.json'),
    JSON.stringify({ ...result, stores }, null, 2),
  );
} finally {
  await h.stop();
}

/** Sequential /secret get against a running harness: ack and reply times. */
async function measure(h: Harness): Promise<{ ack: number[]; reply: number[] }> {
  const ack: number[] = [];
  const reply: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = Date.now();
    const p0 = performance.now();
    const sent = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    ack.push(performance.now() - p0);
    reply.push((await valueShownAt(h, sent.triggerId)) - t0);
  }
  return { ack, reply };
}

/** One harness with the given store, a warm-up request, then {@link measure}. */
async function storeRun(store: 'sqlite' | 'dynamodb') {
  const table = 'locksmith-bench';
  const h = await startHarness({
    config: {
      ...config,
      reveal: { ttl_seconds: 600 },
      ...(store === 'dynamodb' ? { store: { dynamodb: { table, region: REGION } } } : {}),
    },
    seed,
    users,
    usergroups,
    logLevel: 'info',
  });
  try {
    if (store === 'dynamodb') {
      // The store makes no call until used; the table must exist before the first request.
      const client = new DynamoDBClient({ endpoint: h.moto.url, region: REGION });
      await ensureDynamoTable(client, table);
      client.destroy();
    }
    const warm = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    await shownIn(h.slack, warm.triggerId);
    const { ack, reply } = await measure(h);
    const dynamoCalls = h.aws.calls.filter((c) => c.service.toLowerCase().includes('dynamodb')).length;
    return { ack_ms: stats(ack), reply_ms: stats(reply), dynamodb_calls: dynamoCalls };
  } finally {
    await h.stop();
  }
}
