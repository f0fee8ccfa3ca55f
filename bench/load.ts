/**
 * Load: N simulated people (distinct Slack users, in two user groups mapped to two roles) send
 * signed `/secret get` (then `/totp`) over HTTP to the bot, running as its own process against
 * moto and the Slack stand-in; every person sends one request after another, all people at
 * once. Reports ack latency (request → HTTP 200), the time to the value on the person's screen
 * (request → the window with the value reaches the stand-in: the `views.open` that carries it,
 * or the `views.update` that puts it in), requests per second, AssumeRole calls, and the bot's
 * peak RSS. Then the floor: the same GetSecretValue calls made directly with the SDK, at the
 * same concurrency, against the same AWS endpoint. With `awsDelayMs`, every AWS call (the
 * bot's and the floor's) goes through a proxy that adds that much (bench/delay-proxy.ts).
 *
 * Usage: node --import tsx bench/load.ts [--people 100] [--requests 5000] [--aws-delay-ms 20]
 * Needs `npm run build` (the bot is dist/main.js).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { stringify } from 'yaml';
import { READ_ALL_SECRETS, roleArn, seedAws } from '../devkit/aws-seed.js';
import { freePort, MotoServer } from '../devkit/moto.js';
import { SlackRequestSender } from '../devkit/slack-request-sender.js';
import { SlackStandin } from '../devkit/slack-standin.js';
import { availableParallelism } from 'node:os';
import { startDelayProxy } from './delay-proxy.js';
import { cpuMsOf, memoryOf, pinToCpu, startBot, type Stats, stats } from './support.js';

const REGION = 'eu-west-1';
const BOT_TOKEN = 'xoxb-bench-token';
const SIGNING_SECRET = 'bench-signing-secret';
const SEED = 'JBSWY3DPEHPK3PXPBENCHSEEDAAAAAAA';

export interface LoadResult {
  command: string;
  people: number;
  requests: number;
  ack_ms: Stats;
  /** Request → the value on the person's screen (the window carrying it reached Slack). */
  reply_ms: Stats;
  requests_per_second: number;
  errors: number;
  /** AssumeRole calls the bot made since it started, warm-up included. */
  assume_role_calls: number;
  role_sessions_expected: number;
  bot_peak_rss_mb: number;
  /** The bot's CPU time (user + system) per request in this phase. */
  bot_cpu_ms_per_request: number;
  /** moto's CPU time per request in this phase (AWS's side, for comparison). */
  moto_cpu_ms_per_request: number;
  /** This process's (the load generator and the Slack stand-in) CPU time per request. */
  generator_cpu_ms_per_request: number;
  /**
   * Where a slow ack was spent. The longest the bot's event loop was blocked in this phase
   * (prom-client's event-loop monitor, read from /metrics before and after), its major GCs over
   * 100 ms, and the longest this process's own loop was blocked (a stalled generator inflates
   * every latency it measures).
   */
  stalls: { bot_loop_max_ms: number; bot_major_gc_over_100ms: number; generator_loop_max_ms: number };
}

export interface LoadRun {
  secret: LoadResult;
  totp: LoadResult;
  floor_ms: Stats;
  floor_requests_per_second: number;
  floor_moto_cpu_ms_per_request: number;
  reply_p50_over_floor_p50: number;
  bot_ready_ms: number;
  bot_idle_rss_mb: number;
  /** The bot ran on its own CPU, moto and the load generator on the other. */
  pinned: boolean;
  /** Mean pause of each person between a reply and their next request (0: back to back). */
  think_ms: number;
  /** Added to every AWS call by the delay proxy (0: moto on loopback, nothing in between). */
  aws_delay_ms: number;
}

