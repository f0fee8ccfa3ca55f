import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyFact } from '../../src/rotation/core/key-facts.js';
import { secretWriteToken } from '../../src/rotation/core/request-token.js';
import {
  allowedPersonEvents,
  dueAtOf,
  newRotation,
  PERSON_EVENTS,
  type PersonEvent,
  type PersonEventType,
  type PlaceSearch,
  ROTATION_STATES,
  type Rotation,
  type RotationConfig,
  rotationConfig,
  type RotationConfigInput,
  type RotationEffect,
  type RotationEvent,
  type RotationState,
  transition,
  type WriteEffect,
} from '../../src/rotation/core/workflow/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5, 9);
const REQ = 'UREQ';
const APPROVER = 'UAPP';
const OTHER = 'UOTHER';
const OLD = 'AKIAOLDEXAMPLE000001';
const NEW = 'AKIANEWEXAMPLE000002';
const EXTRA = 'AKIAEXTRAEXAMPLE0003';

function fact(id: string, lastUsed: 'never' | number, ageDays = 100): KeyFact {
  return {
    id,
    status: 'Active',
    createdAt: T0 - ageDays * DAY,
    ageDays,
    lastUsed: lastUsed === 'never' ? 'never' : { at: lastUsed, service: 'sts', region: 'eu-west-1' },
    verdict: lastUsed === 'never' ? 'unused-old' : 'overdue',
  };
}

/** The config the tests use: the defaults, one third-party place, and `input`. */
function cfg(input: RotationConfigInput = {}): RotationConfig {
  return rotationConfig({ thirdPartyPlaces: [{ name: 'Datadog', link: 'https://dd' }], ...input });
}

/** A rotation driven through the pure machine, with its own clock. */
class Sim {
  now = T0;
  rotation: Rotation;
  effects: RotationEffect[];
  constructor(readonly config: RotationConfig = cfg()) {
    const created = newRotation(
      {
        id: 'rot-1',
        role: { name: 'platform', arn: 'arn:aws:iam::1:role/platform' },
        userName: 'svc',
        requester: { slackId: REQ, teamId: 'T' },
      },
      this.ctx(),
    );
    this.rotation = created.rotation;
    this.effects = created.effects;
  }
  ctx() {
    return { now: this.now, config: this.config };
  }
  /** Applies an event that must be accepted. */
  apply(event: RotationEvent): RotationEffect[] {
    const before = JSON.stringify(this.rotation);
    const result = transition(this.rotation, event, this.ctx());
    assert.equal(JSON.stringify(this.rotation), before, 'transition must not mutate its input');
    if (!result.ok) assert.fail(`${event.type} refused in ${this.rotation.state}: ${result.refusal.message}`);
    this.rotation = result.rotation;
    this.effects = result.effects;
    return result.effects;
  }
  /** The refusal code of an event that must be refused (and then has no effects). */
  refused(event: RotationEvent): string {
    const result = transition(this.rotation, event, this.ctx());
    assert.equal(result.ok, false, `${event.type} should be refused in ${this.rotation.state}`);
    return result.ok ? '' : result.refusal.code;
  }
  advance(ms: number): void {
    this.now += ms;
  }
  types(): string[] {
    return this.effects.map((e) => e.type);
  }
}

const APP_LAYOUT = {
  format: 'json' as const,
  container: [],
  idFields: ['key_id'],
  secretField: 'secret_key',
};
const CI_LAYOUT = { format: 'pair' as const, separator: ':' as const };
const count = (listed: number, read = listed) => ({
  listed,
  read,
  unreadable: [] as string[],
  unreadableCount: 0,
  capped: false,
});
/** A full scan that read every secret and parameter it listed: nothing needs acknowledging. */
const FULL_SEARCH: PlaceSearch = {
  mode: 'full',
  at: T0,
  secrets: count(12),
  parameters: count(3),
  tagged: 0,
  newlyTagged: 3,
};
const located = {
  type: 'places-located' as const,
  search: FULL_SEARCH,
  secrets: [
    {
      name: 'app/deploy',
      found: 'scan' as const,
      search: {
        found: true as const,
        updatable: true as const,
        layout: APP_LAYOUT,
      },
    },
    {
      name: 'ci/creds',
      found: 'scan' as const,
      search: {
        found: true as const,
        updatable: true as const,
        layout: CI_LAYOUT,
      },
    },
    {
      name: 'legacy/ini',
      found: 'scan' as const,
      search: { found: true as const, updatable: false as const, reason: 'inside text' },
    },
  ],
};

/** Drives a fresh rotation to `state` the usual way (one key, two secrets, approvals on). */
function simAt(state: RotationState, config?: RotationConfig): Sim {
  const sim = new Sim(config);
  if (state === 'inspect') return sim;
  if (state === 'resolve-extra-key') {
    sim.apply({ type: 'keys-inspected', keys: [fact(OLD, T0 - DAY), fact(EXTRA, 'never', 20)] });
    return sim;
  }
  sim.apply({ type: 'keys-inspected', keys: [fact(OLD, T0 - DAY)] });
  if (state === 'locate') return sim;
  sim.apply(located);
  if (state === 'confirm-places') return sim;
  sim.apply({ type: 'confirm-places', by: REQ, secrets: ['app/deploy', 'ci/creds'], checklist: ['Datadog'] });
  if (state === 'create') return sim;
  sim.apply({
    type: 'key-created',
    attempt: 1,
    keyId: NEW,
    createdAt: sim.now,
    written: [
      {
        name: 'app/deploy',
        versionId: secretWriteToken('rot-1', 1, 'app/deploy'),
        previousVersionId: 'v-app',
      },
      { name: 'ci/creds', versionId: secretWriteToken('rot-1', 1, 'ci/creds'), previousVersionId: 'v-ci' },
    ],
    skipped: [],
  });
  sim.apply({ type: 'usage-polled', oldKey: { at: T0 - DAY, service: 'sts', region: 'x' }, newKey: 'never' });
  if (state === 'switch-over') return sim;
  sim.advance(25 * HOUR);
  sim.apply({ type: 'tick' });
  sim.apply({
    type: 'usage-polled',
    oldKey: { at: T0 - DAY, service: 'sts', region: 'x' },
    newKey: { at: sim.now - HOUR, service: 's3', region: 'x' },
  });
  if (state === 'notify-and-approve') return sim;
  sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: sim.rotation.pendingApproval!.id });
  if (state === 'deactivate') return sim;
  sim.apply({ type: 'key-status-set', keyId: OLD, status: 'Inactive' });
  if (state === 'grace') return sim;
  sim.advance(7 * DAY);
  sim.apply({ type: 'tick' });
  if (state === 'confirm-delete') return sim;
  sim.apply({ type: 'confirm-delete', by: REQ });
  sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: sim.rotation.pendingApproval!.id });
  if (state === 'delete') return sim;
  if (state === 'cancelling') {
    const s = simAt('switch-over');
    s.apply({ type: 'cancel', by: REQ });
    return s;
  }
  sim.apply({ type: 'old-key-deleted', keyId: OLD });
  if (state === 'done') return sim;
  if (state === 'cancelled') {
    const s = simAt('confirm-places');
    s.apply({ type: 'cancel', by: REQ });
    return s;
  }
  const s = new Sim();
  s.apply({ type: 'keys-inspected', keys: [] });
  return s;
}

