/**
 * The built program as a process, started exactly as the README says (`node dist/main.js` with
 * the environment and a config file), against the Slack stand-in and moto.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { seedAws } from '../../devkit/aws-seed.js';
import { freePort, type MotoServer } from '../../devkit/moto.js';
import { SlackRequestSender } from '../../devkit/slack-request-sender.js';
import { SlackStandin } from '../../devkit/slack-standin.js';
import { CANARY_PASSWORD, CANARY_TOKEN, config, otpSeed, usergroups, users } from '../support/fixtures.js';
import { startTestMoto } from '../support/moto.js';
import { hiddenWindow, shownIn } from '../support/windows.js';

const MAIN = join(import.meta.dirname, '../../dist/main.js');
const BOT_TOKEN = 'xoxb-e2e-bot-token';
const SIGNING_SECRET = 'e2e-signing-secret';

interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (d: Buffer) => stdout.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (d: Buffer) => stderr.push(...d.toString().split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exit };
}

async function waitForLine(lines: string[], pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${lines.join('\n')}`);
}

let moto: MotoServer;
let slack: SlackStandin;
let awsEnv: Record<string, string>;
let dir: string;

before(async () => {
  if (!existsSync(MAIN))
    throw new Error('dist/main.js is missing: run `npm run build` first (npm test does)');
  moto = await startTestMoto();
  await moto.reset();
  const seeded = await seedAws(moto.url, otpSeed);
  await moto.enforceIam();
  slack = await SlackStandin.start({ botToken: BOT_TOKEN, users, usergroups });
  dir = mkdtempSync(join(tmpdir(), 'locksmith-e2e-'));
  awsEnv = {
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: seeded.botCredentials!.accessKeyId,
    AWS_SECRET_ACCESS_KEY: seeded.botCredentials!.secretAccessKey,
  };
});

after(async () => {
  await slack?.stop();
  await moto?.stop();
});

describe('node dist/main.js', () => {
  it('serves a signed /secret get in HTTP mode, answers /healthz, and hides pending windows on SIGTERM', async () => {
    const configPath = join(dir, 'locksmith.yml');
    writeFileSync(configPath, stringify({ ...config, reveal: { ttl_seconds: 600 } }));
    const port = await freePort();
    const bot = run({
      ...awsEnv,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: String(port),
      LOCKSMITH_CONFIG: configPath,
      SLACK_API_URL: slack.apiUrl,
    });
    try {
      await waitForLine(bot.stdout, /locksmith ready/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });

      const sender = new SlackRequestSender({
        url: `http://127.0.0.1:${port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        standin: slack,
      });
      const sent = await sender.slashCommand({
        userId: 'U0ALICE',
        command: '/secret',
        text: 'get 2ndline/fastly',
      });
      assert.equal(sent.status, 200);
      const shown = await shownIn(slack, sent.triggerId);
      assert.ok(shown.json.includes(CANARY_PASSWORD));
      const codes = await shownIn(
        slack,
        (await sender.slashCommand({ userId: 'U0ALICE', command: '/totp', text: '2ndline/fastly' }))
          .triggerId,
      );
      const code = /```(\d{6})```/.exec(codes.json)?.[1];
      assert.ok(code, 'the codes window shows a code');

      const audit = await waitForLine(bot.stdout, /"action":"secret.reveal"/);
      assert.match(audit, /"email":"alice@example.com"/);
      assert.match(audit, /"outcome":"ok"/);

      bot.child.kill('SIGTERM');
      assert.equal(await bot.exit, 0);
      const hidden = slack.view(shown.viewId)!;
      assert.match(JSON.stringify(hidden.view), /hidden because locksmith restarted/);
      for (const value of [CANARY_PASSWORD, CANARY_TOKEN, code])
        assert.ok(
          !slack.screenText('U0ALICE').includes(value),
          `${value} left alice's screen before the exit`,
        );
      assert.match(await waitForLine(bot.stdout, /"action":"otp.hide"/), /"how":"shutdown"/);
      assert.ok(!bot.stdout.join('\n').includes(CANARY_PASSWORD), 'no value in the process output');
    } finally {
      bot.child.kill('SIGKILL');
    }
  });

  it('still hides its windows (a secret, codes, refreshed codes) when the process was killed (kill -9) before their time', async () => {
    const configPath = join(dir, 'crash.yml');
    const dataDir = join(dir, 'crash-data');
    writeFileSync(
      configPath,
      stringify({ ...config, reveal: { ttl_seconds: 2 }, store: { data_dir: dataDir } }),
    );
    const port = await freePort();
    const env = {
      ...awsEnv,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: String(port),
      LOCKSMITH_CONFIG: configPath,
      SLACK_API_URL: slack.apiUrl,
    };
    const first = run(env);
    let second: Running | undefined;
    try {
      await waitForLine(first.stdout, /locksmith ready/);
      const sender = new SlackRequestSender({
        url: `http://127.0.0.1:${port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        standin: slack,
      });
      const reveal = async (command: string, text: string) =>
        shownIn(slack, (await sender.slashCommand({ userId: 'U0ALICE', command, text })).triggerId);
      const secret = await reveal('/secret', 'get 2ndline/plain');
      assert.ok(secret.json.includes(CANARY_PASSWORD));
      // 2ndline/fast's codes change every second: its window hides two seconds on.
      const codes = await reveal('/totp', '2ndline/fast');
      const refreshing = await reveal('/totp', '2ndline/fast');
      await sender.blockActions({
        userId: 'U0ALICE',
        actionId: 'totp_refresh',
        view: { id: refreshing.viewId },
      });
      const windows = [secret, codes, refreshing];
      first.child.kill('SIGKILL'); // no graceful shutdown, no flush
      await first.exit;
      assert.ok(slack.screenText('U0ALICE').includes(CANARY_PASSWORD), 'the dead process hid nothing');
      second = run(env);
      await waitForLine(second.stdout, /locksmith ready/);
      for (const w of windows) await hiddenWindow(slack, w.viewId, 8000);
      assert.ok(!slack.screenText('U0ALICE').includes(CANARY_PASSWORD));
      assert.doesNotMatch(
        JSON.stringify(windows.map((w) => slack.view(w.viewId)?.view)),
        /```\d{6}```/,
        'no code is left in any window',
      );
      assert.match(await waitForLine(second.stdout, /"action":"secret.hide"/), /"how":"restart"/);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exit;
    }
  });

  it('serves /secret over Socket Mode with SLACK_APP_TOKEN, answers /healthz and /metrics on PORT, and names SLACK_APP_TOKEN when Slack refuses it', async () => {
    const appToken = 'xapp-1-A0LOCKSMITH-1-e2e-app-token';
    const socketSlack = await SlackStandin.start({ botToken: BOT_TOKEN, users, usergroups, appToken });
    const configPath = join(dir, 'socket.yml');
    writeFileSync(
      configPath,
      stringify({ ...config, reveal: { ttl_seconds: 600 }, store: { data_dir: join(dir, 'socket-data') } }),
    );
    const env = {
      ...awsEnv,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: appToken,
      PORT: String(await freePort()),
      LOCKSMITH_CONFIG: configPath,
      SLACK_API_URL: socketSlack.apiUrl,
    };
    const bot = run(env);
    try {
      assert.match(await waitForLine(bot.stdout, /locksmith ready/), /Socket Mode, health on :\d+/);
      const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });

      const sent = await socketSlack.socketMode.sendSlashCommand({
        userId: 'U0ALICE',
        command: '/secret',
        text: 'get 2ndline/fastly',
      });
      assert.equal(sent.ack.type, 'slash_commands');
      assert.ok(!sent.ack.late, `acked in ${sent.ack.ackMs} ms`);
      const shown = await shownIn(socketSlack, sent.triggerId);
      assert.ok(shown.json.includes(CANARY_PASSWORD));

      // Prometheus metrics on the health port: the command counted, no value or name in them.
      const counted = 'locksmith_slack_requests_total{kind="command",name="/secret get",outcome="ok"} 1';
      let metrics = '';
      for (let i = 0; i < 50 && !metrics.includes(counted); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 50));
        metrics = await (await fetch(`http://127.0.0.1:${env.PORT}/metrics`)).text();
      }
      assert.ok(metrics.includes(counted), 'the command is counted');
      assert.match(metrics, /^process_resident_memory_bytes \d+/m);
      assert.ok(!metrics.includes(CANARY_PASSWORD) && !metrics.includes('2ndline/fastly'));

      bot.child.kill('SIGTERM');
      assert.equal(await bot.exit, 0);
      const [connection] = socketSlack.socketMode.connections;
      assert.equal(connection?.closedBy, 'app', 'the bot closed its socket on SIGTERM');
      assert.equal(connection?.closeCode, 1000);

      const refused = run({ ...env, SLACK_APP_TOKEN: 'xapp-1-A0LOCKSMITH-1-revoked' });
      assert.equal(await refused.exit, 1);
      assert.deepEqual(refused.stderr, [
        'locksmith: Slack refused the app-level token (invalid_auth): check SLACK_APP_TOKEN (the xapp-… token of this app, with the connections:write scope)',
      ]);
    } finally {
      bot.child.kill('SIGKILL');
      await socketSlack.stop();
    }
  });

  it('exits with one line per config error, naming the field, and no stack trace', async () => {
    const configPath = join(dir, 'bad.yml');
    writeFileSync(
      configPath,
      stringify({ roles: { ops: 'not-an-arn' }, groups: { oncall: ['missing'] }, reveal: { ttl: 5 } }),
    );
    const bot = run({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      LOCKSMITH_CONFIG: configPath,
    });
    assert.equal(await bot.exit, 2);
    const err = bot.stderr.join('\n');
    assert.match(err, /roles\.ops: expected an IAM role ARN/);
    assert.match(err, /groups\.oncall\[0\]: role "missing" is not defined under roles/);
    assert.match(err, /reveal: unknown field\(s\) "ttl"/);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
    assert.equal(bot.stdout.length, 0);
  });

  it('says it was checking the bot token with Slack (auth.test) when Slack cannot be reached', async () => {
    // A loopback port nobody listens on: the connection is refused, as with no route to Slack.
    const closed = await freePort();
    const configPath = join(dir, 'unreachable.yml');
    writeFileSync(configPath, stringify(config));
    const bot = run({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `http://127.0.0.1:${closed}/api/`,
      LOCKSMITH_CONFIG: configPath,
      PORT: '0',
    });
    assert.equal(await bot.exit, 1, bot.stderr.join('\n'));
    const last = bot.stderr.at(-1) ?? '';
    assert.match(
      last,
      new RegExp(
        `^locksmith: could not reach Slack to check the bot token \\(auth\\.test at http://127\\.0\\.0\\.1:${closed}/api/: ECONNREFUSED\\)\\. Check that this host can open HTTPS connections to slack\\.com`,
      ),
    );
    assert.doesNotMatch(bot.stderr.join('\n'), /A request error occurred|\n\s+at /);
  });

  it('says in one line which token to set', async () => {
    const bot = run({ LOCKSMITH_CONFIG: join(dir, 'locksmith.yml') });
    assert.equal(await bot.exit, 2);
    assert.deepEqual(bot.stderr, [
      'locksmith: SLACK_BOT_TOKEN is not set: set it to the bot token (xoxb-…) from your Slack app',
    ]);
  });

  it('refuses a YAML alias bomb in one line and exit code 2', async () => {
    const configPath = join(dir, 'bomb.yml');
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 11; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    writeFileSync(configPath, `${lines.join('\n')}\nroles: *a11\n`);
    const bot = run({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      LOCKSMITH_CONFIG: configPath,
    });
    assert.equal(await bot.exit, 2);
    assert.equal(bot.stderr.length, 1, bot.stderr.join('\n'));
    assert.match(bot.stderr[0]!, /^locksmith: .*bomb\.yml: not valid YAML \(its aliases expand too far/);
  });

  it('says in one line when the config file is missing', async () => {
    const bot = run({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      LOCKSMITH_CONFIG: join(dir, 'nope.yml'),
    });
    assert.equal(await bot.exit, 2);
    assert.equal(bot.stderr.length, 1);
    assert.match(bot.stderr[0]!, /config file .*nope\.yml not found: set LOCKSMITH_CONFIG/);
  });
});
