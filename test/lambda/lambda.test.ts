/**
 * The AWS Lambda entry (src/lambda.ts) in-process: Slack's signed requests are turned into the
 * events a Lambda function URL (payload v2, base64 body) or API Gateway's REST API (payload v1)
 * would deliver, and the handler's answer is sent back as the HTTP response. State is in
 * DynamoDB in moto; Slack is the stand-in.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stringify } from 'yaml';
import { seedAws } from '../../devkit/aws-seed.js';
import { ensureDynamoTable } from '../../devkit/dynamo-table.js';
import type { MotoServer } from '../../devkit/moto.js';
import { SlackRequestSender } from '../../devkit/slack-request-sender.js';
import { SlackStandin } from '../../devkit/slack-standin.js';
import { type AwsEvent, createLambdaHandlers, type LambdaHandlers } from '../../src/lambda.js';
import { leaseName } from '../../src/scheduling/lease.js';
import { openDynamoStore, type Store } from '../../src/store/index.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';
import { captureLogger } from '../support/log-capture.js';
import { startTestMoto } from '../support/moto.js';
import { windowIdFrom } from '../support/windows.js';
import { AwsFrontProxy } from '../replicas/support.js';

const BOT_TOKEN = 'xoxb-lambda-bot-token';
const SIGNING_SECRET = 'lambda-signing-secret';
const REGION = 'eu-west-1';
const TABLE = 'locksmith-lambda';

let moto: MotoServer;
let aws: AwsFrontProxy;
let slack: SlackStandin;
let store: Store;
let lambda: LambdaHandlers;
let dir: string;
let env: Record<string, string>;
let now = Date.now();
const clock = { now: () => now };
const logs = captureLogger('debug');
/** The events the handler received, to check their shape. */
const events: AwsEvent[] = [];

/** The HTTP side of a function URL (payload v2, base64 body) or of API Gateway's REST API (v1). */
async function startEndpoint(shape: 'v2' | 'v1'): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const event: AwsEvent =
        shape === 'v2'
          ? {
              version: '2.0',
              routeKey: '$default',
              rawPath: path,
              rawQueryString: '',
              headers,
              requestContext: {
                http: { method: req.method, path, sourceIp: '127.0.0.1' },
                stage: '$default',
              },
              body: body.toString('base64'),
              isBase64Encoded: true,
            }
          : {
              resource: '/slack/events',
              path,
              httpMethod: req.method ?? 'POST',
              headers,
              multiValueHeaders: {},
              queryStringParameters: null,
              multiValueQueryStringParameters: null,
              pathParameters: null,
              stageVariables: null,
              requestContext: { stage: 'prod' },
              body: body.toString('utf8'),
              isBase64Encoded: false,
            };
      events.push(event);
      lambda.handler(event, {}).then(
        (out) => {
          res.writeHead(out.statusCode, (out.headers ?? {}) as Record<string, string>);
          res.end(out.body);
        },
        (err: Error) => {
          res.writeHead(502).end(err.message);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, server };
}

const servers: Server[] = [];
async function senderFor(shape: 'v2' | 'v1'): Promise<SlackRequestSender> {
  const { url, server } = await startEndpoint(shape);
  servers.push(server);
  return new SlackRequestSender({ url, signingSecret: SIGNING_SECRET, standin: slack });
}

function writeConfig(name: string, extra: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, stringify({ ...config, ...extra }));
  return path;
}

before(async () => {
  moto = await startTestMoto();
  await moto.reset();
  await seedAws(moto.url, seed, REGION);
  // One DynamoDB request at a time to moto, whose conditional writes are not atomic (see there).
  aws = await AwsFrontProxy.start(moto.url);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIALAMBDAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  const client = new DynamoDBClient({ endpoint: aws.url, region: REGION });
  await ensureDynamoTable(client, TABLE);
  store = openDynamoStore({ table: TABLE, client });
  slack = await SlackStandin.start({ botToken: BOT_TOKEN, users, usergroups });
  dir = mkdtempSync(join(tmpdir(), 'locksmith-lambda-'));
  env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    LOCKSMITH_CONFIG: writeConfig('locksmith.yml', {
      // Long enough that this process's own timer never hides it: the scheduled tick must.
      reveal: { ttl_seconds: 600 },
      store: { dynamodb: { table: TABLE, region: REGION } },
    }),
  };
  lambda = createLambdaHandlers({ env, clock, logger: logs.logger });
});

after(async () => {
  await lambda?.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  await store?.close();
  await slack?.stop();
  await aws?.stop();
  await moto?.stop();
});