/** A well-formed event of each person type, for the state table. */
function sample(type: PersonEventType, sim: Sim): PersonEvent {
  const by = REQ;
  const approvalId = sim.rotation.pendingApproval?.id ?? 'none';
  switch (type) {
    case 'delete-extra-key':
      return { type, by, keyId: EXTRA };
    case 'retire-key':
      return { type, by, keyId: OLD };
    case 'confirm-places':
      return { type, by, secrets: ['app/deploy'], checklist: [] };
    case 'tick-place':
      return { type, by, name: 'Datadog' };
    case 'proceed-anyway':
      return { type, by, reason: 'consumer is a cron job that runs monthly' };
    case 'approval-granted':
      return { type, by: APPROVER, approvalId };
    case 'approval-rejected':
      return { type, by: APPROVER, approvalId };
    case 'rescan':
    case 'full-scan':
    case 'acknowledge-search':
    case 'confirm-deactivate':
    case 'reactivate':
    case 'confirm-delete':
    case 'cancel':
      return { type, by };
    case 'take-over':
      return { type, by: OTHER, person: { slackId: OTHER, teamId: 'T1' } };
  }
}

const ALL_PERSON_EVENTS: PersonEventType[] = [
  'delete-extra-key',
  'retire-key',
  'confirm-places',
  'rescan',
  'full-scan',
  'acknowledge-search',
  'tick-place',
  'proceed-anyway',
  'approval-granted',
  'approval-rejected',
  'confirm-deactivate',
  'reactivate',
  'confirm-delete',
  'cancel',
  'take-over',
];

describe('rotation workflow: the state table', () => {
  for (const state of ROTATION_STATES) {
    it(`in ${state}: refuses every person event the state does not list, with no effects`, () => {
      const sim = simAt(state);
      assert.equal(sim.rotation.state, state);
      const busy = sim.rotation.intent !== undefined && sim.rotation.intent.leaseUntil > sim.now;
      for (const type of ALL_PERSON_EVENTS) {
        const result = transition(sim.rotation, sample(type, sim), sim.ctx());
        if (busy && type === 'cancel' && state !== 'delete' && state !== 'cancelling') {
          // During a step, Cancel is taken and carried out when the step ends.
          assert.ok(result.ok && result.rotation.cancelRequested && result.effects.length === 0, state);
          continue;
        }
        if (PERSON_EVENTS[state].includes(type) && !busy) {
          if (!result.ok) assert.notEqual(result.refusal.code, 'not-allowed', `${type} in ${state}`);
        } else {
          assert.equal(result.ok, false, `${type} must be refused in ${state}`);
          if (!result.ok) {
            const expected = ['done', 'cancelled', 'abandoned'].includes(state)
              ? ['final']
              : busy
                ? ['busy']
                : type === 'cancel'
                  ? ['too-late', 'not-allowed']
                  : ['not-allowed'];
            assert.ok(expected.includes(result.refusal.code), `${type} in ${state}: ${result.refusal.code}`);
          }
        }
      }
    });
  }

  it('offers buttons only for events that apply now', () => {
    assert.deepEqual(allowedPersonEvents(simAt('confirm-places').rotation, T0), [
      'confirm-places',
      'rescan',
      'full-scan',
      'cancel',
    ]);
    const create = simAt('create');
    assert.deepEqual(
      allowedPersonEvents(create.rotation, create.now),
      ['cancel'],
      'Cancel even during a step',
    );
    assert.deepEqual(allowedPersonEvents(create.rotation, create.now + 6 * MIN), ['cancel']);
    const approve = simAt('notify-and-approve');
    assert.deepEqual(allowedPersonEvents(approve.rotation, approve.now), [
      'approval-granted',
      'approval-rejected',
      'tick-place',
      'cancel',
    ]);
    assert.deepEqual(allowedPersonEvents(simAt('done').rotation, T0), []);
  });
});

describe('rotation workflow: inspect and two keys', () => {
  it('starts in inspect asking for the keys, due again after the lease if the read is lost', () => {
    const sim = new Sim();
    assert.equal(sim.rotation.state, 'inspect');
    assert.deepEqual(sim.types(), ['inspect-keys']);
    assert.equal(dueAtOf(sim.rotation), T0 + 5 * MIN);
  });

  it('gives up when the user has no keys, and locates the key when there is one', () => {
    const none = new Sim();
    none.apply({ type: 'keys-inspected', keys: [] });
    assert.equal(none.rotation.state, 'abandoned');
    assert.deepEqual(none.types(), ['notify']);
    const one = new Sim();
    one.apply({ type: 'keys-inspected', keys: [fact(OLD, T0)] });
    assert.equal(one.rotation.state, 'locate');
    assert.equal(one.rotation.oldKeyId, OLD);
    assert.deepEqual(one.types(), ['locate-secrets']);
  });

  it('deletes only a never-used extra key, after an approval, and then locates the other', () => {
    const sim = simAt('resolve-extra-key');
    assert.equal(sim.refused({ type: 'delete-extra-key', by: REQ, keyId: OLD }), 'key-in-use');
    assert.equal(sim.refused({ type: 'delete-extra-key', by: REQ, keyId: 'AKIANOPE' }), 'unknown-key');
    sim.apply({ type: 'delete-extra-key', by: REQ, keyId: EXTRA });
    assert.deepEqual(sim.types(), ['request-approval']);
    const request = sim.effects[0]!;
    assert.ok(request.type === 'request-approval');
    assert.equal(request.kind, 'delete-key');
    assert.equal(request.target, EXTRA);
    assert.equal(sim.refused({ type: 'delete-extra-key', by: REQ, keyId: EXTRA }), 'approval-pending');
    assert.equal(
      sim.refused({ type: 'approval-granted', by: APPROVER, approvalId: 'rot-1:other:9' }),
      'approval-mismatch',
    );
    sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: request.approvalId });
    assert.deepEqual(sim.effects, [{ type: 'delete-key', keyId: EXTRA, purpose: 'extra' }]);
    assert.equal(sim.rotation.intent?.kind, 'delete-extra-key');
    assert.equal(sim.refused({ type: 'retire-key', by: REQ, keyId: OLD }), 'busy');
    sim.apply({ type: 'extra-key-deleted', keyId: EXTRA });
    assert.equal(sim.rotation.state, 'locate');
    assert.equal(sim.rotation.oldKeyId, OLD);
    assert.deepEqual(sim.types(), ['notify', 'locate-secrets']);
  });

  it('deletes the extra key without approval when the config says so', () => {
    const sim = simAt('resolve-extra-key', cfg({ approvals: { deleteExtraKey: false } }));
    sim.apply({ type: 'delete-extra-key', by: REQ, keyId: EXTRA });
    assert.deepEqual(sim.types(), ['delete-key']);
  });

  it('retiring one of two used keys skips create and waits for the switch-over to the other', () => {
    const sim = new Sim();
    sim.apply({ type: 'keys-inspected', keys: [fact(OLD, T0 - DAY), fact(NEW, T0 - HOUR, 10)] });
    sim.apply({ type: 'retire-key', by: REQ, keyId: OLD });
    assert.equal(sim.rotation.state, 'switch-over');
    assert.equal(sim.rotation.oldKeyId, OLD);
    assert.equal(sim.rotation.newKeyId, NEW);
    assert.equal(sim.rotation.newKeyCreatedHere, false);
    assert.equal(sim.rotation.createAttempt, 0);
    assert.deepEqual(sim.types(), ['poll-usage']);
  });
});

