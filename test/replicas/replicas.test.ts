/**
 * Two bot processes (`node dist/main.js`, HTTP mode) sharing one DynamoDB table in moto,
 * behind one HTTP entry that sends Slack's requests to each in turn, as a load balancer would.
 * Every effect must happen once however the requests are spread, and scheduled work must run
 * on one replica at a time, moving to the other when its holder dies.
 *
 * The scheduler is fast here (config `scheduler.interval_ms` 200, `lease_ms` 8000) so the
 * tests take seconds. The lease is long enough that a loaded machine (a tick, a DynamoDB call
 * through moto taking seconds) neither loses a live holder its lease nor makes the survivor of
 * a SIGKILL too late to take over "without waiting". The takeover tests assert against the
 * lease's own `until` as the replicas wrote it, not against the test's clock. DynamoDB requests go through {@link AwsFrontProxy}, which sends them to
 * moto one at a time (moto's conditional writes are not atomic under concurrency; DynamoDB's
 * are) and tells the replicas' calls apart by their access keys.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stringify } from 'yaml';
import { ensureDynamoTable } from '../../devkit/dynamo-table.js';
import { seedAws } from '../../devkit/aws-seed.js';
import { freePort, type MotoServer } from '../../devkit/moto.js';
import { SlackRequestSender } from '../../devkit/slack-request-sender.js';
import { SlackStandin } from '../../devkit/slack-standin.js';
import { leaseName } from '../../src/scheduling/lease.js';
import { openDynamoStore, type Store } from '../../src/store/index.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';
import { startTestMoto } from '../support/moto.js';
import { shownIn } from '../support/windows.js';
import {
  AwsFrontProxy,
  type BotProcess,
  logLines,
  MAIN,
  RoundRobin,
  startBot,
  waitForLine,
} from './support.js';

const BOT_TOKEN = 'xoxb-replicas-bot-token';
const SIGNING_SECRET = 'replicas-signing-secret';
const REGION = 'eu-west-1';
const TABLE = 'locksmith-replicas';
const APPROVALS = 'C0APPROVALS';
const LEASE_MS = 8000;
/**
 * How long to wait for something to show. It measures nothing (no test here is about speed), so
 * it is generous: on a loaded machine a request through two replicas and moto can take seconds.
 */
const WAIT_MS = 60_000;
/**
 * reveal.ttl_seconds. Long enough that "Hide now" sent to the other replica right after the
 * value shows gets there before the in-process timer (with 1 s, a loaded machine let the timer
 * win, and the window said "hid itself" where the test looks for "was hidden").
 */
const REVEAL_TTL_S = 6;
const INTERVAL_MS = 200;
/** Each replica signs with its own key, so the AWS proxy can tell their calls apart. */
const KEYS = ['AKIAREPLICA0AEXAMPLE', 'AKIAREPLICA0BEXAMPLE'] as const;

let moto: MotoServer;
let aws: AwsFrontProxy;
let slack: SlackStandin;
let lb: RoundRobin;
let sender: SlackRequestSender;
let direct: SlackRequestSender[];
let bots: BotProcess[] = [];
let ports: number[] = [];
let store: Store;
let storeClient: DynamoDBClient;

function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: aws.url,
    region: REGION,
    credentials: { accessKeyId: 'AKIATESTREADEREXAMPLE', secretAccessKey: 'testing' },
  });
}

