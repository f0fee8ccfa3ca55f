/**
 * The rotation service without Slack (issue 15, item 6): what it tells whom, through a recording
 * notifier, and what AWS (moto) holds after each step. The Slack notifier is tested through the
 * app tests (test/app/rotate-key*.test.ts); these pin the service's own decisions.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Approval } from '../../src/approvals/approval.js';
import type { NewApproval } from '../../src/approvals/approval-service.js';
import type { AuditEvent } from '../../src/audit/audit-events.js';
import { UserError } from '../../src/core/errors.js';
import type { Person } from '../../src/identity/access.js';
import type { Rotation } from '../../src/rotation/core/index.js';
import { allowedPersonEvents } from '../../src/rotation/core/index.js';
import type { RotationSection } from '../../src/rotation/service/config.js';
import type {
  RotationNotifier,
  SecondLineNotice,
  StatusClosing,
  StatusOpening,
  StatusRef,
  ThreadNote,
} from '../../src/rotation/service/notifier.js';
import {
  createRotationService,
  type RotationService,
  type RotationServiceDeps,
} from '../../src/rotation/service/service.js';
import { APPROVER, type Harness, HOUR, REQUESTER, ROLE, USER, useMotoHarness } from './support.js';

type Told =
  | { to: 'open'; userId: string; opening: StatusOpening }
  | { to: 'close'; ref: StatusRef; closing: StatusClosing }
  | { to: 'status'; state: string }
  | { to: 'thread'; note: ThreadNote }
  | { to: '2ndline'; notice: SecondLineNotice }
  | { to: 'parked'; rotationId: string };

/** Keeps what the service tells people, in order. */
class RecordingNotifier implements RotationNotifier {
  told: Told[] = [];
  private n = 0;
  async openStatus(userId: string, opening: StatusOpening): Promise<StatusRef> {
    this.told.push({ to: 'open', userId, opening });
    this.n += 1;
    return { channel: `D${userId}`, ts: `1700000000.00000${this.n}` };
  }
  async closeStatus(ref: StatusRef, closing: StatusClosing): Promise<void> {
    this.told.push({ to: 'close', ref, closing });
  }
  async showStatus(rotation: Rotation): Promise<void> {
    this.told.push({ to: 'status', state: rotation.state });
  }
  async threadNote(_rotation: Rotation, note: ThreadNote): Promise<void> {
    this.told.push({ to: 'thread', note });
  }
  async tellSecondLine(_rotation: Rotation, notice: SecondLineNotice): Promise<void> {
    this.told.push({ to: '2ndline', notice });
  }
  async tellParked(rotation: Rotation): Promise<void> {
    this.told.push({ to: 'parked', rotationId: rotation.id });
  }
  notices(): string[] {
    return this.told.flatMap((t) =>
      t.to === 'thread' && t.note.kind === 'notice' ? [t.note.notice.kind] : [],
    );
  }
}

const SECTION = {
  max_key_age_days: 90,
  poll_minutes: 60,
  quiet_hours: 24,
  grace_days: 7,
  notify_channel: 'C2NDLINE',
  third_party_places: [],
  approvals: { require_for_delete_extra: false, require_for_deactivate: true, require_for_delete: false },
} as unknown as RotationSection;