describe('rotation workflow: locate, confirm, create', () => {
  it('lists located secrets, and puts the ones it cannot edit and the third-party places on the checklist', () => {
    const sim = simAt('confirm-places');
    const places = sim.rotation.places;
    assert.deepEqual(
      places.secrets.map((s) => [s.name, s.updatable, s.idFields, s.secretFields]),
      [
        ['app/deploy', true, ['key_id'], ['secret_key']],
        ['ci/creds', true, ['(value)'], ['(value)']],
        ['legacy/ini', false, [], []],
      ],
    );
    assert.deepEqual(
      places.checklist.map((p) => [p.name, p.source]),
      [
        ['legacy/ini', 'secret'],
        ['Datadog', 'config'],
      ],
    );
  });

  it('refuses empty, unknown and non-editable choices', () => {
    const sim = simAt('confirm-places');
    assert.equal(sim.refused({ type: 'confirm-places', by: REQ, secrets: [], checklist: [] }), 'no-places');
    assert.equal(
      sim.refused({ type: 'confirm-places', by: REQ, secrets: ['nope'], checklist: [] }),
      'unknown-place',
    );
    assert.equal(
      sim.refused({ type: 'confirm-places', by: REQ, secrets: ['legacy/ini'], checklist: [] }),
      'not-updatable',
    );
    assert.equal(
      sim.refused({ type: 'confirm-places', by: REQ, secrets: [], checklist: ['Jira'] }),
      'unknown-place',
    );
  });

  it('records the create intent (attempt 1) before any AWS write and is busy while it runs', () => {
    const sim = simAt('create');
    assert.equal(sim.rotation.createAttempt, 1);
    assert.deepEqual(sim.effects, [{ type: 'create-key', attempt: 1 }]);
    assert.deepEqual(sim.rotation.intent?.effects, [{ type: 'create-key', attempt: 1 }]);
    assert.equal(dueAtOf(sim.rotation), sim.now + 5 * MIN);
    assert.equal(sim.refused({ type: 'rescan', by: REQ }), 'busy');
    assert.equal(transition(sim.rotation, { type: 'tick' }, sim.ctx()).ok, false);
    // A cancel during the step is noted, and planned as soon as the step has ended.
    sim.apply({ type: 'cancel', by: REQ });
    assert.equal(sim.rotation.intent?.kind, 'create');
    assert.deepEqual(sim.effects, []);
    assert.equal(sim.refused({ type: 'cancel', by: REQ }), 'duplicate');
    sim.apply({
      type: 'key-created',
      attempt: 1,
      keyId: NEW,
      createdAt: sim.now,
      written: [
        {
          name: 'app/deploy',
          versionId: secretWriteToken('rot-1', 1, 'app/deploy'),
          previousVersionId: 'v-app',
        },
      ],
      skipped: [],
    });
    assert.equal(sim.rotation.state, 'cancelling');
    assert.equal(sim.rotation.cancelRequested, undefined);
    const planned: RotationEffect[] = sim.effects;
    assert.ok(planned.some((e) => e.type === 'delete-new-key' && e.keyId === NEW));
  });

  it('a step whose process is gone is taken over at once, not after its lease', () => {
    const sim = simAt('create');
    const gone = (owner: string) => owner === 'dead-process';
    sim.rotation = { ...sim.rotation, intent: { ...sim.rotation.intent!, owner: 'dead-process' } };
    const taken = transition(sim.rotation, { type: 'tick' }, { ...sim.ctx(), owner: 'me', isGone: gone });
    assert.ok(taken.ok);
    assert.equal(taken.rotation.intent?.owner, 'me');
    assert.deepEqual(taken.effects, [{ type: 'probe-create', attempt: 1 }]);
    assert.equal(
      transition(sim.rotation, { type: 'tick' }, sim.ctx()).ok,
      false,
      'an unknown owner keeps its lease',
    );
  });

  it('resumes a stale create by probing first, then deletes the lost key before creating again', () => {
    const sim = simAt('create');
    sim.advance(6 * MIN);
    assert.equal(sim.refused({ type: 'rescan', by: REQ }), 'needs-resume');
    sim.apply({ type: 'tick' });
    assert.deepEqual(sim.effects, [{ type: 'probe-create', attempt: 1 }]);
    sim.apply({ type: 'create-probed', attempt: 1, strays: [{ keyId: 'AKIALOST', used: false }] });
    assert.equal(sim.rotation.createAttempt, 2);
    assert.deepEqual(sim.effects, [
      { type: 'delete-key', keyId: 'AKIALOST', purpose: 'stray' },
      { type: 'create-key', attempt: 2 },
    ]);
    assert.equal(
      sim.refused({ type: 'key-created', attempt: 1, keyId: 'x', createdAt: 0, written: [], skipped: [] }),
      'not-allowed',
    );
  });

  it('finishes a stale create from a secret that already holds the new key, without a new attempt', () => {
    const sim = simAt('create');
    sim.advance(6 * MIN);
    sim.apply({ type: 'tick' });
    sim.apply({
      type: 'create-probed',
      attempt: 1,
      strays: [{ keyId: NEW, used: false }],
      recoverFrom: { keyId: NEW, secretName: 'app/deploy' },
    });
    assert.equal(sim.rotation.createAttempt, 1);
    assert.deepEqual(sim.effects, [
      { type: 'create-key', attempt: 1, recoverFrom: { keyId: NEW, secretName: 'app/deploy' } },
    ]);
  });

  it('will not delete an unrecorded key that has been used', () => {
    const sim = simAt('create');
    sim.advance(6 * MIN);
    sim.apply({ type: 'tick' });
    sim.apply({ type: 'create-probed', attempt: 1, strays: [{ keyId: 'AKIASOMEONE', used: true }] });
    assert.deepEqual(sim.types(), ['notify']);
    assert.ok(sim.rotation.intent?.failure);
    assert.match(sim.rotation.lastError?.message ?? '', /AKIASOMEONE/);
  });

  it('a failed step releases the lease (cancel possible at once) and is retried a poll later', () => {
    const sim = simAt('create');
    sim.apply({ type: 'step-failed', message: 'IAM did not allow it' });
    assert.equal(sim.rotation.intent?.leaseUntil, sim.now);
    assert.equal(dueAtOf(sim.rotation), sim.now + 15 * MIN);
    assert.equal(sim.refused({ type: 'rescan', by: REQ }), 'needs-resume');
    assert.equal(transition(sim.rotation, { type: 'cancel', by: REQ }, sim.ctx()).ok, true);
  });
});

