/**
 * The whole bot in-process, over real HTTP: createApp against the Slack stand-in and moto (via
 * the recording proxy), driven by signed Slack requests. AWS is reached exactly as in
 * production: the SDK's default credential chain and AWS_ENDPOINT_URL.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createApp, type LocksmithApp } from '../../src/app.js';
import { buildDeps } from '../../src/build-deps.js';
import type { Clock } from '../../src/core/clock.js';
import { type Config, parseConfigFile } from '../../src/config.js';
import type { Deps } from '../../src/deps.js';
import { AwsRecorder } from '../../devkit/aws-recorder.js';
import { type Seeded, type SeedSpec, seedAws } from '../../devkit/aws-seed.js';
import type { MotoServer } from '../../devkit/moto.js';
import { SlackRequestSender } from '../../devkit/slack-request-sender.js';
import { SlackStandin } from '../../devkit/slack-standin.js';
import type { StandinUser, StandinUsergroup } from '../../devkit/standin-types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { captureLogger } from './log-capture.js';
import { startTestMoto } from './moto.js';

export const BOT_TOKEN = 'xoxb-test-bot-token';
export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const APP_TOKEN = 'xapp-1-A0LOCKSMITH-1-test-app-token';
export const REGION = 'eu-west-1';

export interface HarnessOptions {
  config: Record<string, unknown>;
  seed: SeedSpec;
  users: StandinUser[];
  usergroups?: StandinUsergroup[];
  enforceIam?: boolean;
  clock?: Clock;
  moto?: MotoServer;
  /** Log level of the bot; tests keep debug so leak checks see everything. */
  logLevel?: string;
  /**
   * Socket Mode instead of HTTP: the bot connects to the stand-in with APP_TOKEN, `sender`
   * delivers envelopes over that connection, and the health server listens on a free port.
   */
  socketMode?: true;
  /** The workspace's Enterprise Grid org, as the stand-in's auth.test reports it. */
  enterpriseId?: string;
}

export interface Harness {
  moto: MotoServer;
  aws: AwsRecorder;
  slack: SlackStandin;
  sender: SlackRequestSender;
  app: LocksmithApp;
  deps: Deps;
  seeded: Seeded;
  logs: string[];
  auditEvents(): Record<string, unknown>[];
  /** HTTP mode's request URL; empty in Socket Mode, where Slack needs none. */
  eventsUrl: string;
  /** `GET` answers 200 once the bot is ready (HTTP: same port as events; Socket Mode: its own). */
  healthUrl: string;
  /** The bot's data directory (the SQLite file lives here). */
  dataDir: string;
  /**
   * A new bot process takes over, on the same store file, stand-in and moto. `crash`: the old
   * one dies as under kill -9: nothing more it does lasts (its store is gone), its receiver
   * stops, and none of its shutdown work (hides, leases) runs. Otherwise it stops gracefully
   * first (SIGTERM). `app`, `deps`, `sender` and the URLs then belong to the new process.
   */
  restart(options?: { crash?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** The bot events manifest.yml subscribes to: what Slack would send this app. */
export function manifestBotEvents(): string[] {
  const manifest = parseYaml(readFileSync(join(import.meta.dirname, '../../manifest.yml'), 'utf8')) as {
    settings?: { event_subscriptions?: { bot_events?: string[] } };
  };
  return manifest.settings?.event_subscriptions?.bot_events ?? [];
}

/** A store that can be killed with its process: every call fails once `dead`. */
function killable(store: Store): { store: Store; kill(): void } {
  let dead = false;
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (dead) return Promise.reject(new Error('the process is dead'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, kill: () => (dead = true) };
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const moto = options.moto ?? (await startTestMoto());
  await moto.reset();
  const seeded = await seedAws(moto.url, options.seed, REGION);
  if (options.enforceIam) await moto.enforceIam();
  const aws = await AwsRecorder.start(moto.url);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: seeded.botCredentials?.accessKeyId ?? 'AKIAMOTOADMINEXAMPLE',
    AWS_SECRET_ACCESS_KEY: seeded.botCredentials?.secretAccessKey ?? 'moto',
  });
  for (const k of [
    'AWS_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_ENDPOINT_URL_STS',
    'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  ])
    delete process.env[k];

  const slack = await SlackStandin.start({
    botToken: BOT_TOKEN,
    users: options.users,
    usergroups: options.usergroups ?? [],
    ...(options.socketMode ? { appToken: APP_TOKEN } : {}),
    ...(options.enterpriseId !== undefined ? { enterpriseId: options.enterpriseId } : {}),
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'locksmith-test-data-'));
  const file = parseConfigFile({ store: { data_dir: dataDir }, ...options.config }, 'test config');
  const config: Config = {
    ...file,
    slackBotToken: BOT_TOKEN,
    transport: options.socketMode
      ? { kind: 'socket', appToken: APP_TOKEN, healthPort: 0 }
      : { kind: 'http', signingSecret: SIGNING_SECRET, port: 0 },
    slackApiUrl: slack.apiUrl,
    logLevel: options.logLevel ?? 'debug',
    configPath: 'test config',
    awsRegion: REGION,
  };
  const captured = captureLogger(options.logLevel ?? 'debug');
  let process_ = await startProcess();
  // Slack sends the events the manifest subscribes to when the workspace changes (user_change…),
  // to whichever process serves the app now.
  slack.deliverEventsTo((event) => process_.sender.event(event), manifestBotEvents());

  async function startProcess() {
    // The SQLite store (the default) can die with its process; a DynamoDB one is left to buildDeps.
    const store = config.store.dynamodb ? undefined : killable(openSqliteStore({ dataDir }));
    const deps = buildDeps(config, {
      logger: captured.logger,
      clock: options.clock,
      ...(store ? { store: store.store } : {}),
    });
    const app = createApp(deps);
    const { port } = await app.start();
    const eventsUrl = options.socketMode ? '' : `http://127.0.0.1:${port}/slack/events`;
    const sender = options.socketMode
      ? slack.socketMode.sender
      : new SlackRequestSender({ url: eventsUrl, signingSecret: SIGNING_SECRET, standin: slack });
    return { store, deps, app, port, eventsUrl, sender };
  }

  const harness: Harness = {
    moto,
    aws,
    slack,
    sender: process_.sender,
    app: process_.app,
    deps: process_.deps,
    seeded,
    logs: captured.lines,
    auditEvents: captured.auditEvents,
    eventsUrl: process_.eventsUrl,
    healthUrl: `http://127.0.0.1:${process_.port}/healthz`,
    dataDir,
    async restart(restartOptions = {}) {
      const old = process_;
      if (restartOptions.crash) {
        if (!old.store) throw new Error('restart({ crash }) needs the SQLite store');
        old.store.kill();
        await old.app.app.stop().catch(() => undefined);
        await old.app.scheduler.stop().catch(() => undefined);
      } else {
        await old.app.stop();
      }
      process_ = await startProcess();
      Object.assign(harness, {
        sender: process_.sender,
        app: process_.app,
        deps: process_.deps,
        eventsUrl: process_.eventsUrl,
        healthUrl: `http://127.0.0.1:${process_.port}/healthz`,
      });
    },
    async stop() {
      await process_.app.stop();
      await process_.deps.store.close();
      await slack.stop();
      await aws.stop();
      if (!options.moto) await moto.stop();
    },
  };
  return harness;
}