describe('AWS Lambda handler', () => {
  it('answers a signed /secret get in a function URL event (v2, base64 body) with 200; the window shows the value and its hide is stored before it returns', async () => {
    const sender = await senderFor('v2');
    const sent = await sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    assert.equal(sent.status, 200);
    const event = events.at(-1) as { version?: string; isBase64Encoded: boolean };
    assert.equal(event.version, '2.0');
    assert.equal(event.isBase64Encoded, true);
    // The ack waits for the listener on Lambda: the window is already there when the 200 comes.
    const viewId = windowIdFrom(slack, sent.triggerId);
    assert.ok(viewId, 'the window opened before the invocation returned');
    const window = slack.view(viewId);
    assert.ok(JSON.stringify(window?.view).includes(CANARY_PASSWORD));
    // Its hide is in the store, under the window's external_id, stored before the value was sent.
    assert.ok(await store.get('hide', window!.externalId!), 'the hide is stored');
  });

  it('answers a signed slash command in an API Gateway REST (v1) event', async () => {
    const sender = await senderFor('v1');
    const sent = await sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    assert.equal(sent.status, 200);
    assert.equal((events.at(-1) as { httpMethod?: string }).httpMethod, 'POST');
    const viewId = windowIdFrom(slack, sent.triggerId);
    assert.ok(viewId && JSON.stringify(slack.view(viewId)?.view).includes(CANARY_PASSWORD));
  });

  it('refuses a bad signature with 401 before any listener runs', async () => {
    const sender = await senderFor('v2');
    const before = slack.calls.length + slack.responseUrlPosts.length;
    const sent = await sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
      badSignature: true,
    });
    assert.equal(sent.status, 401);
    assert.equal(slack.calls.length + slack.responseUrlPosts.length, before);
  });

  it('refuses a timestamp 6 minutes in the future with 401, and answers a replayed signature without a second effect', async () => {
    const sender = await senderFor('v1');
    const before = slack.calls.length + slack.responseUrlPosts.length;
    const future = await sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'help',
      timestampSeconds: Math.floor(Date.now() / 1000) + 6 * 60,
    });
    assert.equal(future.status, 401);
    assert.equal(slack.calls.length + slack.responseUrlPosts.length, before);

    const channel = slack.dmChannelFor('U0ALICE');
    const responseUrl = slack.newResponseUrl({ user: 'U0ALICE', channel });
    const raw = new URLSearchParams({
      team_id: slack.teamId,
      channel_id: channel,
      user_id: 'U0ALICE',
      command: '/secret',
      text: 'help',
      response_url: responseUrl,
      trigger_id: slack.newTriggerId('U0ALICE'),
    }).toString();
    const headers = { ...sender.sign(raw) };
    assert.equal((await sender.post(raw, headers)).status, 200);
    assert.equal((await sender.post(raw, headers)).status, 200, 'the replay is answered');
    assert.equal(slack.responseUrlPosts.filter((p) => p.url === responseUrl).length, 1, 'once');
  });

  it('the scheduled handler runs one tick: a reveal past its time is hidden, and the lease is given back', async () => {
    const sender = await senderFor('v2');
    const sent = await sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/plain',
    });
    assert.equal(sent.status, 200);
    const viewId = windowIdFrom(slack, sent.triggerId)!;
    const hidden = () => /hid itself/.test(JSON.stringify(slack.view(viewId)?.view)) || undefined;
    await lambda.scheduledHandler({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    assert.equal(hidden(), undefined, 'not due yet');
    now += 601_000;
    assert.deepEqual(await lambda.scheduledHandler({ 'detail-type': 'Scheduled Event' }), { ok: true });
    assert.ok(hidden(), 'hidden by the tick, before the handler returned');
    assert.ok(!slack.screenText('U0ALICE').includes(`plain-${CANARY_PASSWORD}`));
    assert.equal(
      await store.getLease(leaseName('hides.windows')),
      undefined,
      'leases released after the tick',
    );
  });
});

describe('AWS Lambda configuration', () => {
  it('refuses the SQLite store with one line that says why', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    const sqlite = createLambdaHandlers({
      env: {
        ...env,
        LOCKSMITH_CONFIG: writeConfig('sqlite.yml', { store: { data_dir: join(dir, 'data') } }),
      },
      logger: logs.logger,
    });
    try {
      await assert.rejects(
        sqlite.scheduledHandler(),
        /AWS Lambda needs the DynamoDB store \(store\.dynamodb\.table\)/,
      );
    } finally {
      console.error = original;
      await sqlite.close();
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^locksmith: .*sqlite\.yml: store: AWS Lambda needs the DynamoDB store/);
  });

  it('refuses Socket Mode (SLACK_APP_TOKEN) and says what to set instead', async () => {
    const original = console.error;
    console.error = () => {};
    const socket = createLambdaHandlers({
      env: { ...env, SLACK_APP_TOKEN: 'xapp-1-A0-1-token' },
      logger: logs.logger,
    });
    try {
      await assert.rejects(
        socket.scheduledHandler(),
        /HTTP mode only .*unset SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET/,
      );
    } finally {
      console.error = original;
      await socket.close();
    }
  });
});