/** One full load run: start moto, the stand-in and the bot; /secret get, /totp, then the floor. */
export async function runLoad(
  people: number,
  requests: number,
  options: { pin?: boolean; thinkMs?: number; awsDelayMs?: number } = {},
): Promise<LoadRun> {
  const pin = options.pin ?? availableParallelism() >= 2;
  const thinkMs = options.thinkMs ?? 0;
  const awsDelayMs = options.awsDelayMs ?? 0;
  const moto = await MotoServer.start();
  // In production Slack and AWS are other machines: the bot gets CPU 1 to itself, and moto
  // and this load generator (the stand-in, the signing sender) share CPU 0.
  if (pin) {
    pinToCpu(process.pid, 0);
    pinToCpu(moto.pid!, 0);
  }
  const seeded = await seedAws(moto.url, {
    roles: [
      { name: 'locksmith-team-a', policy: READ_ALL_SECRETS },
      { name: 'locksmith-team-b', policy: READ_ALL_SECRETS },
    ],
    bot: {},
    secrets: [
      {
        name: 'shared/db',
        value: { username: 'app', password: 'bench-password-value', host: 'db.internal' },
      },
      {
        name: 'shared/2fa',
        value: { username: 'ops', '2fa-seed': `otpauth://totp/Bench:ops?secret=${SEED}` },
      },
    ],
  });
  await moto.enforceIam();
  const ids = Array.from({ length: people }, (_, i) => `U0BENCH${String(i).padStart(4, '0')}`);
  const slack = await SlackStandin.start({
    botToken: BOT_TOKEN,
    users: ids.map((id) => ({ id, name: id.toLowerCase(), email: `${id.toLowerCase()}@example.com` })),
    usergroups: [
      { id: 'S0TEAMA', handle: 'team-a', users: ids.filter((_, i) => i % 2 === 0) },
      { id: 'S0TEAMB', handle: 'team-b', users: ids.filter((_, i) => i % 2 === 1) },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'locksmith-bench-'));
  const configPath = join(dir, 'locksmith.yml');
  writeFileSync(
    configPath,
    stringify({
      roles: { 'team-a': roleArn('locksmith-team-a'), 'team-b': roleArn('locksmith-team-b') },
      groups: { 'team-a': ['team-a'], 'team-b': ['team-b'] },
      // The default: reveals are hidden a minute later, so hides are part of the load, as in use.
      reveal: { ttl_seconds: 60 },
      store: { data_dir: process.env.BENCH_DATA_DIR ?? join(dir, 'data') },
    }),
  );
  const port = await freePort();
  const proxy = awsDelayMs > 0 ? await startDelayProxy(moto.url, awsDelayMs) : undefined;
  const awsUrl = proxy?.url ?? moto.url;
  const bot = await startBot(
    {
      AWS_ENDPOINT_URL: awsUrl,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: seeded.botCredentials!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: seeded.botCredentials!.secretAccessKey,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      LOCKSMITH_CONFIG: configPath,
      PORT: String(port),
    },
    pin ? 1 : undefined,
  );
  const sender = new SlackRequestSender({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    standin: slack,
  });

  // The value on screen is noticed the moment the stand-in records the call that carries it:
  // the views.open of the command's trigger, or a views.update of that window (by external_id).
  const marker = (command: string) => (command === '/secret' ? 'bench-password-value' : 'next code');
  const waiting = new Map<string, { marker: string; resolve: (at: number) => void }>();
  let seen = 0;
  slack.onActivity(() => {
    const at = performance.now();
    for (; seen < slack.calls.length; seen++) {
      const call = slack.calls[seen]!;
      if (call.method !== 'views.open' && call.method !== 'views.update') continue;
      const view = call.args['view'] as { external_id?: string } | undefined;
      const key =
        call.method === 'views.open'
          ? String(call.args['trigger_id'])
          : String(call.args['external_id'] ?? '');
      const waiter = waiting.get(key);
      if (!waiter) continue;
      if (JSON.stringify(view).includes(waiter.marker)) {
        waiting.delete(key);
        waiter.resolve(at);
      } else if (call.method === 'views.open' && view?.external_id) {
        // Opened saying "Reading…": the value comes in a views.update of the same window.
        waiting.delete(key);
        waiting.set(view.external_id, waiter);
      }
    }
  });

  async function drive(command: '/secret' | '/totp', text: string, requests: number): Promise<LoadResult> {
    const ack: number[] = [];
    const reply: number[] = [];
    let errors = 0;
    const perPerson = Math.ceil(requests / people);
    const trace: Array<[number, number]> = [];
    const started = performance.now();
    const cpuBefore = cpuMsOf(bot.child.pid!);
    const motoCpuBefore = cpuMsOf(moto.pid!);
    const ownCpuBefore = process.cpuUsage();
    await botLoopStats(port); // prom-client's loop monitor restarts at each scrape
    const gcBefore = await botMajorGcOver100ms(port);
    const ownLoop = watchOwnLoop();
    const memory = process.env.BENCH_MEMORY_TRACE ? watchBotMemory(port, command) : undefined;
    await Promise.all(
      ids.map(async (userId) => {
        for (let i = 0; i < perPerson; i++) {
          await think(thinkMs);
          const t0 = performance.now();
          const triggerId = slack.newTriggerId(userId);
          const replied = new Promise<number>((resolve) =>
            waiting.set(triggerId, { marker: marker(command), resolve }),
          );
          const sent = await sender.slashCommand({ userId, command, text, triggerId });
          ack.push(performance.now() - t0);
          if (process.env.BENCH_TRACE) trace.push([t0 - started, performance.now() - t0]);
          if (sent.status !== 200) {
            errors++;
            waiting.delete(triggerId);
            continue;
          }
          const at = await Promise.race([
            replied,
            new Promise<number>((r) => setTimeout(() => r(NaN), 10_000)),
          ]);
          if (Number.isNaN(at)) errors++;
          else reply.push(at - t0);
        }
      }),
    );
    const generatorGaps = ownLoop.stop();
    memory?.stop();
    const stalls = {
      bot_loop_max_ms: (await botLoopStats(port)).maxMs,
      bot_major_gc_over_100ms: (await botMajorGcOver100ms(port)) - gcBefore,
      generator_loop_max_ms: Math.max(0, ...generatorGaps.map(([, gap]) => gap)),
    };
    if (process.env.BENCH_TRACE) {
      console.error(
        command,
        'stalls:',
        JSON.stringify(stalls),
        'generator gaps [at ms, ms]:',
        JSON.stringify(generatorGaps.map(([a, b]) => [Math.round(a - started), Math.round(b)])),
      );
      const slow = [...trace].sort((a, b) => b[1] - a[1]).slice(0, 15);
      console.error(
        command,
        'slowest acks [start ms, ack ms]:',
        JSON.stringify(slow.map(([a, b]) => [Math.round(a), Math.round(b)])),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuMsOf(bot.child.pid!) - cpuBefore;
    const motoCpu = cpuMsOf(moto.pid!) - motoCpuBefore;
    const own = process.cpuUsage(ownCpuBefore);
    const ownCpu = (own.user + own.system) / 1000;
    // What the last windows showed: the value, as a person should see it.
    const shownViews = slack
      .callsTo('views.open')
      .concat(slack.callsTo('views.update'))
      .map((c) => JSON.stringify(c.args['view']))
      .filter((v) => v.includes(marker(command)));
    if (shownViews.length < reply.length)
      throw new Error(
        `${reply.length} values counted on screen, but ${shownViews.length} windows showed one`,
      );
    return {
      command: `${command} ${text}`,
      people,
      requests: ack.length,
      ack_ms: stats(ack),
      reply_ms: stats(reply),
      requests_per_second: ack.length / seconds,
      errors,
      assume_role_calls: await assumeRoleCalls(port),
      role_sessions_expected: people,
      bot_peak_rss_mb: memoryOf(bot.child.pid!).peakRssMb,
      bot_cpu_ms_per_request: cpu / ack.length,
      moto_cpu_ms_per_request: motoCpu / ack.length,
      generator_cpu_ms_per_request: ownCpu / ack.length,
      stalls,
    };
  }

  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idle = memoryOf(bot.child.pid!).rssMb;
    // Each person's first request looks them up in Slack and assumes their role; sessions then
    // last an hour. The figures are for the steady state, so that first request is not counted.
    await drive('/secret', 'get shared/db', people);
    const secret = await drive('/secret', 'get shared/db', requests);
    const totp = await drive('/totp', 'shared/2fa', requests);
    const motoCpuBefore = cpuMsOf(moto.pid!);
    const floor = await directFloor(awsUrl, seeded.botCredentials!, people, requests, thinkMs);
    const floorMotoCpu = (cpuMsOf(moto.pid!) - motoCpuBefore) / (requests + people);
    return {
      secret,
      totp,
      floor_ms: floor.latency,
      floor_requests_per_second: floor.rps,
      floor_moto_cpu_ms_per_request: floorMotoCpu,
      reply_p50_over_floor_p50: secret.reply_ms.p50 / floor.latency.p50,
      bot_ready_ms: bot.readyMs,
      bot_idle_rss_mb: idle,
      pinned: pin,
      think_ms: thinkMs,
      aws_delay_ms: awsDelayMs,
    };
  } finally {
    if (process.env.BENCH_HEAPSNAPSHOT) {
      // With BENCH_BOT_NODE_ARGS=--heapsnapshot-signal=SIGUSR2: what the bot holds after the load.
      process.kill(bot.child.pid!, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 8000));
    }
    if (pin) pinToCpu(process.pid, `0-${availableParallelism() - 1}`);
    await bot.stop();
    await slack.stop();
    await proxy?.stop();
    await moto.stop();
  }
}

/** AssumeRole calls the bot has made so far, from its own /metrics (no proxy in the way). */
async function assumeRoleCalls(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^locksmith_aws_calls_total\{([^}]*)\} (\d+)/gm)]
    .filter(([, labels]) => labels!.includes('operation="AssumeRole"'))
    .reduce((sum, [, , n]) => sum + Number(n), 0);
}

