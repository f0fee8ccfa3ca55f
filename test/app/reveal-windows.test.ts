/**
 * What a person sees, end to end: every surface that shows a value (`/secret get`, `/totp`, its
 * Refresh, and a reveal's Edit with its confirmation), looked at on the person's screen in the
 * Slack stand-in after their time is up, after a graceful shutdown, and after a crash (kill -9)
 * and restart. Then the rest of a window's life: Hide now, closing it, Slack refusing to open it
 * (the "Open" button), a slow read, and a hide Slack will not take. The rotation's one-time
 * reveal is in rotate-key.test.ts; the real kill -9 of the process in test/e2e.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RETRY_MS } from '../../src/reveal/reveal-windows.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import {
  CANARY_PASSWORD,
  CANARY_SEED,
  CANARY_TOKEN,
  editConfig,
  editSeed,
  usergroups,
  users,
} from '../support/fixtures.js';
import { shownIn, viewsSentTo } from '../support/windows.js';

const ALICE = 'U0ALICE';
let typedCount = 0;
let now = Date.parse('2026-12-01T10:00:05Z');
const clock = { now: () => now };
let h: Harness;

before(async () => {
  h = await startHarness({
    config: { ...editConfig, reveal: { ttl_seconds: 60 } },
    seed: editSeed,
    users,
    usergroups,
    enforceIam: true,
    clock,
  });
});
after(async () => {
  await h?.stop();
});
beforeEach(() => {
  // Each test starts with a clean screen: the previous test's windows are the stand-in's past.
  h.slack.reset();
});

/** Time passes on the bot's clock, and the scheduler runs what came due. */
async function timePasses(ms: number): Promise<void> {
  now += ms;
  await h.app.scheduler.tick();
}

async function command(command: '/secret' | '/totp', text: string) {
  const sent = await h.sender.slashCommand({ userId: ALICE, command, text });
  assert.equal(sent.status, 200);
  return { sent, shown: await shownIn(h.slack, sent.triggerId) };
}

/** The ungrouped code of a codes window. */
function codeIn(json: string): string {
  const m = /```(\d{6})```/.exec(json);
  assert.ok(m, 'the window shows a code');
  return m[1]!;
}

async function click(viewId: string, actionId: string) {
  const before = viewsSentTo(h.slack, viewId).length;
  await h.sender.blockActions({ userId: ALICE, actionId, view: { id: viewId } });
  return h.slack.waitFor(() => viewsSentTo(h.slack, viewId).slice(before)[0]);
}

/**
 * Every surface that shows a value, open at once on alice's screen: a secret, codes, refreshed
 * codes, and a reveal with its Edit form submitted. Returns the values now on her screen.
 */
async function showEverySurface(): Promise<string[]> {
  const secret = await command('/secret', 'get 2ndline/fastly');
  assert.ok(secret.shown.json.includes(CANARY_PASSWORD));

  const codes = await command('/totp', '2ndline/fastly');
  const code = codeIn(codes.shown.json);

  const refreshing = await command('/totp', '2ndline/fastly');
  now += 30_000;
  const refreshed = codeIn(JSON.stringify(await click(refreshing.shown.viewId, 'totp_refresh')));

  const edited = await command('/secret', 'get edit/app');
  // The current password of edit/app: the canary at first, what an earlier test typed after.
  const current = /\*password\*\\n```([^`]+)```/.exec(edited.shown.json)?.[1];
  assert.ok(current, 'the reveal shows the password');
  const typed = `CANARY-typed-${++typedCount}`;
  const known = new Set(h.slack.views(ALICE).map((v) => v.id));
  await h.sender.blockActions({
    userId: ALICE,
    actionId: 'secret_edit_open',
    view: { id: edited.shown.viewId },
  });
  const form = await h.slack.waitFor(() =>
    h.slack.views(ALICE).find((v) => !known.has(v.id) && v.callbackId === 'secret_edit'),
  );
  const password = (
    form.view['blocks'] as Array<{ type: string; block_id: string; label?: { text: string } }>
  )
    .filter((b) => b.type === 'input')
    .map((b) => [
      b.block_id,
      { value: { type: 'plain_text_input', value: b.label?.text === 'password' ? typed : null } },
    ]);
  const submitted = await h.sender.viewSubmission({
    userId: ALICE,
    view: { id: form.id, callback_id: 'secret_edit', state: { values: Object.fromEntries(password) } },
  });
  assert.equal((submitted.json as { response_action: string }).response_action, 'update');
  await h.slack.waitFor(() =>
    viewsSentTo(h.slack, form.id).some((v) => /Saved a new version/.test(JSON.stringify(v))),
  );

  const values = [CANARY_PASSWORD, CANARY_TOKEN, code, refreshed, current];
  const screen = h.slack.screenText(ALICE);
  for (const v of values) assert.ok(screen.includes(v), `${v} is on screen before`);
  assert.ok(!screen.includes(typed), 'what was typed left the screen with the form');
  assert.ok(!screen.includes(CANARY_SEED), 'a seed is never on screen');
  return [...values, typed];
}

function assertNoneOnScreen(values: string[], when: string): void {
  const screen = h.slack.screenText(ALICE);
  for (const v of [...values, CANARY_SEED])
    assert.ok(!screen.includes(v), `${when}: ${v} is still on alice's screen`);
}

