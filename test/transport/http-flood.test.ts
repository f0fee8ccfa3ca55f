/**
 * A slow-headers flood ("slowloris") does not starve Slack's requests (issue 14, item 12). The
 * built program runs as the README says (`node dist/main.js`, HTTP mode) with the open-file
 * limit many hosts default to (`ulimit -n 1024`); 1,100 connections each send half a request
 * and then nothing. A real signed slash command sent after them must still be served. Before
 * the server had limits, the flood used up the process's files and every new connection was
 * dropped until Node's 60 s header timeout (checked every 30 s) let them go.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { freePort } from '../../devkit/moto.js';
import { SlackRequestSender } from '../../devkit/slack-request-sender.js';
import { SlackStandin } from '../../devkit/slack-standin.js';
import { config, users } from '../support/fixtures.js';

const MAIN = join(import.meta.dirname, '../../dist/main.js');
const BOT_TOKEN = 'xoxb-flood-bot-token';
const SIGNING_SECRET = 'flood-signing-secret';
const FLOOD = 1100;

let slack: SlackStandin;
let bot: ChildProcess;
let port: number;
const log: string[] = [];

/** Opens a connection that sends the start of a request and never finishes its headers. */
function slowHeaders(): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => resolve(undefined));
    socket.on('connect', () => {
      socket.write('POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      resolve(socket);
    });
  });
}

/**
 * GET /healthz on a connection of its own that is closed afterwards: a kept-alive connection
 * would let the real request below skip the flood it has to get through.
 */
function healthy(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', agent: false, headers: { connection: 'close' } },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

before(async () => {
  if (!existsSync(MAIN))
    throw new Error('dist/main.js is missing: run `npm run build` first (npm test does)');
  slack = await SlackStandin.start({ botToken: BOT_TOKEN, users });
  const dir = mkdtempSync(join(tmpdir(), 'locksmith-flood-'));
  const configPath = join(dir, 'locksmith.yml');
  writeFileSync(configPath, stringify({ ...config, store: { data_dir: join(dir, 'data') } }));
  port = await freePort();
  bot = spawn('bash', ['-c', 'ulimit -n 1024 && exec "$0" "$1"', process.execPath, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_NO_WARNINGS: '1',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      LOCKSMITH_CONFIG: configPath,
      PORT: String(port),
      AWS_REGION: 'eu-west-1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  bot.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await healthy()) break;
    if (Date.now() > deadline) throw new Error(`the bot did not start:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  bot?.kill('SIGKILL');
  await slack?.stop();
});

describe('a slow-headers flood', () => {
  it(`of ${FLOOD} connections does not stop a real signed request from being served`, async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < FLOOD; i++) {
        const socket = await slowHeaders();
        if (socket) sockets.push(socket);
      }
      const sender = new SlackRequestSender({
        url: `http://127.0.0.1:${port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        standin: slack,
      });
      // Bounded only so that a failure ends the test instead of hanging it: the old server held
      // new connections off for ~100 s; a served request answers in milliseconds.
      const sent = await Promise.race([
        sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'help' }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no answer within 20 s')), 20_000).unref(),
        ),
      ]);
      assert.equal(sent.status, 200);
      const reply = await slack.waitFor(
        () => slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
        10_000,
      );
      assert.match(JSON.stringify(reply.body), /secret get/);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