describe('rotation service, with a recording notifier, against moto', () => {
  let h: Harness;
  let notifier: RecordingNotifier;
  let audit: AuditEvent[];
  let requested: NewApproval[];
  let withdrawn: string[];
  /** Whether the requester may still use the role (the access policy, as Slack says now). */
  let allowed: boolean;
  let service: RotationService;

  useMotoHarness((harness) => (h = harness));
  beforeEach(async () => {
    notifier = new RecordingNotifier();
    audit = [];
    requested = [];
    withdrawn = [];
    allowed = true;
    const person = (slackId: string): Person => ({
      slackId,
      teamId: REQUESTER.teamId,
      name: slackId,
      email: `${slackId.toLowerCase()}@example.com`,
      groups: [],
      deleted: false,
      guest: false,
      isBot: false,
    });
    const session = { role: ROLE, assumedRoleArn: 'arn', expiresAt: Infinity, clients: h.clients };
    const authorize = async (slackId: string) => {
      if (!allowed) throw new UserError('not_mapped', 'not in the policy');
      return { person: person(slackId), role: ROLE };
    };
    const deps = {
      clock: h.clock,
      logger: h.logger,
      store: h.store,
      config: { roles: { [ROLE.name]: ROLE.arn } },
      audit: { record: (e: AuditEvent) => audit.push(e) },
      sessions: { sessionFor: async () => session, assumeRoleCount: 0 },
      callers: {
        authorize,
        resolve: async (slackId: string) => ({ ...(await authorize(slackId)), session }),
      },
      approvals: {
        config: { channel: 'CAPPROVALS' },
        request: async (a: NewApproval) => {
          requested.push(a);
          return a;
        },
        withdraw: async (id: string) => {
          withdrawn.push(id);
          return true;
        },
        get: async () => undefined,
      },
    } as unknown as RotationServiceDeps;
    service = createRotationService(deps, SECTION, () => notifier);
  });

  const clicker = { id: REQUESTER.slackId, teamId: REQUESTER.teamId };

  async function startOne(): Promise<string> {
    const outcome = await service.start({
      userId: REQUESTER.slackId,
      teamId: REQUESTER.teamId,
      userName: USER,
    });
    assert.deepEqual(outcome, { kind: 'started', roleName: ROLE.name });
    const [rec] = await h.store.query<Rotation>({ kind: 'rotation' });
    assert.ok(rec);
    return rec.id;
  }

  it('start: opens the status message in the requester DM, names the rotation after it, shows the places found, audits; no key is created yet', async () => {
    await h.seed();
    const id = await startOne();
    assert.deepEqual(notifier.told[0], {
      to: 'open',
      userId: REQUESTER.slackId,
      opening: { kind: 'starting', userName: USER, roleName: ROLE.name },
    });
    assert.equal(id, `rot_D${REQUESTER.slackId}_1700000000.000001`);
    assert.deepEqual(notifier.told.at(-1), { to: 'status', state: 'confirm-places' });
    assert.equal((await h.keys()).length, 1, 'no new key before the places are confirmed');
    const started = audit.find((e) => e.action === 'rotation.start');
    assert.equal(started?.outcome, 'ok');
    assert.equal(started?.rotation_id, id);
  });

  it('someone else clicking is told who may act, and nothing runs, is audited or changes in AWS', async () => {
    await h.seed();
    const id = await startOne();
    const before = notifier.told.length;
    const auditBefore = audit.length;
    const done = await service.act(
      id,
      { type: 'confirm-places', by: 'UOTHER', secrets: [], checklist: [] },
      { id: 'UOTHER', teamId: REQUESTER.teamId },
    );
    assert.deepEqual(done, { kind: 'not-requester', requester: REQUESTER.slackId });
    assert.equal(notifier.told.length, before);
    assert.equal(audit.length, auditBefore);
    assert.equal((await h.keys()).length, 1);
  });

  it('the switch-over over: 2ndline is told and an approver asked; the approval makes the old key inactive in AWS and the thread says so', async () => {
    const seeded = await h.seed();
    const id = await startOne();
    const rec = await service.runner.get(id);
    const secrets = rec!.data.places.secrets.filter((s) => s.updatable).map((s) => s.name);
    const confirmed = await service.act(
      id,
      { type: 'confirm-places', by: REQUESTER.slackId, secrets, checklist: [] },
      clicker,
    );
    assert.equal(confirmed.kind === 'ran' && confirmed.result.rotation?.state, 'switch-over');
    assert.equal((await h.keys()).length, 2, 'the new key exists');

    await h.consumerSwitches();
    h.clock.advance(25 * HOUR);
    await service.resume();
    let r = (await service.runner.get(id))!.data;
    if (allowedPersonEvents(r, h.clock.now()).includes('acknowledge-search')) {
      await service.act(id, { type: 'acknowledge-search', by: REQUESTER.slackId }, clicker);
      r = (await service.runner.get(id))!.data;
    }
    assert.equal(r.state, 'notify-and-approve');
    const told = notifier.told.filter((t) => t.to === '2ndline');
    assert.equal(told.length, 1);
    assert.equal(told[0]!.to === '2ndline' && told[0]!.notice.action, 'deactivate');
    assert.equal(told[0]!.to === '2ndline' && told[0]!.notice.keyId, seeded.oldKey.accessKeyId);
    assert.equal(requested.length, 1);
    assert.equal(requested[0]!.kind, 'deactivate-key');
    assert.equal(requested[0]!.target, seeded.oldKey.accessKeyId);

    const approval = {
      ...requested[0]!,
      state: 'approved',
      decision: { by: APPROVER, at: h.clock.now(), breakGlass: false },
      createdAt: h.clock.now(),
      expiresAt: h.clock.now() + HOUR,
    } as Approval;
    await service.approvalDecided(approval);
    const keys = await h.keys();
    assert.equal(keys.find((k) => k.id === seeded.oldKey.accessKeyId)?.status, 'Inactive');
    assert.ok(notifier.notices().includes('key-deactivated'));
    assert.equal((await service.runner.get(id))!.data.state, 'grace');
    const decided = audit.find((e) => e.approval_id === approval.id);
    assert.equal(decided?.outcome, 'ok');
    assert.equal(decided?.person.slack_id, APPROVER);
  });

  it('a requester who may no longer use the role: the next poll parks the rotation with no AWS call, the approvers are told, the audit says refused', async () => {
    await h.seed();
    const id = await startOne();
    const rec = await service.runner.get(id);
    const secrets = rec!.data.places.secrets.filter((s) => s.updatable).map((s) => s.name);
    await service.act(id, { type: 'confirm-places', by: REQUESTER.slackId, secrets, checklist: [] }, clicker);
    allowed = false;
    h.recorder.clear();
    h.clock.advance(2 * HOUR);
    await service.resume();
    assert.ok((await service.runner.get(id))!.data.parked);
    assert.deepEqual(
      notifier.told.filter((t) => t.to === 'parked'),
      [{ to: 'parked', rotationId: id }],
    );
    assert.equal(h.recorder.calls.length, 0, 'no AWS call in the requester name');
    const parked = audit.find((e) => e.note?.startsWith('parked'));
    assert.equal(parked?.outcome, 'refused');
  });
});