function hidesSince(count: number) {
  return h
    .auditEvents()
    .filter((e) => /\.hide$/.test(String(e.action)))
    .slice(count);
}

describe('no surface holds the value once it is over', () => {
  it('after its time: each window hid itself (a secret, codes, refreshed codes, the reveal under an edit)', async () => {
    const audited = hidesSince(0).length;
    const values = await showEverySurface();
    await timePasses(61_000);
    assertNoneOnScreen(values, 'after the TTL');
    const hides = hidesSince(audited);
    assert.deepEqual(hides.map((e) => [e.action, e.outcome, (e.hide as { how: string }).how]).sort(), [
      ['otp.hide', 'ok', 'ttl'],
      ['otp.hide', 'ok', 'ttl'],
      ['secret.hide', 'ok', 'ttl'],
      ['secret.hide', 'ok', 'ttl'],
    ]);
  });

  it('after a graceful shutdown (SIGTERM): every window was hidden before the process ended', async () => {
    const audited = hidesSince(0).length;
    const values = await showEverySurface();
    await h.restart();
    assertNoneOnScreen(values, 'after shutdown');
    assert.ok(
      hidesSince(audited).every((e) => (e.hide as { how: string }).how === 'shutdown' && e.outcome === 'ok'),
    );
    assert.match(h.slack.screenText(ALICE), /hidden because locksmith restarted/);
  });

  it('after a crash (kill -9) and a restart: the next process hides what the dead one showed', async () => {
    const audited = hidesSince(0).length;
    const values = await showEverySurface();
    await h.restart({ crash: true });
    // (the last value is what was typed into the form, which left the screen with it)
    for (const v of values.slice(0, -1))
      assert.ok(h.slack.screenText(ALICE).includes(v), `the dead process hid nothing, yet ${v} is gone`);
    await timePasses(61_000);
    assertNoneOnScreen(values, 'after kill -9 and restart');
    const hides = hidesSince(audited);
    assert.equal(hides.length, 4);
    assert.ok(hides.every((e) => (e.hide as { how: string }).how === 'restart' && e.outcome === 'ok'));
  });
});