describe('rotation workflow: switch-over', () => {
  const oldUse = (at: number) => ({ at, service: 'sts', region: 'eu-west-1' });

  it('is not ready until the new key is used, however long the old key is quiet', () => {
    const sim = simAt('switch-over');
    sim.advance(48 * HOUR);
    sim.apply({ type: 'tick' });
    assert.deepEqual(sim.types(), ['poll-usage']);
    sim.apply({ type: 'usage-polled', oldKey: oldUse(T0 - DAY), newKey: 'never' });
    assert.equal(sim.rotation.state, 'switch-over');
    const status = sim.effects[0]!;
    assert.ok(status.type === 'notify' && status.notice.kind === 'switch-over-status');
    assert.equal(status.notice.ready, false);
  });

  it('a new use of the old key restarts the quiet period', () => {
    const sim = simAt('switch-over');
    sim.advance(20 * HOUR);
    sim.apply({ type: 'usage-polled', oldKey: oldUse(T0 + 19 * HOUR), newKey: oldUse(T0 + HOUR) });
    assert.equal(sim.rotation.quietSince, sim.now);
    sim.advance(20 * HOUR);
    sim.apply({ type: 'usage-polled', oldKey: oldUse(T0 + 19 * HOUR), newKey: oldUse(T0 + HOUR) });
    assert.equal(sim.rotation.state, 'switch-over');
    sim.advance(4 * HOUR);
    sim.apply({ type: 'usage-polled', oldKey: oldUse(T0 + 19 * HOUR), newKey: oldUse(T0 + HOUR) });
    assert.equal(sim.rotation.state, 'notify-and-approve');
  });

  it('when ready, tells 2ndline why and asks for the deactivation approval', () => {
    const sim = simAt('notify-and-approve');
    assert.deepEqual(sim.types(), ['notify', 'notify', 'request-approval']);
    const planned = sim.effects[1]!;
    assert.ok(planned.type === 'notify' && planned.notice.kind === 'deactivation-planned');
    assert.match(planned.notice.why, /has not been used for 25 hours/);
    const request = sim.effects[2]!;
    assert.ok(request.type === 'request-approval');
    assert.equal(request.kind, 'deactivate-key');
    assert.equal(request.requestedBy, REQ);
    assert.equal(sim.refused({ type: 'confirm-deactivate', by: REQ }), 'approval-pending');
  });

  it('without the approval rule, waits for the requester to confirm deactivation', () => {
    const sim = simAt('notify-and-approve', cfg({ approvals: { deactivate: false } }));
    assert.equal(sim.rotation.pendingApproval, undefined);
    assert.deepEqual(sim.types(), ['notify', 'notify']);
    sim.apply({ type: 'confirm-deactivate', by: REQ });
    assert.equal(sim.rotation.state, 'deactivate');
    assert.deepEqual(sim.effects, [{ type: 'set-key-status', keyId: OLD, status: 'Inactive' }]);
  });

  it('"proceed anyway" needs a reason and a skip-wait approval', () => {
    const sim = simAt('switch-over');
    assert.equal(sim.refused({ type: 'proceed-anyway', by: REQ, reason: ' ' }), 'bad-input');
    sim.apply({ type: 'proceed-anyway', by: REQ, reason: 'monthly cron' });
    assert.equal(sim.rotation.state, 'notify-and-approve');
    const request = sim.effects.find((e) => e.type === 'request-approval');
    assert.ok(request?.type === 'request-approval');
    assert.equal(request.kind, 'skip-wait');
    assert.equal(sim.refused({ type: 'confirm-deactivate', by: REQ }), 'approval-pending');
    sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: request.approvalId });
    assert.equal(sim.rotation.state, 'deactivate');
  });

  it('withdraws a deactivation approval when the old key is used again meanwhile', () => {
    const sim = simAt('notify-and-approve');
    const id = sim.rotation.pendingApproval!.id;
    sim.advance(HOUR);
    sim.apply({ type: 'usage-polled', oldKey: oldUse(sim.now - MIN), newKey: oldUse(sim.now) });
    assert.equal(sim.rotation.state, 'switch-over');
    assert.deepEqual(
      sim.effects.find((e) => e.type === 'withdraw-approval'),
      { type: 'withdraw-approval', approvalId: id, why: `${OLD} was used again` },
    );
  });

  it('a rejected deactivation goes back to waiting', () => {
    const sim = simAt('notify-and-approve');
    sim.apply({
      type: 'approval-rejected',
      by: APPROVER,
      approvalId: sim.rotation.pendingApproval!.id,
      note: 'not yet',
    });
    assert.equal(sim.rotation.state, 'switch-over');
    assert.equal(sim.rotation.pendingApproval, undefined);
  });

  it('ticks off third-party places once', () => {
    const sim = simAt('switch-over');
    sim.apply({ type: 'tick-place', by: REQ, name: 'Datadog' });
    assert.equal(sim.rotation.places.checklist.find((p) => p.name === 'Datadog')?.ticked?.by, REQ);
    assert.equal(sim.refused({ type: 'tick-place', by: REQ, name: 'Datadog' }), 'duplicate');
    assert.equal(sim.refused({ type: 'tick-place', by: REQ, name: 'Nope' }), 'unknown-place');
  });
});