async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** The bot's event-loop delay since the last scrape (prom-client's default metrics). */
async function botLoopStats(port: number): Promise<{ maxMs: number }> {
  const text = await scrape(port);
  const max = /^nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)?.[1];
  return { maxMs: Number(max ?? NaN) * 1000 };
}

/** How many of the bot's major GCs so far took longer than 100 ms. */
async function botMajorGcOver100ms(port: number): Promise<number> {
  const text = await scrape(port);
  const count = (le: string) =>
    Number(
      new RegExp(`^nodejs_gc_duration_seconds_bucket\\{le="${le}",kind="major"\\} (\\d+)`, 'm').exec(
        text,
      )?.[1] ?? 0,
    );
  return count('\\+Inf') - count('0.1');
}

/**
 * BENCH_MEMORY_TRACE=1: every 5 s, where the bot's memory is (RSS, V8 heap used and committed,
 * new space, external), to tell live objects from heap headroom and from memory outside V8.
 */
function watchBotMemory(port: number, label: string): { stop(): void } {
  const mb = (text: string, metric: string) =>
    (Number(new RegExp(`^${metric} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20).toFixed(0);
  const timer = setInterval(() => {
    void scrape(port).then((text) =>
      console.error(
        `${label} memory MB: rss ${mb(text, 'process_resident_memory_bytes')}` +
          ` heap used ${mb(text, 'nodejs_heap_size_used_bytes')} / committed ${mb(text, 'nodejs_heap_size_total_bytes')}` +
          ` new space ${mb(text, 'nodejs_heap_space_size_total_bytes\\{space="new"\\}')}` +
          ` external ${mb(text, 'nodejs_external_memory_bytes')}`,
      ),
    );
  }, 5000);
  return { stop: () => clearInterval(timer) };
}

/** Records when this process's event loop was blocked for more than 50 ms: [when, how long]. */
function watchOwnLoop(): { stop(): Array<[number, number]> } {
  const gaps: Array<[number, number]> = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 60) gaps.push([last, now - last - 10]);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return gaps;
    },
  };
}

/**
 * A person's pause before their next request: exponentially distributed with mean `meanMs`
 * (0: none, requests back to back, which measures saturation rather than latency).
 */
function think(meanMs: number): Promise<void> {
  if (meanMs <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, -Math.log(1 - Math.random()) * meanMs));
}

/** The same GetSecretValue, straight to moto with the SDK: `people` clients at once, each with its own session. */
async function directFloor(
  endpoint: string,
  bot: { accessKeyId: string; secretAccessKey: string },
  people: number,
  requests: number,
  thinkMs: number,
): Promise<{ latency: Stats; rps: number }> {
  const sts = new STSClient({ region: REGION, endpoint, credentials: bot });
  const clients: SecretsManagerClient[] = [];
  for (let i = 0; i < people; i++) {
    const role = i % 2 === 0 ? 'locksmith-team-a' : 'locksmith-team-b';
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn(role), RoleSessionName: `bench-${i}` }),
    );
    clients.push(
      new SecretsManagerClient({
        region: REGION,
        endpoint,
        credentials: {
          accessKeyId: c!.AccessKeyId!,
          secretAccessKey: c!.SecretAccessKey!,
          sessionToken: c!.SessionToken!,
        },
      }),
    );
  }
  for (const client of clients) await client.send(new GetSecretValueCommand({ SecretId: 'shared/db' }));
  const latency: number[] = [];
  const perPerson = Math.ceil(requests / people);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < perPerson; i++) {
        await think(thinkMs);
        const t0 = performance.now();
        await client.send(new GetSecretValueCommand({ SecretId: 'shared/db' }));
        latency.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  sts.destroy();
  for (const client of clients) client.destroy();
  return { latency: stats(latency), rps: latency.length / seconds };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '100' },
      requests: { type: 'string', default: '5000' },
      'think-ms': { type: 'string', default: '0' },
      'aws-delay-ms': { type: 'string', default: '0' },
      'no-pin': { type: 'boolean', default: false },
    },
  });
  const run = await runLoad(Number(values.people), Number(values.requests), {
    pin: !values['no-pin'],
    thinkMs: Number(values['think-ms']),
    awsDelayMs: Number(values['aws-delay-ms']),
  });
  console.log(JSON.stringify(run, null, 2));
}