before(async () => {
  if (!existsSync(MAIN))
    throw new Error('dist/main.js is missing: run `npm run build` first (npm test does)');
  moto = await startTestMoto();
  await moto.reset();
  await seedAws(moto.url, seed, REGION);
  aws = await AwsFrontProxy.start(moto.url);
  const admin = dynamoClient();
  await ensureDynamoTable(admin, TABLE);
  admin.destroy();
  storeClient = dynamoClient();
  store = openDynamoStore({ table: TABLE, client: storeClient });
  slack = await SlackStandin.start({
    botToken: BOT_TOKEN,
    users: [...users, { id: 'U0DAVE', name: 'dave', email: 'dave@example.com' }],
    usergroups,
  });

  const dir = mkdtempSync(join(tmpdir(), 'locksmith-replicas-'));
  const configPath = join(dir, 'locksmith.yml');
  writeFileSync(
    configPath,
    stringify({
      ...config,
      reveal: { ttl_seconds: REVEAL_TTL_S },
      // DynamoDB calls queue behind one another in the AWS proxy; on a loaded machine the queue
      // alone can pass the default 3 s, which would count as errors in the metrics asserted on.
      aws: { request_timeout_ms: 30_000 },
      store: { dynamodb: { table: TABLE, region: REGION } },
      scheduler: { interval_ms: INTERVAL_MS, lease_ms: LEASE_MS },
      approvals: {
        channel: APPROVALS,
        approvers: { people: ['U0BOB', 'U0DAVE'] },
        guarded_secrets: ['prod/*'],
        reveal_grant_minutes: 10,
      },
    }),
  );
  ports = [await freePort(), await freePort()];
  const envFor = (i: number): Record<string, string> => ({
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: KEYS[i]!,
    AWS_SECRET_ACCESS_KEY: 'testing',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PORT: String(ports[i]),
    LOCKSMITH_CONFIG: configPath,
    SLACK_API_URL: slack.apiUrl,
    LOG_LEVEL: 'debug',
  });
  // Replica 0 first, so it takes every job's lease before replica 1 exists.
  bots = [startBot(envFor(0))];
  await waitForLine(bots[0]!.stdout, /locksmith ready/);
  await waitForLine(
    bots[0]!.stdout,
    /scheduler lease taken.*hides\.windows|hides\.windows.*scheduler lease taken/,
  );
  bots.push(startBot(envFor(1)));
  await waitForLine(bots[1]!.stdout, /locksmith ready/);

  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  lb = await RoundRobin.start(urls);
  sender = new SlackRequestSender({
    url: `${lb.url}/slack/events`,
    signingSecret: SIGNING_SECRET,
    standin: slack,
  });
  direct = urls.map(
    (u) =>
      new SlackRequestSender({ url: `${u}/slack/events`, signingSecret: SIGNING_SECRET, standin: slack }),
  );
});

after(async () => {
  if (process.env.REPLICA_LOGS) {
    const { writeFileSync: w } = await import('node:fs');
    bots.forEach((b, i) => w(`/tmp/replica-${i}.log`, b.stdout.join('\n')));
  }
  for (const bot of bots) bot.child.kill('SIGKILL');
  await Promise.all(bots.map((b) => b.exit));
  await store?.close();
  storeClient?.destroy();
  await lb?.stop();
  await slack?.stop();
  await aws?.stop();
  await moto?.stop();
});

/** Which replica (0 or 1) signed a DynamoDB call; -1 for the test's own reads. */
const replicaOf = (accessKeyId: string): number => KEYS.indexOf(accessKeyId as (typeof KEYS)[number]);

/** Scheduler queries for due hides: the by_state query of `hide#pending:window` with a due filter. */
function dueHideQueries(since: number) {
  return aws.dynamoCalls.filter(
    (c) =>
      c.at >= since &&
      c.operation === 'Query' &&
      JSON.stringify(c.body).includes('"hide#pending:window"') &&
      JSON.stringify(c.body).includes(':due_by'),
  );
}

/** The views.update calls that put a "hidden" view into the window with this external_id. */
function hidesOf(externalId: string | undefined, pattern = /hid itself/) {
  return slack
    .callsTo('views.update')
    .filter((c) => c.args['external_id'] === externalId && pattern.test(JSON.stringify(c.args['view'])));
}

function auditActions(action: string): Record<string, unknown>[] {
  return bots
    .flatMap((b) => logLines(b))
    .map((l) => l['audit'] as Record<string, unknown> | undefined)
    .filter((a): a is Record<string, unknown> => a !== undefined && a['action'] === action);
}

function approvalIdOf(message: { blocks?: unknown[] }): string {
  const m = /"action_id":"approval_approve","value":"([^"]+)"/.exec(JSON.stringify(message.blocks));
  assert.ok(m, 'the request has an Approve button');
  return m[1]!;
}