describe('rotation workflow: deactivate, grace, delete', () => {
  it('deactivates, waits grace_days, then asks for the deletion', () => {
    const sim = simAt('grace');
    assert.equal(sim.rotation.graceEndsAt, sim.now + 7 * DAY);
    assert.equal(dueAtOf(sim.rotation), sim.rotation.graceEndsAt);
    sim.advance(7 * DAY - 1);
    sim.apply({ type: 'tick' });
    assert.equal(sim.rotation.state, 'grace');
    assert.equal(sim.refused({ type: 'confirm-delete', by: REQ }), 'not-allowed');
    sim.advance(1);
    sim.apply({ type: 'tick' });
    assert.equal(sim.rotation.state, 'confirm-delete');
    assert.deepEqual(sim.effects, [{ type: 'notify', notice: { kind: 'delete-due', keyId: OLD } }]);
  });

  it('reactivation puts the old key back and the rotation back to waiting', () => {
    for (const state of ['grace', 'confirm-delete'] as const) {
      const sim = simAt(state);
      sim.apply({ type: 'reactivate', by: REQ });
      assert.deepEqual(sim.effects, [{ type: 'set-key-status', keyId: OLD, status: 'Active' }]);
      sim.apply({ type: 'key-status-set', keyId: OLD, status: 'Active' });
      assert.equal(sim.rotation.state, 'switch-over');
      assert.equal(sim.rotation.deactivatedAt, undefined);
      assert.deepEqual(sim.types(), ['notify', 'poll-usage']);
    }
  });

  it('deletes after a last confirmation and an approval, then summarises the history', () => {
    const sim = simAt('confirm-delete');
    sim.apply({ type: 'confirm-delete', by: REQ });
    const request = sim.effects[0]!;
    assert.ok(request.type === 'request-approval' && request.kind === 'delete-key');
    sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: request.approvalId });
    assert.deepEqual(sim.effects, [{ type: 'delete-key', keyId: OLD, purpose: 'old' }]);
    assert.equal(sim.refused({ type: 'cancel', by: REQ }), 'busy');
    sim.advance(6 * MIN);
    assert.equal(sim.refused({ type: 'cancel', by: REQ }), 'too-late');
    sim.apply({ type: 'old-key-deleted', keyId: OLD });
    assert.equal(sim.rotation.state, 'done');
    const finished = sim.effects[0]!;
    assert.ok(finished.type === 'notify' && finished.notice.kind === 'finished');
    assert.ok(finished.notice.summary.some((h) => h.by === APPROVER && /approved: delete/.test(h.what)));
    assert.ok(finished.notice.summary.some((h) => /created AKIANEW/.test(h.what)));
  });

  it('answers a repeated event id as duplicate', () => {
    const sim = simAt('confirm-delete');
    sim.apply({ type: 'confirm-delete', by: REQ, eventId: 'click-1' });
    assert.equal(sim.refused({ type: 'confirm-delete', by: REQ, eventId: 'click-1' }), 'duplicate');
  });
});

describe('rotation workflow: cancel plans the compensations for what may have happened', () => {
  const restores = (attempts = 1): WriteEffect[] => [
    {
      type: 'restore-secret',
      name: 'app/deploy',
      ourVersionIds: Array.from({ length: attempts }, (_, i) =>
        secretWriteToken('rot-1', i + 1, 'app/deploy'),
      ),
      previousVersionId: 'v-app',
      oldKeyId: OLD,
      layout: APP_LAYOUT,
    },
    {
      type: 'restore-secret',
      name: 'ci/creds',
      ourVersionIds: Array.from({ length: attempts }, (_, i) => secretWriteToken('rot-1', i + 1, 'ci/creds')),
      previousVersionId: 'v-ci',
      oldKeyId: OLD,
      layout: CI_LAYOUT,
    },
  ];
  const deleteNew: WriteEffect = { type: 'delete-new-key', keyId: NEW, keepKeyIds: [OLD] };
  const reactivate: WriteEffect = { type: 'set-key-status', keyId: OLD, status: 'Active' };
  const writesOf = (sim: Sim) => sim.effects.filter((e) => !['notify', 'withdraw-approval'].includes(e.type));

  for (const state of ['inspect', 'resolve-extra-key', 'locate', 'confirm-places'] as const) {
    it(`in ${state}: nothing to undo, cancelled at once`, () => {
      const sim = simAt(state);
      sim.apply({ type: 'cancel', by: REQ, reason: 'wrong user' });
      assert.equal(sim.rotation.state, 'cancelled');
      assert.deepEqual(writesOf(sim), []);
    });
  }

  it('in create (stale), before CreateAccessKey was called: restores what may have been written and deletes no key', () => {
    const sim = simAt('create');
    sim.advance(6 * MIN);
    sim.apply({ type: 'cancel', by: REQ });
    assert.ok(!sim.effects.some((e) => e.type === 'delete-new-key'), 'no key of this rotation exists');
  });

  it('in create (stale), after the keys were noted: restores the secrets and deletes only a key not there before', () => {
    const sim = simAt('create');
    sim.rotation = { ...sim.rotation, intent: { ...sim.rotation.intent!, keysBefore: [OLD] } };
    sim.advance(6 * MIN);
    sim.apply({ type: 'cancel', by: REQ });
    assert.equal(sim.rotation.state, 'cancelling');
    assert.deepEqual(writesOf(sim), [
      {
        type: 'restore-secret',
        name: 'app/deploy',
        ourVersionIds: [secretWriteToken('rot-1', 1, 'app/deploy')],
        oldKeyId: OLD,
        layout: APP_LAYOUT,
      },
      {
        type: 'restore-secret',
        name: 'ci/creds',
        ourVersionIds: [secretWriteToken('rot-1', 1, 'ci/creds')],
        oldKeyId: OLD,
        layout: CI_LAYOUT,
      },
      { type: 'delete-new-key', keepKeyIds: [OLD] },
    ]);
    const known = simAt('create');
    known.rotation = {
      ...known.rotation,
      intent: { ...known.rotation.intent!, keysBefore: [OLD], createdKeyId: NEW },
    };
    known.advance(6 * MIN);
    known.apply({ type: 'cancel', by: REQ });
    assert.ok(
      known.effects.some((e) => e.type === 'delete-new-key' && e.keyId === NEW),
      'exactly the key it made',
    );
  });

  it('in switch-over: restores the secrets and deletes the new key if unused', () => {
    const sim = simAt('switch-over');
    sim.apply({ type: 'cancel', by: REQ });
    assert.deepEqual(writesOf(sim), [...restores(), deleteNew]);
  });

  it('in notify-and-approve: also withdraws the approval request', () => {
    const sim = simAt('notify-and-approve');
    const id = sim.rotation.pendingApproval!.id;
    sim.apply({ type: 'cancel', by: REQ });
    assert.deepEqual(writesOf(sim), [...restores(), deleteNew]);
    assert.ok(sim.effects.some((e) => e.type === 'withdraw-approval' && e.approvalId === id));
  });

  for (const state of ['deactivate', 'grace', 'confirm-delete'] as const) {
    it(`in ${state}: reactivates the old key first, then restores and deletes the unused new key`, () => {
      const sim = simAt(state);
      sim.advance(6 * MIN);
      sim.apply({ type: 'cancel', by: REQ });
      assert.deepEqual(writesOf(sim), [reactivate, ...restores(), deleteNew]);
    });
  }

  it('after a retire (no key created here): only reactivates, never deletes the kept key', () => {
    const sim = new Sim();
    sim.apply({ type: 'keys-inspected', keys: [fact(OLD, T0 - DAY), fact(NEW, T0 - HOUR, 10)] });
    sim.apply({ type: 'retire-key', by: REQ, keyId: OLD });
    const early = transition(sim.rotation, { type: 'cancel', by: REQ }, sim.ctx());
    assert.ok(early.ok && early.rotation.state === 'cancelled');
    sim.advance(25 * HOUR);
    sim.apply({
      type: 'usage-polled',
      oldKey: { at: T0 - DAY, service: 's', region: 'r' },
      newKey: { at: T0, service: 's', region: 'r' },
    });
    sim.advance(25 * HOUR);
    sim.apply({
      type: 'usage-polled',
      oldKey: { at: T0 - DAY, service: 's', region: 'r' },
      newKey: { at: T0, service: 's', region: 'r' },
    });
    sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: sim.rotation.pendingApproval!.id });
    sim.apply({ type: 'key-status-set', keyId: OLD, status: 'Inactive' });
    sim.apply({ type: 'cancel', by: REQ });
    assert.deepEqual(writesOf(sim), [reactivate]);
  });

  it('in delete: too late; in cancelling: already cancelling; when final: final', () => {
    const del = simAt('delete');
    del.advance(6 * MIN);
    assert.equal(del.refused({ type: 'cancel', by: REQ }), 'too-late');
    const cancelling = simAt('cancelling');
    cancelling.advance(6 * MIN);
    assert.equal(cancelling.refused({ type: 'cancel', by: REQ }), 'not-allowed');
    assert.equal(simAt('done').refused({ type: 'cancel', by: REQ }), 'final');
  });

  it('reports what the compensations did, including a new key kept because it was used', () => {
    const sim = simAt('notify-and-approve');
    sim.apply({ type: 'cancel', by: REQ });
    sim.apply({
      type: 'compensated',
      secrets: [
        { name: 'app/deploy', outcome: 'restored' },
        { name: 'ci/creds', outcome: 'changed-since' },
      ],
      newKey: 'kept-used',
      keptKeyIds: [NEW],
      reactivated: false,
    });
    assert.equal(sim.rotation.state, 'cancelled');
    const notes = sim.rotation.outcome?.notes.join(' ') ?? '';
    assert.match(notes, /app\/deploy is back on its previous version/);
    assert.match(notes, /ci\/creds was changed by someone else/);
    assert.match(notes, new RegExp(`${NEW} has already been used, so it was kept`));
  });
});

