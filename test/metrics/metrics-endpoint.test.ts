/**
 * GET /metrics on the running app (HTTP mode, same port as /slack/events and /healthz), after
 * real requests against the Slack stand-in and moto with IAM enforced: the counters carry the
 * right labels and values, and no secret value, secret name or user id reaches the output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../support/app-harness.js';
import { answered } from '../support/windows.js';
import {
  CANARY_PASSWORD,
  CANARY_SEED,
  CANARY_TOKEN,
  config,
  seed,
  usergroups,
  users,
} from '../support/fixtures.js';
import { labelValues, parseExposition, valueOf } from './exposition.js';

const APPROVALS = 'C0APPROVALS';
/** A secret whose name and value must never appear in /metrics. */
const CANARY_NAME = 'canary/metrics-name-5e1f0c';
const CANARY_VALUE = 'CANARY-metrics-value-93d0b7';
const MISSING_NAME = 'canary/missing-name-2b9f44';

let h: Harness;
let metricsUrl: string;

before(async () => {
  h = await startHarness({
    config: {
      ...config,
      approvals: {
        channel: APPROVALS,
        approvers: { people: ['U0BOB'] },
        guarded_secrets: ['prod/*'],
      },
    },
    seed: {
      ...seed,
      secrets: [...(seed.secrets ?? []), { name: CANARY_NAME, value: { password: CANARY_VALUE } }],
    },
    users,
    usergroups,
    enforceIam: true,
  });
  metricsUrl = h.healthUrl.replace('/healthz', '/metrics');
});
after(async () => {
  await h?.stop();
});

async function scrape(): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(metricsUrl);
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/**
 * Scrapes until `ready` holds: a request is counted when its handler returns, a moment after
 * the reply the test waited for reached the stand-in.
 */
async function scrapeUntil(ready: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await scrape()).text;
    if (ready(text)) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
  return text;
}

/** Sends a slash command and waits for its answer: a window, or a reply through the response_url. */
async function command(userId: string, name: '/secret' | '/totp', text: string) {
  const sent = await h.sender.slashCommand({ userId, command: name, text });
  assert.equal(sent.status, 200);
  await answered(h.slack, sent);
  return sent;
}

/** alice asks for the guarded prod/db, and bob approves it from the approvals channel. */
async function approvedReveal(): Promise<void> {
  const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
  assert.equal(sent.status, 200);
  const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
  await h.sender.viewSubmission({
    userId: 'U0ALICE',
    view: {
      id: modal.id,
      callback_id: 'approval_request_reason',
      state: {
        values: { approval_reason: { reason: { type: 'plain_text_input', value: 'INC-7 metrics' } } },
      },
    },
  });
  const message = await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[0]);
  const click = await h.sender.blockActions({
    userId: 'U0BOB',
    actionId: 'approval_approve',
    channelId: APPROVALS,
    messageTs: message.ts,
  });
  assert.equal(click.status, 200);
  await h.slack.waitFor(() =>
    /Approved by <@U0BOB>/.test(JSON.stringify(h.slack.channelMessages(APPROVALS)[0]?.blocks))
      ? true
      : undefined,
  );
}

const requests = (kind: string, name: string, outcome: string) =>
  ['locksmith_slack_requests_total', { kind, name, outcome }] as const;