/** alice asks for prod/db through the load balancer; the request lands in the approvals channel. */
async function requestReveal(reason: string) {
  const routedBefore = lb.routed.length;
  const sent = await sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
  assert.equal(sent.status, 200);
  const modal = await slack.waitFor(() => slack.openModalOf('U0ALICE', 'approval_request_reason'), WAIT_MS);
  const before = slack.channelMessages(APPROVALS).length;
  const submitted = await sender.viewSubmission({
    userId: 'U0ALICE',
    view: {
      id: modal.id,
      callback_id: 'approval_request_reason',
      state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: reason } } } },
    },
  });
  assert.equal(submitted.status, 200);
  const [commandTo, submitTo] = lb.routed.slice(routedBefore);
  assert.notEqual(commandTo, submitTo, 'the command and its modal went to different replicas');
  const message = await slack.waitFor(() => slack.channelMessages(APPROVALS)[before], WAIT_MS);
  return { message, approvalId: approvalIdOf(message) };
}

const grantDms = () =>
  slack
    .channelMessages(slack.dmChannelFor('U0ALICE'))
    .filter((m) => /approval_use_grant/.test(JSON.stringify(m.blocks)));

const decisionUpdates = (ts: string) =>
  slack
    .callsTo('chat.update')
    .filter((c) => c.args['ts'] === ts && /Approved by|Rejected by/.test(JSON.stringify(c.args['blocks'])));

/** Until nothing new reaches Slack for a while: late duplicates would have shown up by then. */
async function settle(quietMs = 1000): Promise<void> {
  let last = -1;
  for (;;) {
    const seen = slack.calls.length + slack.responseUrlPosts.length;
    if (seen === last) return;
    last = seen;
    await delay(quietMs);
  }
}