describe('rotation workflow: an indexed locate, the full scan, and a search that did not cover everything', () => {
  /** What locateByTag reports: places found by tag or remembered, no value read. */
  const INDEXED: PlaceSearch = {
    mode: 'indexed',
    at: T0,
    secrets: count(1),
    parameters: count(1),
    tagged: 3,
  };
  const byTag = {
    type: 'places-located' as const,
    search: INDEXED,
    secrets: [
      { name: 'app/deploy', found: 'tag' as const },
      {
        name: 'ssm:/ci/aws',
        found: 'tag' as const,
        parameter: { type: 'SecureString' as const, keyId: 'k-1' },
      },
      { name: 'old/place', found: 'remembered' as const, layout: CI_LAYOUT },
    ],
    remembered: {
      thirdParty: [{ name: 'Fastly', link: 'https://fastly' }, { name: 'datadog' }],
      note: 'also in the CI pipeline of team X',
    },
  };

  /** Located by tag, created, switched over: the old key is ready to go. */
  function readyAfterIndexed(): Sim {
    const sim = simAt('locate');
    sim.apply(byTag);
    sim.apply({
      type: 'confirm-places',
      by: REQ,
      secrets: ['app/deploy', 'ssm:/ci/aws', 'old/place'],
      checklist: [],
    });
    sim.apply({
      type: 'key-created',
      attempt: 1,
      keyId: NEW,
      createdAt: sim.now,
      written: [
        { name: 'app/deploy', versionId: secretWriteToken('rot-1', 1, 'app/deploy'), layout: APP_LAYOUT },
        { name: 'ssm:/ci/aws', versionId: '2', previousVersionId: '1', layout: APP_LAYOUT },
        { name: 'old/place', versionId: secretWriteToken('rot-1', 1, 'old/place'), layout: CI_LAYOUT },
      ],
      skipped: [],
    });
    sim.apply({
      type: 'usage-polled',
      oldKey: { at: T0 - DAY, service: 'sts', region: 'x' },
      newKey: 'never',
    });
    sim.advance(25 * HOUR);
    sim.apply({ type: 'tick' });
    sim.apply({
      type: 'usage-polled',
      oldKey: { at: T0 - DAY, service: 'sts', region: 'x' },
      newKey: { at: sim.now - HOUR, service: 's3', region: 'x' },
    });
    return sim;
  }

  it('takes places found by tag as updatable without a layout, and offers the remembered places and note', () => {
    const sim = simAt('locate');
    sim.apply(byTag);
    const { places } = sim.rotation;
    assert.equal(sim.rotation.state, 'confirm-places');
    assert.deepEqual(
      places.secrets.map((s) => [s.name, s.found, s.updatable, s.selected, s.layout?.format]),
      [
        ['app/deploy', 'tag', true, true, undefined],
        ['ssm:/ci/aws', 'tag', true, true, undefined],
        ['old/place', 'remembered', true, true, 'pair'],
      ],
    );
    assert.deepEqual(places.secrets[1]!.parameter, { type: 'SecureString', keyId: 'k-1' });
    // The configured Datadog and the remembered one are the same place (names compare case-insensitively).
    assert.deepEqual(
      places.checklist.map((p) => [p.name, p.source]),
      [
        ['Datadog', 'config'],
        ['Fastly', 'remembered'],
      ],
    );
    assert.equal(places.note, 'also in the CI pipeline of team X');
    assert.deepEqual(places.search, INDEXED);
    assert.match(sim.rotation.history.at(-1)!.what, /by tag .*\(no value read\): 3 found/);
  });

  it('runs the full scan on request, and asks for it again after an interrupted tick', () => {
    const sim = simAt('confirm-places');
    sim.apply({ type: 'full-scan', by: REQ });
    assert.equal(sim.rotation.state, 'locate');
    assert.deepEqual(sim.effects, [{ type: 'locate-secrets', full: true }]);
    sim.advance(6 * MIN);
    sim.apply({ type: 'tick' });
    assert.deepEqual(sim.effects, [{ type: 'locate-secrets', full: true }]);
    sim.apply(located);
    assert.equal(sim.rotation.places.fullScanRequested, undefined);
    assert.match(
      sim.rotation.history.at(-1)!.what,
      /searched 12 of 12 secrets and 3 of 3 parameters; 3 hold/,
    );
  });

  it('after an indexed search, deactivation waits for the requester to acknowledge it, then asks the approver', () => {
    const sim = readyAfterIndexed();
    assert.equal(sim.rotation.state, 'notify-and-approve');
    assert.equal(sim.rotation.pendingApproval, undefined, 'no approver asked yet');
    const kinds = sim.effects.map((e) => (e.type === 'notify' ? e.notice.kind : e.type));
    assert.deepEqual(kinds, ['switch-over-status', 'search-ack-needed']);
    assert.ok(!sim.effects.some((e) => e.type === 'request-approval'));
    assert.ok(allowedPersonEvents(sim.rotation, sim.now).includes('acknowledge-search'));

    assert.equal(sim.refused({ type: 'confirm-deactivate', by: REQ }), 'search-not-acknowledged');

    sim.apply({ type: 'acknowledge-search', by: REQ });
    assert.deepEqual(sim.rotation.places.acknowledged, { by: REQ, at: sim.now });
    const request = sim.effects.find((e) => e.type === 'request-approval');
    assert.ok(request?.type === 'request-approval');
    assert.equal(request.action, 'deactivate-key');
    assert.match(
      request.reason,
      /Not every place was searched: only secrets and parameters locksmith tagged/,
    );
    assert.equal(request.detail.searched, `incomplete, acknowledged by ${REQ}`);
    const planned = sim.effects.find((e) => e.type === 'notify' && e.notice.kind === 'deactivation-planned');
    assert.ok(planned?.type === 'notify' && planned.notice.kind === 'deactivation-planned');
    assert.match(planned.notice.gaps?.join() ?? '', /only secrets and parameters locksmith tagged/);
    assert.equal(sim.refused({ type: 'acknowledge-search', by: REQ }), 'duplicate');
  });

  it('a full scan that covered everything needs no acknowledgement; one that stopped at its limit does', () => {
    assert.ok(
      simAt('notify-and-approve').rotation.pendingApproval,
      'complete: the approver is asked at once',
    );

    const capped = simAt('locate');
    capped.apply({
      ...located,
      search: { ...FULL_SEARCH, secrets: { ...count(5000), capped: true } },
    });
    assert.ok(capped.rotation.places.search?.secrets.capped);
    capped.apply({ type: 'acknowledge-search', by: REQ });
    assert.deepEqual(
      capped.rotation.places.acknowledged,
      { by: REQ, at: capped.now },
      'may acknowledge early',
    );
  });

  it('a search that could not read some secrets names them where it asks', () => {
    const sim = simAt('locate');
    sim.apply({
      ...located,
      search: {
        ...FULL_SEARCH,
        secrets: { ...count(12, 10), unreadable: ['prod/a', 'prod/b'], unreadableCount: 2 },
        parameters: { ...count(0), denied: 'ssm:GetParametersByPath' },
      },
    });
    sim.apply({ type: 'acknowledge-search', by: REQ });
    assert.match(
      sim.rotation.history.at(-1)!.what,
      /2 secrets could not be read \(prod\/a, prod\/b\); no parameters were searched: IAM denied ssm:GetParametersByPath/,
    );
  });

  it('refuses to skip the switch-over wait before the acknowledgement', () => {
    const sim = readyAfterIndexed();
    sim.advance(HOUR);
    sim.apply({ type: 'tick' });
    sim.apply({
      type: 'usage-polled',
      oldKey: { at: sim.now - 60_000, service: 'sts', region: 'x' },
      newKey: { at: sim.now - HOUR, service: 's3', region: 'x' },
    });
    assert.equal(sim.rotation.state, 'switch-over');
    assert.equal(
      sim.refused({ type: 'proceed-anyway', by: REQ, reason: 'the cron job was removed' }),
      'search-not-acknowledged',
    );
    sim.apply({ type: 'acknowledge-search', by: REQ });
    sim.apply({ type: 'proceed-anyway', by: REQ, reason: 'the cron job was removed' });
    const request = sim.effects.find((e) => e.type === 'request-approval');
    assert.ok(request?.type === 'request-approval' && /Not every place was searched/.test(request.reason));
  });

  it('goes back to waiting when the old key is used again before the acknowledgement', () => {
    const sim = readyAfterIndexed();
    sim.advance(HOUR);
    sim.apply({ type: 'tick' });
    sim.apply({
      type: 'usage-polled',
      oldKey: { at: sim.now - 60_000, service: 'sts', region: 'x' },
      newKey: { at: sim.now - HOUR, service: 's3', region: 'x' },
    });
    assert.equal(sim.rotation.state, 'switch-over');
  });

  it('plans the restore of a parameter with the old key id and the layout it was written with', () => {
    const sim = readyAfterIndexed();
    sim.apply({ type: 'cancel', by: REQ });
    const parameter = sim.effects.find((e) => e.type === 'restore-secret' && e.name === 'ssm:/ci/aws');
    assert.deepEqual(parameter, {
      type: 'restore-secret',
      name: 'ssm:/ci/aws',
      ourVersionIds: [secretWriteToken('rot-1', 1, 'ssm:/ci/aws')],
      previousVersionId: '1',
      oldKeyId: OLD,
      layout: APP_LAYOUT,
    });
  });
});

