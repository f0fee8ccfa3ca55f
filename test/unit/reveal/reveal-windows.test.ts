/**
 * The reveal windows' hides on their own: against the Slack stand-in (real HTTP, Slack's rules)
 * and a SQLite store, with an injected clock. What is stored and when, what happens when Slack
 * fails, and that timers, the job and a second replica apply each hide once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { WebClient } from '@slack/web-api';
import { pino } from 'pino';
import type { AuditEvent } from '../../../src/audit/audit-events.js';
import { SlackStandin } from '../../../devkit/slack-standin.js';
import {
  createRevealWindows,
  MAX_ATTEMPTS,
  RETRY_MS,
  type RevealWindows,
} from '../../../src/reveal/reveal-windows.js';
import { windowView } from '../../../src/reveal/window-views.js';
import { section } from '../../../src/slack/block-kit.js';
import { createResponseUrlPoster } from '../../../src/slack/response-url.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';

const TOKEN = 'xoxb-reveal-windows';
const VALUE = 'CANARY-window-value-51d0';
let slack: SlackStandin;
let store: SqliteStore;
let now = Date.parse('2026-12-01T10:00:00Z');
const clock = { now: () => now };
let audits: AuditEvent[];

before(async () => {
  slack = await SlackStandin.start({
    botToken: TOKEN,
    clock,
    users: [{ id: 'U0ALICE', name: 'alice' }],
  });
});
after(async () => {
  await slack.stop();
});
beforeEach(() => {
  slack.reset();
  audits = [];
  store = openSqliteStore({ dataDir: mkdtempSync(join(tmpdir(), 'locksmith-windows-')) });
});
afterEach(() => store.close());

function windows(): RevealWindows {
  return createRevealWindows({
    slack: new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
    store,
    clock,
    audit: { record: (e) => audits.push(structuredClone(e)) },
    logger: pino({ level: 'silent' }),
    postToResponseUrl: createResponseUrlPoster(2000),
  });
}

const valueView = () => windowView('Secret', [section(`\`\`\`${VALUE}\`\`\``)]);
const hide = (ttlMs = 60_000) => ({
  subject: {
    action: 'secret.hide' as const,
    target: 'team/db',
    role: { name: 'ops', arn: 'arn:aws:iam::123456789012:role/ops' },
    title: 'Secret',
    again: 'Run `/secret get team/db` to see it again.',
  },
  ttlMs,
  user: 'U0ALICE',
  team: 'T0STANDIN',
});

async function opened(w: RevealWindows, ttlMs?: number) {
  return w.openWithValue(slack.newTriggerId('U0ALICE'), valueView(), hide(ttlMs));
}

function onScreen(): boolean {
  return slack.screenText('U0ALICE').includes(VALUE);
}

describe('reveal windows: the hide', () => {
  it('is stored before the value goes to Slack, and holds no value', async () => {
    const w = windows();
    // What the store held at the moment Slack got the value (the stand-in's first call).
    let atFirstCall: Promise<unknown[]> | undefined;
    const stop = slack.onActivity(() => {
      if (slack.calls.length === 1) atFirstCall ??= store.query({ kind: 'hide' });
    });
    const ref = await opened(w);
    stop();
    assert.equal((await atFirstCall!).length, 1, 'the hide was stored before Slack saw the value');
    const [rec] = await store.query({ kind: 'hide' });
    assert.equal(rec?.id, ref.key);
    assert.equal(rec?.dueAt, now + 60_000);
    assert.ok(!JSON.stringify(rec).includes(VALUE), 'the store never holds the value');
    assert.ok(onScreen());
  });

  it('applies at its time through the job, leaving nothing on screen; audited with how and when', async () => {
    const w = windows();
    await opened(w);
    now += 60_000;
    assert.equal(await w.job.run(), 1);
    assert.ok(!onScreen());
    assert.match(slack.screenText('U0ALICE'), /hid itself/);
    const [event] = audits;
    assert.equal(event?.action, 'secret.hide');
    assert.equal(event?.outcome, 'ok');
    assert.deepEqual(event?.hide, {
      how: 'ttl',
      due_at: new Date(now).toISOString(),
      at: new Date(now).toISOString(),
    });
    assert.equal(await w.job.run(), 0, 'applied once');
    assert.equal(slack.callsTo('views.update').length, 1);
  });

  it('is applied by another process when the one that showed it is gone (restart)', async () => {
    await opened(windows());
    const next = windows(); // the process after a restart: same store, no timers of its own
    now += 60_000;
    assert.equal(await next.job.run(), 1);
    assert.ok(!onScreen());
    assert.equal((audits[0]?.hide as { how: string }).how, 'restart');
  });

  it('is applied once when two replicas race for it', async () => {
    const a = windows();
    const b = windows();
    await opened(a);
    now += 60_000;
    await Promise.all([a.job.run(), b.job.run(), a.job.run(), b.job.run()]);
    assert.equal(slack.callsTo('views.update').length, 1);
    assert.equal(audits.length, 1);
  });

  it('moves with a refresh: the old time does nothing, the new one hides', async () => {
    const w = windows();
    const ref = await opened(w, 30_000);
    now += 20_000;
    await w.show(ref, valueView(), hide(30_000));
    now += 15_000; // past the first time, before the second
    assert.equal(await w.job.run(), 0);
    assert.ok(onScreen());
    now += 20_000;
    assert.equal(await w.job.run(), 1);
    assert.ok(!onScreen());
  });

  it('has nothing left to do once the person closed the window (view_closed)', async () => {
    const w = windows();
    const ref = await opened(w);
    slack.closeModal('U0ALICE');
    await w.closed({ id: ref.viewId!, external_id: ref.externalId! }, 'U0MALLORY');
    assert.equal((await store.query({ kind: 'hide' })).length, 1, 'someone else cannot end its hide');
    await w.closed({ id: ref.viewId!, external_id: ref.externalId! }, 'U0ALICE');
    now += 60_000;
    assert.equal(await w.job.run(), 0);
    assert.equal(slack.callsTo('views.update').length, 0, 'no hide call for a closed window');
    assert.equal((audits[0]?.hide as { how: string }).how, 'closed');
  });

  it('takes Slack’s not_found at its time as a closed window (no view_closed came)', async () => {
    const w = windows();
    await opened(w);
    slack.closeModal('U0ALICE');
    now += 60_000;
    await w.job.run();
    assert.equal(audits[0]?.outcome, 'ok');
    assert.equal((audits[0]?.hide as { how: string }).how, 'closed');
  });

  it('keeps its hide when Slack did not confirm the window opened', async () => {
    const w = windows();
    slack.failNext('views.open', 'fatal_error');
    await assert.rejects(opened(w));
    const [rec] = await store.query({ kind: 'hide' });
    assert.ok(rec, 'the hide stays: Slack may have opened it and lost the answer');
    now += 60_000;
    await w.job.run();
    assert.match(String(audits[0]?.note), /closed, or never opened/);
  });
});

describe('reveal windows: a hide Slack does not take', () => {
  it('tells the person once without the value, audits each failure, retries, and gives up in the end', async () => {
    const w = windows();
    const url = slack.newResponseUrl({ user: 'U0ALICE', channel: 'C0GENERAL' });
    await w.openWithValue(slack.newTriggerId('U0ALICE'), valueView(), {
      ...hide(),
      tell: { responseUrl: url, channel: 'C0GENERAL' },
    });
    for (let i = 0; i < MAX_ATTEMPTS; i++) slack.failNext('views.update', 'fatal_error');
    now += 60_000;
    await w.job.run();
    const told = slack.screen('U0ALICE').ephemerals;
    assert.equal(told.length, 1);
    assert.match(
      JSON.stringify(told[0]?.blocks),
      /could not hide the window showing `team\/db`.*Close that window now/,
    );
    assert.ok(!JSON.stringify(told).includes(VALUE));
    assert.equal(audits[0]?.outcome, 'error');
    assert.equal((audits[0]?.hide as { told: boolean }).told, true);

    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      now += RETRY_MS;
      await w.job.run();
    }
    assert.equal(audits.length, MAX_ATTEMPTS, 'every attempt audited');
    assert.match(String(audits.at(-1)?.note), /gave up after 5 attempts/);
    assert.equal(slack.screen('U0ALICE').ephemerals.length, 1, 'told once');
    assert.deepEqual(await store.query({ kind: 'hide' }), [], 'given up');
  });

  it('is applied on a later attempt when Slack comes back', async () => {
    const w = windows();
    await opened(w);
    slack.failNext('views.update', 'fatal_error');
    now += 60_000;
    await w.job.run();
    assert.ok(onScreen(), 'still there after the failed attempt');
    now += RETRY_MS;
    await w.job.run();
    assert.ok(!onScreen());
    assert.equal(audits.at(-1)?.outcome, 'ok');
    assert.equal((audits.at(-1)?.hide as { attempts: number }).attempts, 2);
  });
  it('is not applied a second time by a timer armed after the job took it (views.open answered late)', async () => {
    const w = windows();
    // The job runs while Slack is still answering views.open: the window is on screen and its
    // hide stored, but this process has not armed its timer yet; its first attempt fails.
    let jobRun: Promise<number> | undefined;
    const stop = slack.onActivity(() => {
      if (jobRun || slack.callsTo('views.open').length === 0) return;
      now += 60_000;
      slack.failNext('views.update', 'fatal_error');
      jobRun = w.job.run();
    });
    await opened(w);
    stop();
    await jobRun;
    await new Promise((r) => setTimeout(r, 100)); // the late timer, due already, has fired
    assert.equal(slack.callsTo('views.update').length, 1, 'one attempt: none from the late timer');
    assert.ok(onScreen(), 'the failed attempt left the value; its retry is the job’s');
    assert.deepEqual(
      audits.map((e) => [e.outcome, (e.hide as { how: string }).how]),
      [['error', 'ttl']],
      'this process’s own window: its time, not a restart',
    );
    now += RETRY_MS;
    assert.equal(await w.job.run(), 1);
    assert.ok(!onScreen());
  });
});

describe('reveal windows: shutdown and Hide now', () => {
  it('hides every pending window at shutdown', async () => {
    const w = windows();
    await opened(w);
    await opened(w);
    await w.flush();
    assert.ok(!onScreen());
    assert.deepEqual(
      audits.map((e) => (e.hide as { how: string }).how),
      ['shutdown', 'shutdown'],
    );
    assert.equal(w.pending, 0);
  });

  it('hides at once on Hide now, and not again at its time', async () => {
    const w = windows();
    const ref = await opened(w);
    await w.hideNow({ id: ref.viewId!, external_id: ref.externalId! });
    assert.ok(!onScreen());
    assert.match(slack.screenText('U0ALICE'), /was hidden/);
    now += 60_000;
    assert.equal(await w.job.run(), 0);
    assert.equal((audits[0]?.hide as { how: string }).how, 'click');
  });
});
