/**
 * Load: N simulated people (distinct Slack users, in two user groups mapped to two roles) send
 * signed `/secret get` (then `/totp`) over HTTP to the bot, running as its own process against
 * moto and the Slack stand-in; every person sends one request after another, all people at
 * once. Reports ack latency (request → HTTP 200), reply latency (request → ephemeral reply at
 * the stand-in), requests per second, AssumeRole calls, and the bot's peak RSS. Then the floor:
 * the same GetSecretValue calls made directly with the SDK, at the same concurrency, against
 * the same moto.
 *
 * Usage: node --import tsx bench/load.ts [--people 100] [--requests 5000]
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
import { AwsRecorder } from '../src/devkit/aws-recorder.js';
import { READ_ALL_SECRETS, roleArn, seedAws } from '../src/devkit/aws-seed.js';
import { freePort, MotoServer } from '../src/devkit/moto.js';
import { SlackRequestSender } from '../src/devkit/slack-request-sender.js';
import { SlackStandin } from '../src/devkit/slack-standin.js';
import { cpuMsOf, memoryOf, startBot, type Stats, stats } from './support.js';

const REGION = 'eu-west-1';
const BOT_TOKEN = 'xoxb-bench-token';
const SIGNING_SECRET = 'bench-signing-secret';
const SEED = 'JBSWY3DPEHPK3PXPBENCHSEEDAAAAAAA';

export interface LoadResult {
  command: string;
  people: number;
  requests: number;
  ack_ms: Stats;
  reply_ms: Stats;
  requests_per_second: number;
  errors: number;
  assume_role_calls: number;
  role_sessions_expected: number;
  bot_peak_rss_mb: number;
  /** The bot's CPU time (user + system) per request in this phase. */
  bot_cpu_ms_per_request: number;
  /** moto's CPU time per request in this phase (AWS's side, for comparison). */
  moto_cpu_ms_per_request: number;
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
}

/** One full load run: start moto, the stand-in and the bot; /secret get, /totp, then the floor. */
export async function runLoad(people: number, requests: number): Promise<LoadRun> {
  const moto = await MotoServer.start();
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
  // Counts what the bot sends to AWS (AssumeRole); adds one loopback hop for the bot only.
  const recorder = await AwsRecorder.start(moto.url);
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
      reveal: { ttl_seconds: 900 },
      store: { data_dir: join(dir, 'data') },
    }),
  );
  const port = await freePort();
  const bot = await startBot({
    AWS_ENDPOINT_URL: recorder.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: seeded.botCredentials!.accessKeyId,
    AWS_SECRET_ACCESS_KEY: seeded.botCredentials!.secretAccessKey,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    LOCKSMITH_CONFIG: configPath,
    PORT: String(port),
  });
  const sender = new SlackRequestSender({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    standin: slack,
  });

  // Replies are noticed the moment the stand-in records them, not by polling.
  const waiting = new Map<string, (at: number) => void>();
  let seen = 0;
  slack.onActivity(() => {
    const at = performance.now();
    for (; seen < slack.responseUrlPosts.length; seen++) {
      const post = slack.responseUrlPosts[seen]!;
      const url = post.url.split('?')[0]!;
      waiting.get(url)?.(at);
      waiting.delete(url);
    }
  });

  async function drive(command: '/secret' | '/totp', text: string): Promise<LoadResult> {
    recorder.clear();
    const ack: number[] = [];
    const reply: number[] = [];
    let errors = 0;
    const perPerson = Math.ceil(requests / people);
    const started = performance.now();
    const cpuBefore = cpuMsOf(bot.child.pid!);
    const motoCpuBefore = cpuMsOf(moto.pid!);
    await Promise.all(
      ids.map(async (userId) => {
        for (let i = 0; i < perPerson; i++) {
          const t0 = performance.now();
          const responseUrl = slack.newResponseUrl({ user: userId, channel: slack.dmChannelFor(userId) });
          const replied = new Promise<number>((resolve) => waiting.set(responseUrl, resolve));
          const sent = await sender.slashCommand({ userId, command, text, responseUrl });
          ack.push(performance.now() - t0);
          if (sent.status !== 200) {
            errors++;
            waiting.delete(responseUrl);
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
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuMsOf(bot.child.pid!) - cpuBefore;
    const motoCpu = cpuMsOf(moto.pid!) - motoCpuBefore;
    const body = JSON.stringify(slack.responseUrlPosts.slice(-5).map((p) => p.body));
    if (!body.includes(command === '/secret' ? 'bench-password-value' : 'next code'))
      throw new Error(`the replies are not what a person should see: ${body.slice(0, 500)}`);
    return {
      command: `${command} ${text}`,
      people,
      requests: ack.length,
      ack_ms: stats(ack),
      reply_ms: stats(reply),
      requests_per_second: ack.length / seconds,
      errors,
      assume_role_calls: recorder.callsOf('AssumeRole').length,
      role_sessions_expected: people,
      bot_peak_rss_mb: memoryOf(bot.child.pid!).peakRssMb,
      bot_cpu_ms_per_request: cpu / ack.length,
      moto_cpu_ms_per_request: motoCpu / ack.length,
    };
  }

  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idle = memoryOf(bot.child.pid!).rssMb;
    const secret = await drive('/secret', 'get shared/db');
    const totp = await drive('/totp', 'shared/2fa');
    const motoCpuBefore = cpuMsOf(moto.pid!);
    const floor = await directFloor(moto.url, seeded.botCredentials!, people, requests);
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
    };
  } finally {
    await bot.stop();
    await recorder.stop();
    await slack.stop();
    await moto.stop();
  }
}

/** The same GetSecretValue, straight to moto with the SDK: `people` clients at once, each with its own session. */
async function directFloor(
  endpoint: string,
  bot: { accessKeyId: string; secretAccessKey: string },
  people: number,
  requests: number,
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
    options: { people: { type: 'string', default: '100' }, requests: { type: 'string', default: '5000' } },
  });
  const run = await runLoad(Number(values.people), Number(values.requests));
  console.log(JSON.stringify(run, null, 2));
}