describe('rotation workflow: parked when the requester may no longer act (issue 14, item 4)', () => {
  const park = {
    type: 'park' as const,
    code: 'not_mapped',
    reason: 'UREQ is no longer in the access policy.',
  };

  it('parks with a notice, schedules nothing, and ticks do nothing', () => {
    const sim = simAt('notify-and-approve');
    const effects = sim.apply(park);
    assert.deepEqual(sim.types(), ['notify']);
    assert.equal((effects[0] as { notice: { kind: string } }).notice.kind, 'parked');
    assert.equal(sim.rotation.parked?.code, 'not_mapped');
    assert.equal(dueAtOf(sim.rotation), undefined, 'nothing is due while parked');
    sim.advance(DAY);
    const tick = transition(sim.rotation, { type: 'tick', force: true }, sim.ctx());
    assert.ok(tick.ok && tick.effects.length === 0 && tick.rotation === sim.rotation);
    // Parking again changes nothing.
    const again = transition(sim.rotation, park, sim.ctx());
    assert.ok(again.ok && again.rotation === sim.rotation);
  });

  it('refuses every event but take-over and cancel while parked, and offers only those', () => {
    const sim = simAt('notify-and-approve');
    const pending = sim.rotation.pendingApproval!.id;
    sim.apply(park);
    assert.equal(sim.refused({ type: 'approval-granted', by: APPROVER, approvalId: pending }), 'parked');
    assert.equal(sim.refused({ type: 'acknowledge-search', by: REQ }), 'parked');
    assert.deepEqual(allowedPersonEvents(sim.rotation, sim.now), ['take-over', 'cancel']);
  });

  it('a take-over moves the rotation to the new person, withdraws what was asked in the old name', () => {
    const sim = simAt('notify-and-approve');
    const pending = sim.rotation.pendingApproval!.id;
    sim.apply(park);
    sim.apply({
      type: 'take-over',
      by: OTHER,
      person: { slackId: OTHER, teamId: 'T' },
      statusRef: { channel: 'D0OTHER', ts: '1.2' },
    });
    const r = sim.rotation;
    assert.equal(r.parked, undefined);
    assert.equal(r.requester.slackId, OTHER);
    assert.deepEqual(r.statusRef, { channel: 'D0OTHER', ts: '1.2' });
    assert.equal(r.pendingApproval, undefined);
    assert.equal(r.state, 'switch-over', 'back to the wait: the next check asks again in the new name');
    assert.ok((dueAtOf(r) ?? Infinity) <= sim.now);
    assert.deepEqual(sim.types(), ['withdraw-approval', 'notify']);
    assert.equal((sim.effects[0] as { approvalId: string }).approvalId, pending);
    assert.match(r.history.at(-1)!.what, /took the rotation over from UREQ/);
    // The old requester is no longer the one who acts.
    assert.equal(
      sim.refused({ type: 'take-over', by: REQ, person: { slackId: REQ, teamId: 'T' } }),
      'not-allowed',
    );
  });

  it('a parked rotation can be cancelled, its compensation planned as usual', () => {
    const sim = simAt('switch-over');
    sim.apply(park);
    sim.apply({ type: 'cancel', by: OTHER });
    assert.equal(sim.rotation.state, 'cancelling');
    assert.equal(sim.rotation.parked, undefined);
    assert.ok(sim.types().includes('restore-secret'));
  });

  it('a step left in flight stays for whoever takes over, released', () => {
    const sim = simAt('switch-over');
    sim.apply({ type: 'proceed-anyway', by: REQ, reason: 'monthly cron' });
    sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: sim.rotation.pendingApproval!.id });
    assert.equal(sim.rotation.intent?.kind, 'deactivate');
    sim.apply(park);
    assert.ok(sim.rotation.intent && sim.rotation.intent.leaseUntil <= sim.now);
    sim.apply({ type: 'take-over', by: OTHER, person: { slackId: OTHER, teamId: 'T' } });
    const resumed = transition(sim.rotation, { type: 'tick', force: true }, sim.ctx());
    assert.ok(resumed.ok);
    assert.deepEqual(
      resumed.effects.map((e) => e.type),
      ['set-key-status'],
    );
  });
});