describe('GET /metrics', () => {
  let text: string;

  before(async () => {
    await command('U0ALICE', '/secret', 'get 2ndline/fastly'); // ok
    await command('U0ALICE', '/secret', `get ${CANARY_NAME}`); // ok, the canary secret
    await command('U0STRANGER', '/secret', 'get 2ndline/fastly'); // refused: not in the policy
    await command('U0BOB', '/secret', 'get 2ndline/fastly'); // denied by IAM (role `nothing`)
    await command('U0ALICE', '/secret', `get ${MISSING_NAME}`); // not found
    await command('U0ALICE', '/totp', '2ndline/fastly'); // ok
    await approvedReveal(); // /secret get (modal) + view submission + approve click
    text = await scrapeUntil((t) => valueOf(t, ...requests('action', 'approval_approve', 'approved')) === 1);
  });

  it('answers 200 in the Prometheus text format on the events port', async () => {
    const res = await scrape();
    assert.equal(res.status, 200);
    assert.match(res.contentType ?? '', /^text\/plain; version=0\.0\.4/);
    assert.ok(parseExposition(res.text).length > 0);
    assert.ok(new URL(metricsUrl).port === new URL(h.eventsUrl).port);
  });

  it('counts commands by name and outcome: ok, refused, denied, not_found', () => {
    // alice's two reads, plus her guarded request, which opened the reason modal.
    assert.equal(valueOf(text, ...requests('command', '/secret get', 'ok')), 3);
    assert.equal(valueOf(text, ...requests('command', '/secret get', 'refused')), 1);
    assert.equal(valueOf(text, ...requests('command', '/secret get', 'denied')), 1);
    assert.equal(valueOf(text, ...requests('command', '/secret get', 'not_found')), 1);
    assert.equal(valueOf(text, ...requests('command', '/totp', 'ok')), 1);
  });

  it('counts interactions by action or callback id and outcome', () => {
    assert.equal(valueOf(text, ...requests('view_submission', 'approval_request_reason', 'ok')), 1);
    assert.equal(valueOf(text, ...requests('action', 'approval_approve', 'approved')), 1);
  });

  it('times every reply in a histogram per command', () => {
    const count = valueOf(text, 'locksmith_slack_reply_duration_seconds_count', {
      kind: 'command',
      name: '/secret get',
    });
    assert.equal(count, 6);
    const sum = valueOf(text, 'locksmith_slack_reply_duration_seconds_sum', {
      kind: 'command',
      name: '/secret get',
    });
    assert.ok(sum !== undefined && sum > 0, 'the replies took some time');
    const inf = valueOf(text, 'locksmith_slack_reply_duration_seconds_bucket', {
      kind: 'command',
      name: '/totp',
      le: '+Inf',
    });
    assert.equal(inf, 1);
  });

  it('counts AWS calls by service, operation and outcome, a denied read as denied', () => {
    const aws = (service: string, operation: string, outcome: string) =>
      valueOf(text, 'locksmith_aws_calls_total', { service, operation, outcome }) ?? 0;
    // Sessions are cached per person and role: alice and bob each assumed a role once.
    assert.equal(aws('sts', 'AssumeRole', 'success'), 2);
    // alice: 2ndline/fastly, the canary, /totp's read; the missing name is not_found.
    assert.equal(aws('secretsmanager', 'GetSecretValue', 'success'), 3);
    assert.equal(aws('secretsmanager', 'GetSecretValue', 'denied'), 1);
    assert.equal(aws('secretsmanager', 'GetSecretValue', 'not_found'), 1);
    const seconds = valueOf(text, 'locksmith_aws_call_duration_seconds_count', {
      service: 'secretsmanager',
      operation: 'GetSecretValue',
    });
    assert.equal(seconds, 5);
  });

  it('shows approvals and rotations by state, read from the store', () => {
    assert.equal(valueOf(text, 'locksmith_approvals', { state: 'approved' }), 1);
    assert.equal(valueOf(text, 'locksmith_approvals', { state: 'pending' }), 0);
    assert.equal(valueOf(text, 'locksmith_rotations', { state: 'switch-over' }), 0);
    assert.equal(valueOf(text, 'locksmith_rotations', { state: 'done' }), 0);
  });

  it('records scheduler ticks: the catch-up tick at start counts', () => {
    assert.ok((valueOf(text, 'locksmith_scheduler_tick_lag_seconds_count') ?? 0) >= 1);
    assert.ok((valueOf(text, 'locksmith_scheduler_tick_duration_seconds_count') ?? 0) >= 1);
  });

  it("includes Node's process metrics", () => {
    assert.ok((valueOf(text, 'process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(valueOf(text, 'nodejs_eventloop_lag_seconds') !== undefined);
  });

  it('never holds a secret value, a secret name or a user id', () => {
    for (const canary of [CANARY_PASSWORD, CANARY_TOKEN, CANARY_SEED, CANARY_VALUE]) {
      assert.ok(!text.includes(canary), 'no secret value');
    }
    for (const name of [CANARY_NAME, MISSING_NAME, 'metrics-name', '2ndline/fastly', 'prod/db']) {
      assert.ok(!text.includes(name), `no secret name (${name})`);
    }
    for (const user of users) assert.ok(!text.includes(user.id), `no user id (${user.id})`);
    assert.ok(!text.includes('INC-7'), 'no free text from a reason');
    // Every locksmith label value is one of a few fixed shapes.
    for (const value of labelValues(text, 'locksmith_')) {
      assert.match(value, /^(\/[a-z-]+( [a-z]+)?|[a-z_]+|[A-Za-z]+|[a-z-]+|[\d.]+|\+Inf)$/, value);
    }
  });
});

describe('request labels stay bounded', () => {
  it('counts a forged action id and a free-text subcommand as `other` / `unknown`, not by their text', async () => {
    // No listener matches it; whether Slack gets a 200 or a 404 is not this test's concern.
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: `forged_${CANARY_NAME}`,
      channelId: APPROVALS,
      messageTs: '1.000001',
    });
    // Three words: refused as a bad command, labelled by no word of it.
    await command('U0ALICE', '/secret', `${CANARY_NAME} please now`);
    const text = await scrapeUntil(
      (t) =>
        valueOf(t, ...requests('action', 'other', 'ok')) === 1 &&
        valueOf(t, ...requests('command', '/secret unknown', 'refused')) === 1,
    );
    assert.equal(valueOf(text, ...requests('action', 'other', 'ok')), 1);
    assert.equal(valueOf(text, ...requests('command', '/secret unknown', 'refused')), 1);
    assert.ok(!text.includes('forged_'));
    assert.ok(!text.includes(CANARY_NAME));
  });
});
