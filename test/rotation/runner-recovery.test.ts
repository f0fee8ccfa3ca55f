/**
 * Issue 14, items 6 and 14: a step interrupted by a crash is resumed at once by the restarted
 * process (it knows the step's owner is gone), Cancel is always offered and always happens,
 * answers say what is true, user names compare as IAM compares them, and a cancel deletes only
 * the key this rotation made.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedPersonEvents, type FaultHook } from '../../src/rotation/core/index.js';
import { Crash, type Harness, REQUESTER, ROLE, USER, useMotoHarness } from './support.js';

const ID = 'rot-recovery';
const by = REQUESTER.slackId;
const DEAD = 'locksmith-host:101:aaaaaa.00000001';
const ALIVE = 'locksmith-host:202:bbbbbb.00000002';

describe('rotation runner: recovery, cancel and truthful answers', () => {
  let h: Harness;
  useMotoHarness((harness) => (h = harness));

  const crashAt =
    (point: string): FaultHook =>
    (p) => {
      if (p === point) {
        h.store.dead = true;
        throw new Crash(p);
      }
    };

  async function confirmAll(runner: ReturnType<Harness['runner']>, eventId?: string) {
    const record = await runner.get(ID);
    return runner.handle(
      ID,
      {
        type: 'confirm-places',
        by,
        ...(eventId ? { eventId } : {}),
        secrets: record!.data.places.secrets.filter((s) => s.updatable).map((s) => s.name),
        checklist: [],
      },
      { clients: h.clients },
    );
  }

  it('killed the instant CreateAccessKey answered: the restarted process resumes the step at once, offers Cancel meanwhile, and tells a repeated click the truth', async () => {
    const seeded = await h.seed();
    const doomed = h.runner({
      faults: crashAt('aws:CreateAccessKey'),
      owner: { id: DEAD, isGone: () => false },
    });
    await h.start(doomed, ID);
    await assert.rejects(confirmAll(doomed, 'click-1'), Crash);

    // Restarted: same store file, a new process; the old one is gone, its lease still runs.
    await h.restart();
    const survivor = h.runner({ owner: { id: ALIVE, isGone: (o) => o === DEAD } });
    const stuck = (await survivor.get(ID))!.data;
    assert.equal(stuck.state, 'create');
    assert.ok(stuck.intent!.leaseUntil > h.clock.now(), 'the lease has not run out');
    assert.deepEqual(allowedPersonEvents(stuck, h.clock.now()), ['cancel'], 'Cancel is offered');

    // Slack retries the click (or the person clicks again): not "already done", because it is not.
    const repeated = await confirmAll(survivor, 'click-1');
    assert.equal(repeated.outcome, 'duplicate');
    assert.match(
      repeated.refusal!.message,
      /That was received: locksmith is on it \(create and distribute the new key/,
    );

    // The scheduler's first tick after the restart: the step is resumed now, not in 5 minutes.
    const [resumed] = await survivor.resumeDue();
    assert.equal(resumed?.rotation?.state, 'switch-over');
    const keys = await h.keys();
    assert.equal(keys.length, 2, 'the old key and exactly one new key');
    const newKeyId = resumed!.rotation!.newKeyId!;
    assert.ok(keys.some((k) => k.id === newKeyId));
    assert.equal(JSON.parse(await h.current('app/deploy')).aws_access_key_id, newKeyId);
    assert.equal(h.limitExceeded(), 0);
    assert.ok(keys.some((k) => k.id === seeded.oldKey.accessKeyId));
  });

  it('a cancel asked while a step runs is carried out as soon as the step ends, and undoes it', async () => {
    const seeded = await h.seed();
    let clicked: Promise<unknown> | undefined;
    const runner = h.runner({
      faults: async (point) => {
        if (point === 'aws:PutSecretValue:app/deploy' && !clicked) {
          // The person presses Cancel while the new key is being written.
          clicked = h
            .runner()
            .handle(ID, { type: 'cancel', by, eventId: 'cancel-1' }, { clients: h.clients });
          const answer = (await clicked) as { outcome: string; rotation?: { cancelRequested?: unknown } };
          assert.equal(answer.outcome, 'applied', 'the cancel is accepted, not refused as busy');
          assert.ok(answer.rotation?.cancelRequested);
        }
      },
    });
    await h.start(runner, ID);
    const result = await confirmAll(runner);
    assert.ok(clicked, 'the cancel was clicked during the step');
    assert.equal(result.rotation?.state, 'cancelled');
    assert.deepEqual(await h.keys(), [{ id: seeded.oldKey.accessKeyId, status: 'Active' }]);
    for (const [name, value] of Object.entries(seeded.originals)) assert.equal(await h.current(name), value);
  });

  it('a step resumed after a restart re-checks its requester first: refused, it is parked with no AWS call, and the person taking it over finishes it', async () => {
    const seeded = await h.seed();
    const doomed = h.runner({
      faults: crashAt('aws:CreateAccessKey'),
      owner: { id: DEAD, isGone: () => false },
    });
    await h.start(doomed, ID);
    await assert.rejects(confirmAll(doomed, 'click-1'), Crash);

    // Restarted; meanwhile the requester was removed from the access policy.
    await h.restart();
    const asked: string[] = [];
    const survivor = h.runner({
      owner: { id: ALIVE, isGone: (o) => o === DEAD },
      authorize: async (rotation) => {
        asked.push(rotation.requester.slackId);
        return rotation.requester.slackId === by
          ? { ok: false, code: 'not_mapped', reason: `<@${by}> is no longer in locksmith's access policy.` }
          : { ok: true };
      },
    });
    h.recorder.clear();
    const [parked] = await survivor.resumeDue();
    assert.deepEqual(asked, [by], 'asked once, before anything else');
    assert.deepEqual(h.recorder.calls, [], 'no AWS call');
    assert.equal(parked?.outcome, 'applied');
    assert.equal(parked?.rotation?.parked?.code, 'not_mapped');
    assert.equal(
      parked?.rotation?.intent?.kind,
      'create',
      'the interrupted step is kept for whoever takes over',
    );
    assert.deepEqual(
      parked?.notices.map((n) => (n.type === 'notify' ? n.notice.kind : n.type)),
      ['parked'],
    );
    assert.deepEqual(await survivor.resumeDue(), [], 'nothing is due while parked');

    // Someone else who may use the role takes it over; the step finishes under their clients.
    const other = { slackId: 'UOTHER', teamId: 'T1' };
    const taken = await survivor.handle(
      ID,
      { type: 'take-over', by: other.slackId, person: other },
      { clients: h.clients },
    );
    assert.equal(taken.outcome, 'applied');
    const resumed = await survivor.reconcile(ID, { clients: h.clients });
    assert.equal(resumed.rotation?.state, 'switch-over');
    assert.equal(resumed.rotation?.requester.slackId, 'UOTHER');
    const keys = await h.keys();
    assert.equal(keys.length, 2, 'the old key and exactly one new key');
    assert.ok(keys.some((k) => k.id === seeded.oldKey.accessKeyId));
  });

  it('compares IAM user names as IAM does: a second rotation of the same user in other letters is refused', async () => {
    await h.seed();
    const runner = h.runner();
    await h.start(runner, ID);
    const second = await runner.start(
      { id: 'rot-other', role: ROLE, userName: USER.toUpperCase(), requester: REQUESTER },
      { clients: h.clients },
    );
    assert.equal(second.outcome, 'refused');
    assert.equal(second.refusal?.code, 'already-rotating');
  });

  it('a cancel deletes only a key this rotation made, never one someone else added', async () => {
    const seeded = await h.seed();
    const runner = h.runner();
    await h.start(runner, ID);
    // Someone adds a second key before the new one is made: the create step refuses to go on.
    const theirs = await h.createKey();
    const failed = await confirmAll(runner);
    assert.equal(failed.outcome, 'failed');
    assert.match(failed.error!.message, /already has a second key/);

    const cancelled = await runner.handle(ID, { type: 'cancel', by }, { clients: h.clients });
    assert.equal(cancelled.rotation?.state, 'cancelled');
    assert.deepEqual(
      (await h.keys()).map((k) => k.id).sort(),
      [seeded.oldKey.accessKeyId, theirs.accessKeyId].sort(),
      'their key is still there',
    );
  });
});