describe('two replicas behind one entry, sharing DynamoDB', () => {
  it('two approvers approving at the same moment on different replicas: one decision, one update, one DM', async () => {
    const { message, approvalId } = await requestReveal('INC-7: both approvers at once');
    const dmsBefore = grantDms().length;
    const decidedBefore = auditActions('approval.decided').length;
    const routedBefore = lb.routed.length;
    const [bob, dave] = await Promise.all([
      sender.blockActions({
        userId: 'U0BOB',
        actionId: 'approval_approve',
        channelId: APPROVALS,
        messageTs: message.ts,
      }),
      sender.blockActions({
        userId: 'U0DAVE',
        actionId: 'approval_approve',
        channelId: APPROVALS,
        messageTs: message.ts,
      }),
    ]);
    assert.equal(bob.status, 200);
    assert.equal(dave.status, 200);
    assert.deepEqual(new Set(lb.routed.slice(routedBefore)), new Set([0, 1]), 'one click per replica');

    await slack.waitFor(() => decisionUpdates(message.ts)[0], WAIT_MS);
    await settle();
    const updates = decisionUpdates(message.ts);
    assert.equal(updates.length, 1, 'the channel message is updated with the outcome once');
    assert.equal(grantDms().length - dmsBefore, 1, 'alice gets one Reveal DM');
    // Each click leaves one audit line: one decision, and the other click refused, whether it
    // read the decided request (clicks one after the other, as on a loaded machine) or lost
    // the compare-and-set (both read it pending).
    await slack.waitFor(
      () => auditActions('approval.decided').length - decidedBefore >= 2 || undefined,
      WAIT_MS,
    );
    const clicks = auditActions('approval.decided').slice(decidedBefore);
    const decided = clicks.filter((a) => a['outcome'] === 'approved' || a['outcome'] === 'rejected');
    assert.equal(decided.length, 1, 'one decision in the audit trail, across both replicas');
    assert.deepEqual(
      clicks.filter((a) => !decided.includes(a)).map((a) => [a['outcome'], a['reason']]),
      [['refused', 'not_open']],
      'the other click is audited as refused',
    );

    const record = await store.get<{ state: string; decidedBy?: { slackId?: string } }>(
      'approval',
      approvalId,
    );
    assert.equal(record?.data.state, 'approved');
    const winner = JSON.stringify(updates[0]!.args['blocks']).match(/Approved by <@(U0BOB|U0DAVE)>/)?.[1];
    assert.ok(winner, 'the update names the approver who won');
    // Created, its channel message noted, decided: a second decision would be a fourth write.
    assert.equal(record?.version, 3, 'decided once: no second write');

    // Each replica counts its own state-store calls in the AWS metrics; the loser's
    // compare-and-set is a conflict there, not an error.
    for (const port of ports) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(
        metrics,
        /^locksmith_aws_calls_total\{service="dynamodb",operation="\w+",outcome="success"\} [1-9]/m,
      );
      assert.doesNotMatch(metrics, /^locksmith_aws_calls_total\{service="dynamodb"[^}]*outcome="error"/m);
    }
  });

  it('a signed request replayed to the other replica is answered there without a second effect', async () => {
    const channel = slack.dmChannelFor('U0ALICE');
    const responseUrl = slack.newResponseUrl({ user: 'U0ALICE', channel });
    const raw = new URLSearchParams({
      token: 'standin-verification-token',
      team_id: slack.teamId,
      channel_id: channel,
      user_id: 'U0ALICE',
      command: '/secret',
      text: 'help',
      response_url: responseUrl,
      trigger_id: slack.newTriggerId('U0ALICE'),
    }).toString();
    const headers = { ...direct[0]!.sign(raw) };
    assert.equal((await direct[0]!.post(raw, headers)).status, 200);
    await slack.waitFor(() => slack.responseUrlPosts.find((p) => p.url === responseUrl), WAIT_MS);
    const replayed = await direct[1]!.post(raw, headers);
    assert.equal(replayed.status, 200, 'the replay is answered');
    await settle();
    assert.equal(slack.responseUrlPosts.filter((p) => p.url === responseUrl).length, 1, 'one reply, not two');
    assert.ok(
      bots[1]!.stdout.some((l) => l.includes('replayed request answered without effect')),
      'replica 1 knew the signature from the shared store',
    );
  });

  it('a double click across replicas (Approve twice, then Reveal twice): one decision, one DM, one modal with the value', async () => {
    const { message } = await requestReveal('INC-8: double click');
    const dmsBefore = grantDms().length;
    const click = () =>
      sender.blockActions({
        userId: 'U0BOB',
        actionId: 'approval_approve',
        channelId: APPROVALS,
        messageTs: message.ts,
      });
    const routedBefore = lb.routed.length;
    await Promise.all([click(), click()]);
    assert.deepEqual(new Set(lb.routed.slice(routedBefore)), new Set([0, 1]));
    await slack.waitFor(() => decisionUpdates(message.ts)[0], WAIT_MS);
    await settle();
    assert.equal(decisionUpdates(message.ts).length, 1);
    const dms = grantDms().slice(dmsBefore);
    assert.equal(dms.length, 1);
    const dm = dms[0]!;
    assert.ok(!JSON.stringify(dm).includes(CANARY_PASSWORD), 'the DM holds no value');

    // Windows that showed the value (it may be hidden again by now: reveal.ttl_seconds is short).
    const valueModals = () =>
      slack
        .views('U0ALICE')
        .filter((v) => [v.view, ...v.history].some((x) => JSON.stringify(x).includes(CANARY_PASSWORD)))
        .length;
    const modalsBefore = valueModals();
    const reveal = () =>
      sender.blockActions({
        userId: 'U0ALICE',
        actionId: 'approval_use_grant',
        channelId: dm.channel,
        messageTs: dm.ts,
      });
    await Promise.all([reveal(), reveal()]);
    await slack.waitFor(() => valueModals() > modalsBefore || undefined, WAIT_MS);
    await settle();
    assert.equal(valueModals() - modalsBefore, 1, 'the single-use Reveal opens the value once');
    const used = auditActions('secret.reveal').filter(
      (a) => a['outcome'] === 'ok' && a['target'] === 'prod/db',
    );
    assert.equal(used.length, 1, 'one reveal of prod/db in the audit trail');
  });

  it('auto-hides: each reveal is hidden once, and only one replica polls for due hides at a time', async () => {
    const since = Date.now();
    const windows = [];
    for (let i = 0; i < 4; i++) {
      const sent = await sender.slashCommand({
        userId: 'U0ALICE',
        command: '/secret',
        text: 'get 2ndline/fastly',
      });
      windows.push(await shownIn(slack, sent.triggerId, WAIT_MS));
    }
    for (const w of windows) await slack.waitFor(() => hidesOf(w.externalId)[0], WAIT_MS);
    await settle();
    for (const w of windows) assert.equal(hidesOf(w.externalId).length, 1, 'hidden exactly once');
    assert.ok(!slack.screenText('U0ALICE').includes(CANARY_PASSWORD));
    // Replica 0 has held the hides lease since it started; replica 1 never polled meanwhile,
    // though both tick every 200 ms and both served reveals. The holder keeps polling: at least
    // five polls (counted, not timed: a loaded machine ticks late).
    await slack.waitFor(() => dueHideQueries(since).length >= 5, WAIT_MS);
    const polls = dueHideQueries(since);
    assert.ok(polls.length >= 5, `the holder kept polling (${polls.length} polls)`);
    assert.deepEqual(new Set(polls.map((c) => replicaOf(c.accessKeyId))), new Set([0]));
    assert.equal(
      (await store.getLease(leaseName('hides.windows')))?.owner.split(':')[1],
      String(bots[0]!.child.pid),
    );
  });

  /** A reveal served by replica `i` itself, so that its in-process hide timer is on that replica. */
  async function revealOn(i: number) {
    const sent = await direct[i]!.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/plain',
    });
    const shown = await shownIn(slack, sent.triggerId, WAIT_MS);
    assert.ok(shown.json.includes(CANARY_PASSWORD));
    // The hide was stored before the value went to Slack: a replica killed at any moment leaves it.
    assert.ok(await store.get('hide', shown.externalId!), 'the pending hide is in the store');
    return { sent, shown, hiddenPosts: () => hidesOf(shown.externalId) };
  }

  const holderPid = async (job: string): Promise<string | undefined> =>
    (await store.getLease(leaseName(job)))?.owner.split(':')[1];

  /** The hides lease writes (PutItem) replica `replica` sent, in arrival order at the proxy. */
  function leaseWrites(replica: number) {
    const pk = `lease#${leaseName('hides.windows')}`;
    return aws.dynamoCalls
      .filter((c) => c.operation === 'PutItem' && replicaOf(c.accessKeyId) === replica)
      .map((c) => {
        const item = (c.body['Item'] ?? {}) as Record<string, { S?: string; N?: string }>;
        const values = (c.body['ExpressionAttributeValues'] ?? {}) as Record<
          string,
          { S?: string; N?: string }
        >;
        return {
          at: c.at,
          pk: item['pk']?.S,
          until: Number(item['lease_until']?.N),
          now: Number(values[':now']?.N),
          replacing: values[':replacing']?.S,
        };
      })
      .filter((w) => w.pk === pk);
  }

  /** When replica `bot` logged taking the hides lease (either way), after `since`. */
  function takenAt(bot: BotProcess, since: number): number | undefined {
    const line = logLines(bot).find(
      (l) =>
        l['job'] === 'hides.windows' &&
        (l['msg'] === 'scheduler lease taken' ||
          l['msg'] === 'scheduler lease taken over from a process that is gone') &&
        Date.parse(String(l['time'])) >= since,
    );
    return line ? Date.parse(String(line['time'])) : undefined;
  }

  it('"Hide now" on the other replica: the window stays hidden, and the first replica’s timer changes nothing later', async () => {
    const { shown, hiddenPosts } = await revealOn(0); // replica 0 holds the reveal's timer
    const res = await direct[1]!.blockActions({
      userId: 'U0ALICE',
      actionId: 'reveal_hide',
      view: { id: shown.viewId },
    });
    assert.equal(res.status, 200);
    await slack.waitFor(() => hidesOf(shown.externalId, /was hidden/)[0], WAIT_MS);
    // Past the timer on replica 0 (the reveal's ttl), and several ticks of the hides job.
    await delay(REVEAL_TTL_S * 1000 + 1500);
    await settle();
    assert.equal(hiddenPosts().length, 0, 'no "hid itself" replaced the "was hidden" window');
    assert.match(JSON.stringify(slack.view(shown.viewId)?.view), /was hidden/);
    assert.equal((await store.query({ kind: 'hide', states: ['pending:window'] })).length, 0, 'no hide left');
  });

  it('a hung lease holder (SIGSTOP) keeps its leases until they run out; then the other replica takes over and hides what was left', async () => {
    const [hung, other] = [bots[0]!, bots[1]!];
    const { hiddenPosts } = await revealOn(0);
    assert.equal(await holderPid('hides.windows'), String(hung.child.pid));
    hung.child.kill('SIGSTOP'); // alive, but renews nothing: a process stuck, or a host cut off
    const stoppedAt = Date.now();
    try {
      await slack.waitFor(() => hiddenPosts()[0], LEASE_MS + WAIT_MS);
      const takenOver = takenAt(other, stoppedAt);
      assert.ok(takenOver, 'the other replica logged taking the hides lease');
      // The hung holder's renewals that reached the store before the stop all succeeded (it held
      // the lease), so the lease ran at least until the latest of them: not stolen before.
      const renewedUntil = Math.max(
        ...leaseWrites(0)
          .filter((w) => w.at < stoppedAt)
          .map((w) => w.until),
      );
      assert.ok(Number.isFinite(renewedUntil), 'the hung holder had renewed its lease before the stop');
      assert.ok(
        takenOver >= renewedUntil,
        `taken over ${renewedUntil - takenOver} ms before the hung holder's lease ran out`,
      );
      assert.equal(await holderPid('hides.windows'), String(other.child.pid));
    } finally {
      hung.child.kill('SIGCONT');
    }
    // Back, the old holder finds its leases gone and leaves the job alone; its timer finds the
    // hide already done.
    await waitForLine(hung.stdout, /scheduler lease lost to another replica/, WAIT_MS);
    await settle();
    assert.equal(hiddenPosts().length, 1, 'hidden exactly once');
    // Several ticks' polls (not a fixed time: a loaded machine may tick late), all by the new holder.
    const since = Date.now();
    const pollers = () => dueHideQueries(since).map((c) => replicaOf(c.accessKeyId));
    await slack.waitFor(() => pollers().filter((r) => r === 1).length >= 4, WAIT_MS);
    assert.deepEqual(new Set(pollers()), new Set([1]));
  });

  it('SIGKILL of the lease holder: a replica on the same host sees its process gone and takes over without waiting', async () => {
    // After the previous test replica 1 holds the leases.
    const [survivor, killed] = [bots[0]!, bots[1]!];
    const { hiddenPosts } = await revealOn(1);
    const killedOwner = (await store.getLease(leaseName('hides.windows')))?.owner;
    assert.equal(killedOwner?.split(':')[1], String(killed.child.pid));
    killed.child.kill('SIGKILL');
    const killedAt = Date.now();
    await killed.exit;
    await slack.waitFor(() => hiddenPosts()[0], WAIT_MS);
    const takenOver = takenAt(survivor, killedAt);
    assert.ok(takenOver, 'the survivor logged taking the hides lease');
    // Before the lease ran out: the survivor's takeover write (the one naming the dead holder)
    // was made at a moment before the latest `until` the killed holder ever wrote.
    const killedUntil = Math.max(...leaseWrites(1).map((w) => w.until));
    const takeover = leaseWrites(0).find((w) => w.replacing === killedOwner && w.at >= killedAt);
    assert.ok(takeover, 'the survivor wrote the lease naming the dead holder');
    assert.ok(
      takeover.now < killedUntil,
      `taken over ${takeover.now - killedUntil} ms after the killed holder's lease ran out`,
    );
    assert.ok(
      logLines(survivor).some(
        (l) =>
          l['msg'] === 'scheduler lease taken over from a process that is gone' &&
          l['job'] === 'hides.windows',
      ),
    );
    assert.equal(await holderPid('hides.windows'), String(survivor.child.pid));
    await settle();
    assert.equal(hiddenPosts().length, 1, 'hidden exactly once');
  });
});