describe('the rest of a window’s life', () => {
  it('Hide now hides at once, audited as a click; its time then does nothing', async () => {
    const { shown } = await command('/secret', 'get 2ndline/plain');
    await click(shown.viewId, 'reveal_hide');
    assert.ok(!h.slack.screenText(ALICE).includes(CANARY_PASSWORD));
    assert.match(JSON.stringify(h.slack.view(shown.viewId)?.view), /was hidden/);
    const hide = await h.slack.waitFor(() =>
      h.auditEvents().findLast((e) => e.action === 'secret.hide' && e.target === '2ndline/plain'),
    );
    assert.equal((hide.hide as { how: string }).how, 'click');
    const externalId = h.slack.view(shown.viewId)?.externalId;
    const updates = () =>
      h.slack.callsTo('views.update').filter((c) => c.args['external_id'] === externalId).length;
    const before = updates();
    await timePasses(61_000);
    assert.equal(updates(), before, 'no second hide');
  });

  it('closing the window ends it: Slack’s view_closed tells the bot, and no hide call follows', async () => {
    const { shown } = await command('/secret', 'get 2ndline/plain');
    const closed = await h.sender.closeModal({ userId: ALICE });
    assert.equal(closed.sent?.status, 200, 'the window asked for view_closed');
    assert.deepEqual(h.slack.screen(ALICE).modal, []);
    const hide = await h.slack.waitFor(() =>
      h
        .auditEvents()
        .findLast((e) => e.action === 'secret.hide' && (e.hide as { how: string }).how === 'closed'),
    );
    assert.equal(hide.target, '2ndline/plain');
    await timePasses(61_000);
    assert.equal(
      h.slack
        .callsTo('views.update')
        .filter((c) => c.args['external_id'] === h.slack.view(shown.viewId)?.externalId).length,
      0,
    );
  });

  it('when Slack will not open the window (trigger lapsed), offers an Open button without the value; its click opens it', async () => {
    h.slack.failNext('views.open', 'expired_trigger_id');
    const sent = await h.sender.slashCommand({
      userId: ALICE,
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    const offer = await h.slack.waitFor(() =>
      h.slack.ephemeralMessages(ALICE).find((m) => /secret_reveal_open/.test(JSON.stringify(m.blocks))),
    );
    assert.equal(
      offer.responseUrl,
      sent.responseUrl,
      'through the command’s response_url: it adds a message',
    );
    assert.ok(!JSON.stringify(offer).includes(CANARY_PASSWORD), 'the offer holds no value');
    assert.match(JSON.stringify(offer.blocks), /did not let locksmith open the window/);
    const first = await h.slack.waitFor(() =>
      h.auditEvents().findLast((e) => e.action === 'secret.reveal' && e.reason === 'not_shown'),
    );
    assert.match(String(first.note), /Open button/);

    const open = await h.sender.blockActions({ userId: ALICE, actionId: 'secret_reveal_open' });
    const shown = await shownIn(h.slack, open.triggerId);
    assert.ok(shown.json.includes(CANARY_PASSWORD), 'the click’s fresh trigger opened the window');
    await h.slack.waitFor(() =>
      h.slack.screen(ALICE).ephemerals.every((m) => !/secret_reveal_open/.test(JSON.stringify(m.blocks))),
    );
    await timePasses(61_000);
    assert.ok(!h.slack.screenText(ALICE).includes(CANARY_PASSWORD));
  });

  it('opens at once saying what it reads when the read is slow, then puts the value in', async () => {
    h.aws.failNext('GetSecretValue', { kind: 'delay', ms: 1200 });
    const sent = await h.sender.slashCommand({
      userId: ALICE,
      command: '/secret',
      text: 'get 2ndline/plain',
    });
    const opening = await h.slack.waitFor(() =>
      h.slack.callsTo('views.open').find((c) => c.args['trigger_id'] === sent.triggerId),
    );
    assert.match(JSON.stringify(opening.args['view']), /Reading `2ndline\/plain`…/);
    assert.ok(!JSON.stringify(opening.args['view']).includes(CANARY_PASSWORD));
    const shown = await shownIn(h.slack, sent.triggerId);
    assert.ok(shown.json.includes(CANARY_PASSWORD));
    assert.equal(viewsSentTo(h.slack, shown.viewId).length, 2, 'opened, then updated with the value');
  });

  it('a hide Slack will not take is told to the person (no value), audited as failed, and tried again', async () => {
    // Earlier tests' windows hide now, so the fault below meets this window's hide and no other.
    await timePasses(61_000);
    for (let i = 0; (await h.deps.store.query({ kind: 'hide' })).length > 0; i++) {
      assert.ok(i < 50, 'earlier hides are done');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { sent } = await command('/secret', 'get 2ndline/plain');
    h.slack.failNext('views.update', 'fatal_error');
    await timePasses(61_000);
    const told = await h.slack.waitFor(() =>
      h.slack
        .ephemeralMessages(ALICE)
        .find((m) => /could not hide the window/.test(JSON.stringify(m.blocks))),
    );
    assert.equal(told.responseUrl, sent.responseUrl, 'in the channel the command came from');
    assert.match(JSON.stringify(told.blocks), /`2ndline\/plain`.*Close that window now/);
    assert.ok(!JSON.stringify(told).includes(CANARY_PASSWORD));
    // Audited once the person was told (reveal-windows.ts).
    const failed = await h.slack.waitFor(() =>
      h.auditEvents().findLast((e) => e.action === 'secret.hide' && e.outcome === 'error'),
    );
    assert.equal((failed.hide as { told: boolean }).told, true);
    assert.ok(h.slack.screenText(ALICE).includes(CANARY_PASSWORD), 'still there: Slack refused');

    await timePasses(RETRY_MS);
    assert.ok(!h.slack.screenText(ALICE).includes(CANARY_PASSWORD), 'the next attempt took');
    const ok = h.auditEvents().findLast((e) => e.action === 'secret.hide');
    assert.equal(ok?.outcome, 'ok');
    assert.equal((ok?.hide as { attempts: number }).attempts, 2);
  });
});
