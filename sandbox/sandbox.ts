/**
 * The whole bot on one machine: moto (with a movable clock) seeded from the sandbox file, the
 * Slack stand-in, the bot itself in HTTP mode loaded from its real config file, and the web
 * page that plays Slack's client. The bot is built exactly as main.ts builds it; only what the
 * real world provides (Slack, AWS, time) is stood in for.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type LocksmithApp } from '../src/app.js';
import { createLogger } from '../src/audit/logger.js';
import { buildDeps } from '../src/build-deps.js';
import type { Clock } from '../src/core/clock.js';
import { loadConfig } from '../src/config.js';
import { MotoServer, freePort } from '../devkit/moto.js';
import { SlackRequestSender } from '../devkit/slack-request-sender.js';
import { SlackStandin } from '../devkit/slack-standin.js';
import type { Store } from '../src/store/store.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { AwsConsole } from './aws-console.js';
import { type SandboxFile, loadSandboxFile } from './sandbox-file.js';
import { seedSandbox } from './seed-sandbox.js';
import { type SandboxWebServer, startWebServer } from './web-server.js';

/** How long one part of the sandbox may take to stop before the next is stopped anyway. */
const STOP_STEP_MS = 5_000;
export interface SandboxOptions {
  /** The page's port on 127.0.0.1. Default 3000; 0 picks a free one. */
  port?: number;
  sandboxFile?: string;
  configFile?: string;
  python?: string;
  /** Where the bot's JSON log lines go (default: a file in the sandbox's temp directory). */
  logFile?: string;
  logLevel?: string;
}

/** A problem starting the sandbox, worded for the person who ran it. */
export class SandboxStartError extends Error {}

/** Time for the bot, the stand-in and moto: real time plus an offset the page moves forward. */
export class SandboxClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface Sandbox {
  /** The page: `http://localhost:PORT`. */
  url: string;
  file: SandboxFile;
  clock: SandboxClock;
  /** Where the bot's log lines are written. */
  logFile: string;
  /** The bot's request URL (loopback only), for tests. */
  botUrl: string;
  /** What the bot sent to "Slack", for tests that check the page renders all of it. */
  standin: SlackStandin;
  stop(): Promise<void>;
}

const BOT_TOKEN = 'xoxb-sandbox-0000000000-not-a-real-token';

async function checkPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new SandboxStartError(
          err.code === 'EADDRINUSE'
            ? `port ${port} is already in use (another sandbox?): stop that program, or run \`npm run sandbox -- --port ${port + 1}\``
            : `cannot listen on port ${port} (${err.code ?? err.message})`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** Starts everything; on failure, stops what already started. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const port = options.port ?? 3000;
  const file = loadSandboxFile(options.sandboxFile ?? 'examples/sandbox.yml');
  await checkPortFree(port);

  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) {
      try {
        // Each part gets a few seconds: one that hangs (a server waiting on an open connection)
        // must not keep the others, moto above all, running after Ctrl+C.
        await Promise.race([fn(), new Promise<void>((resolve) => setTimeout(resolve, STOP_STEP_MS).unref())]);
      } catch {
        // best effort: the rest still stop
      }
    }
  };
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'locksmith-sandbox-'));
    stops.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = new SandboxClock();

    const moto = await MotoServer.start({ python: options.python });
    stops.push(() => moto.stop());
    const seeded = await seedSandbox(moto, file);

    const botUserId = 'U0LOCKSMITH';
    const people = file.slack.people.map((p) => p.id);
    const standin = await SlackStandin.start({
      botToken: BOT_TOKEN,
      teamName: 'locksmith sandbox',
      teamDomain: 'locksmith-sandbox',
      botUserId,
      clock,
      users: file.slack.people.map((p) => ({
        id: p.id,
        name: p.name,
        real_name: p.real_name,
        display_name: p.name,
        email: p.email,
      })),
      usergroups: file.slack.groups.map((g) => ({
        id: g.id,
        handle: g.handle,
        name: g.handle,
        users: g.users,
      })),
      channels: file.slack.channels.map((c) => ({
        id: c.id,
        name: c.name,
        members: [...(c.members ?? people), botUserId],
      })),
    });
    stops.push(() => standin.stop());

    // The bot reads AWS settings the standard way (the SDK's environment variables), and its
    // own settings through config.ts from the real config file: nothing sandbox-specific.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.url,
      AWS_ACCESS_KEY_ID: seeded.botCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: seeded.botCredentials.secretAccessKey,
      AWS_REGION: seeded.region,
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    const botPort = await freePort();
    // A fresh secret per run: a fixed one, published with the code, would let anyone who can
    // reach the bot's port sign requests as any sandbox person.
    const signingSecret = randomBytes(32).toString('hex');
    const config = loadConfig({
      ...process.env,
      LOCKSMITH_CONFIG: options.configFile ?? 'examples/sandbox.locksmith.yml',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_APP_TOKEN: '',
      SLACK_API_URL: standin.apiUrl,
      PORT: String(botPort),
      LOG_LEVEL: options.logLevel ?? 'info',
    });
    const logFile = options.logFile ?? join(dataDir, 'locksmith.log');
    const { default: pino } = await import('pino');
    const logDestination = pino.destination({ dest: logFile, sync: true });
    const store: Store = openSqliteStore({ dataDir });
    stops.push(() => store.close());
    const deps = buildDeps(config, { clock, store, logger: createLogger(config.logLevel, logDestination) });
    // Loopback only, as the page, the stand-in and moto: nothing of the sandbox faces the network.
    const app: LocksmithApp = createApp(deps, { listenHost: '127.0.0.1' });
    await app.start();
    stops.push(() => app.stop());

    const sender = new SlackRequestSender({
      url: `http://127.0.0.1:${botPort}/slack/events`,
      signingSecret,
      standin,
    });
    const awsConsole = new AwsConsole({
      endpoint: moto.url,
      region: seeded.region,
      credentials: seeded.consoleCredentials,
      clock,
      knownKeys: seeded.keys.values(),
      about: Object.fromEntries(file.aws.users.map((u) => [u.name, u.about])),
    });
    stops.push(() => awsConsole.close());

    const web: SandboxWebServer = await startWebServer({
      port,
      file,
      standin,
      sender,
      console: awsConsole,
      logFile,
      advanceClock: async (ms) => {
        clock.offsetMs += ms;
        await moto.setClockOffset(clock.offsetMs);
        // What came due (polls, expiries, hides) happens now, not at the next 5-second tick.
        await app.scheduler.tick();
      },
      clock,
    });
    stops.push(() => web.stop());
    return {
      url: web.url,
      botUrl: `http://127.0.0.1:${botPort}/slack/events`,
      file,
      clock,
      logFile,
      standin,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