describe('rotation workflow: guarded places need an approval before the new key (issue 14, item 5)', () => {
  /** At confirm-places with `app/deploy` found guarded (on the name AWS returned). */
  function guardedSim(): Sim {
    const sim = simAt('locate');
    sim.apply({
      ...located,
      secrets: located.secrets.map((s) => (s.name === 'app/deploy' ? { ...s, guarded: true } : s)),
    });
    return sim;
  }
  const confirm = (secrets: string[]) => ({
    type: 'confirm-places' as const,
    by: REQ,
    secrets,
    checklist: ['legacy/ini'],
  });

  it('confirming a guarded place asks an approver and creates nothing', () => {
    const sim = guardedSim();
    assert.equal(sim.rotation.places.secrets.find((s) => s.name === 'app/deploy')?.guarded, true);
    sim.apply(confirm(['app/deploy', 'ci/creds']));
    assert.equal(sim.rotation.state, 'confirm-places');
    assert.equal(sim.rotation.intent, undefined, 'no create step');
    assert.deepEqual(sim.types(), ['request-approval']);
    const request = sim.effects[0] as Extract<RotationEffect, { type: 'request-approval' }>;
    assert.equal(request.kind, 'write-guarded');
    assert.equal(request.target, 'app/deploy');
    assert.equal(request.requestedBy, REQ);
    assert.match(request.reason, /write-only/);
    assert.equal(sim.rotation.pendingApproval?.action, 'write-guarded');
  });

  it('the approval starts the create step; a rejection leaves the places to choose again', () => {
    const sim = guardedSim();
    sim.apply(confirm(['app/deploy', 'ci/creds']));
    const first = sim.rotation.pendingApproval!.id;
    sim.apply({ type: 'approval-rejected', by: APPROVER, approvalId: first, note: 'not now' });
    assert.equal(sim.rotation.state, 'confirm-places');
    assert.equal(sim.rotation.intent === undefined, true, 'no create step yet');
    sim.apply(confirm(['app/deploy', 'ci/creds']));
    const second = sim.rotation.pendingApproval!.id;
    assert.notEqual(second, first);
    sim.apply({ type: 'approval-granted', by: APPROVER, approvalId: second });
    assert.equal(sim.rotation.state, 'create');
    assert.equal(sim.rotation.intent?.kind, 'create');
    assert.deepEqual(sim.rotation.places.guardedApproved?.names, ['app/deploy']);
    assert.equal(sim.rotation.places.guardedApproved?.by, APPROVER);
  });

  it('choosing again without the guarded place withdraws the request and creates at once', () => {
    const sim = guardedSim();
    sim.apply(confirm(['app/deploy', 'ci/creds']));
    const pending = sim.rotation.pendingApproval!.id;
    sim.apply(confirm(['ci/creds']));
    assert.deepEqual(sim.types(), ['withdraw-approval', 'create-key']);
    assert.equal((sim.effects[0] as { approvalId: string }).approvalId, pending);
    assert.equal(sim.rotation.state, 'create');
  });

  it('places nobody guards go straight to the create step, as before', () => {
    const sim = simAt('confirm-places');
    sim.apply(confirm(['app/deploy', 'ci/creds']));
    assert.deepEqual(sim.types(), ['create-key']);
  });
});
