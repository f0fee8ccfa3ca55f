/**
 * Approvals as a service: post a request in the approvals channel, decide clicks by the rules
 * in approval.ts, save with a compare-and-set (first decision wins), update the message in
 * place, tell the requester, and hand approved requests to whoever asked for them.
 */
import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-events.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import type { Person, RoleGrant } from '../identity/access.js';
import type { UserDirectory } from '../slack/user-directory.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { tryDm } from '../slack/interaction-kit.js';
import { ConflictError, type Store, type StoredRecord } from '../store/store.js';
import { type Approval, type ApprovalKind, decide, isApprover, type Verdict } from './approval.js';
import {
  buildBreakGlassNotice,
  buildOutcomeMessage,
  buildRequesterNotice,
  buildRequestMessage,
} from './approval-blocks.js';

export type ApprovalsConfig = NonNullable<Config['approvals']>;

export interface NewApproval {
  /**
   * A caller-chosen id makes the request idempotent: asking again with the same id returns the
   * request already made (e.g. a rotation re-sending its request after a restart).
   */
  id?: string;
  kind: ApprovalKind;
  requester: Person;
  role: RoleGrant;
  target: string;
  reason: string;
  detail?: Record<string, string>;
}

export type DecisionResult = { ok: true; approval: Approval } | { ok: false; message: string };

export type ApprovedHandler = (approval: Approval) => Promise<void>;

/** Called once a request of a kind is rejected or has expired (not when withdrawn). */
export type ClosedHandler = (approval: Approval) => Promise<void>;

export interface ApprovalService {
  readonly config: ApprovalsConfig;
  request(input: NewApproval): Promise<Approval>;
  decide(input: {
    approvalId: string;
    clicker: string;
    teamId: string;
    verdict: Verdict;
    note?: string;
    breakGlass?: boolean;
  }): Promise<DecisionResult>;
  /** Marks every pending request past its expiry as expired and updates its message. */
  expireDue(): Promise<number>;
  /** What to do once a request of this kind is approved (e.g. send the Reveal button). */
  onApproved(kind: ApprovalKind, handler: ApprovedHandler): void;
  /** What to do once a request of this kind is rejected or expires (e.g. tell a rotation). */
  onRejected(kind: ApprovalKind, handler: ClosedHandler): void;
  /**
   * Closes a pending request that no longer applies (its reason changed, the work was
   * cancelled): shown as rejected by `by` with the note "withdrawn: why". No handler runs and
   * nobody is DMed. False when the request was not pending.
   */
  withdraw(id: string, input: { by: string; why: string }): Promise<boolean>;
  get(id: string): Promise<Approval | undefined>;
  /** Pending requests, for the App Home. */
  pending(): Promise<Approval[]>;
  isApproverNow(slackId: string, teamId: string): Promise<boolean>;
}

export interface ApprovalServiceDeps {
  config: ApprovalsConfig;
  store: Store;
  slack: WebClient;
  directory: UserDirectory;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
}

export function createApprovalService(deps: ApprovalServiceDeps): ApprovalService {
  const { config, store, slack, directory, clock, audit, logger } = deps;
  const handlers = new Map<ApprovalKind, ApprovedHandler>();
  const rejectedHandlers = new Map<ApprovalKind, ClosedHandler>();

  function expiryMinutes(kind: ApprovalKind): number {
    if (kind === 'reveal') return config.expiry_minutes.reveal;
    if (kind === 'edit') return config.expiry_minutes.edit;
    return config.expiry_minutes.default;
  }

  async function save(
    rec: StoredRecord<Approval>,
    next: Approval,
  ): Promise<StoredRecord<Approval> | undefined> {
    return store.update<Approval>(
      'approval',
      rec.id,
      rec.version,
      {
        state: next.state,
        dueAt: next.state === 'pending' ? next.expiresAt : undefined,
        owner: next.requester.slackId,
        data: next,
      },
      clock.now(),
    );
  }

  async function updateMessage(a: Approval): Promise<void> {
    if (!a.message) return;
    try {
      await slack.chat.update({ channel: a.message.channel, ts: a.message.ts, ...buildOutcomeMessage(a) });
    } catch (err) {
      logger.warn(
        { approval_id: a.id, err: { message: (err as Error).message } },
        'approval message update failed',
      );
    }
  }

  async function dm(user: string, message: SlackMessage): Promise<void> {
    await tryDm({ slack, logger }, user, message, 'DM failed');
  }

  /** Every approver's Slack ID: named people (IDs, or emails looked up) and group members. */
  async function approverIds(): Promise<string[]> {
    const ids = new Set<string>();
    for (const p of config.approvers.people) {
      if (!p.includes('@')) {
        ids.add(p);
        continue;
      }
      try {
        const res = await slack.users.lookupByEmail({ email: p });
        if (res.user?.id) ids.add(res.user.id);
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message } }, 'approver email lookup failed');
      }
    }
    if (config.approvers.groups.length > 0) {
      const res = await slack.usergroups.list({ include_users: true });
      for (const g of res.usergroups ?? []) {
        if (g.handle && config.approvers.groups.includes(g.handle)) for (const u of g.users ?? []) ids.add(u);
      }
    }
    return [...ids];
  }

  async function isApproverNow(slackId: string, teamId: string): Promise<boolean> {
    const person = await directory.lookup(slackId, teamId, { fresh: true });
    return isApprover(config.approvers, person);
  }

  /** Runs a decided request's handler, if its kind has one; false when it threw (logged as `failed`). */
  async function runDecided(
    handler: ((a: Approval) => Promise<void>) | undefined,
    a: Approval,
    failed: string,
  ): Promise<boolean> {
    if (!handler) return true;
    try {
      await handler(a);
      return true;
    } catch (err) {
      logger.error({ approval_id: a.id, err: { message: (err as Error).message } }, failed);
      return false;
    }
  }

  async function afterDecision(a: Approval): Promise<void> {
    await updateMessage(a);
    if (a.state === 'approved') {
      if (a.decision?.breakGlass) {
        const notice = buildBreakGlassNotice(a);
        await Promise.all((await approverIds()).map((id) => dm(id, notice)));
      }
      if (!(await runDecided(handlers.get(a.kind), a, 'approved-request handler failed'))) {
        await dm(a.requester.slackId, {
          text: 'Your request was approved, but locksmith could not act on it.',
          blocks: [],
        });
      }
    } else {
      if (a.decision?.by !== a.requester.slackId) await dm(a.requester.slackId, buildRequesterNotice(a));
      await runDecided(rejectedHandlers.get(a.kind), a, 'rejected-request handler failed');
    }
  }

  return {
    config,
    onApproved(kind, handler) {
      handlers.set(kind, handler);
    },
    onRejected(kind, handler) {
      rejectedHandlers.set(kind, handler);
    },
    async withdraw(id, { by, why }) {
      const rec = await store.get<Approval>('approval', id);
      if (!rec || rec.data.state !== 'pending') return false;
      const now = clock.now();
      const saved = await save(rec, {
        ...rec.data,
        state: 'rejected',
        decision: { by, at: now, note: `withdrawn: ${why}`, breakGlass: false },
      });
      if (!saved) return false;
      audit.record({
        action: 'approval.decided',
        outcome: 'rejected',
        person: { slack_id: by },
        role: saved.data.role,
        target: `${saved.data.kind}:${saved.data.target}`,
        approval_id: id,
        requester: saved.data.requester.slackId,
        note: `withdrawn: ${why}`,
      });
      await updateMessage(saved.data);
      return true;
    },
    async get(id) {
      return (await store.get<Approval>('approval', id))?.data;
    },
    async pending() {
      return (await store.query<Approval>({ kind: 'approval', states: ['pending'] })).map((r) => r.data);
    },
    isApproverNow,

    async request(input) {
      if (input.id !== undefined) {
        const existing = await store.get<Approval>('approval', input.id);
        if (existing) return existing.data;
      }
      const now = clock.now();
      const approval: Approval = {
        id: input.id ?? randomUUID(),
        kind: input.kind,
        requester: {
          slackId: input.requester.slackId,
          teamId: input.requester.teamId,
          email: input.requester.email,
        },
        role: input.role,
        target: input.target,
        reason: input.reason,
        detail: input.detail ?? {},
        createdAt: now,
        expiresAt: now + expiryMinutes(input.kind) * 60_000,
        state: 'pending',
      };
      let rec: StoredRecord<Approval>;
      try {
        rec = await store.create<Approval>(
          {
            kind: 'approval',
            id: approval.id,
            state: 'pending',
            dueAt: approval.expiresAt,
            owner: approval.requester.slackId,
            data: approval,
          },
          now,
        );
      } catch (err) {
        // The same id asked for at the same moment (a double submission): the first one wins.
        const existing =
          err instanceof ConflictError && input.id !== undefined
            ? await store.get<Approval>('approval', input.id)
            : undefined;
        if (existing) return existing.data;
        throw err;
      }
      let posted: Awaited<ReturnType<typeof slack.chat.postMessage>>;
      try {
        posted = await slack.chat.postMessage({
          channel: config.channel,
          ...buildRequestMessage(approval, config.break_glass),
        });
      } catch (err) {
        // A request no approver can see must not stay pending: nobody could ever decide it.
        // Take it back, so that the requester (told Slack failed) asks again from a clean slate.
        await store
          .delete('approval', approval.id, rec.version)
          .catch((cleanup: Error) =>
            logger.warn(
              { err: { message: cleanup.message }, approval_id: approval.id },
              'unposted request not removed',
            ),
          );
        throw err;
      }
      if (posted.ts && posted.channel) {
        const withMessage = { ...approval, message: { channel: posted.channel, ts: posted.ts } };
        rec = (await save(rec, withMessage)) ?? rec;
      }
      audit.record({
        action: 'approval.requested',
        outcome: 'ok',
        person: {
          slack_id: approval.requester.slackId,
          email: approval.requester.email,
          team_id: approval.requester.teamId,
        },
        role: approval.role,
        target: `${approval.kind}:${approval.target}`,
        approval_id: approval.id,
        note: approval.reason,
      });
      return rec.data;
    },

    async decide(input) {
      const rec = await store.get<Approval>('approval', input.approvalId);
      if (!rec) return { ok: false, message: 'That request no longer exists.' };
      const clickerIsApprover = await isApproverNow(input.clicker, input.teamId);
      const verdict = decide(rec.data, {
        clicker: input.clicker,
        clickerIsApprover,
        verdict: input.verdict,
        now: clock.now(),
        note: input.note,
        breakGlass: input.breakGlass,
        breakGlassAllowed: config.break_glass,
      });
      const person = { slack_id: input.clicker, team_id: input.teamId };
      /** A click that decides nothing: one `refused` line, with why. */
      const refused = (reason: string) =>
        audit.record({
          action: 'approval.decided',
          outcome: 'refused',
          person,
          target: `${rec.data.kind}:${rec.data.target}`,
          approval_id: rec.id,
          requester: rec.data.requester.slackId,
          reason,
        });
      if (!verdict.ok) {
        if (verdict.approval) {
          const saved = await save(rec, verdict.approval);
          if (saved) await afterDecision(saved.data);
        }
        refused(verdict.code);
        return { ok: false, message: verdict.message };
      }
      const saved = await save(rec, verdict.approval);
      if (!saved) {
        // Someone decided between our read and our write: report what won.
        const now = await store.get<Approval>('approval', input.approvalId);
        const by = now?.data.decision ? ` by <@${now.data.decision.by}>` : '';
        // Audited as the click that reads the decided request is (not_open): whichever way the
        // race went, each click leaves one line.
        refused('not_open');
        return {
          ok: false,
          message: `This request was just ${now?.data.state ?? 'changed'}${by}. Nothing was changed.`,
        };
      }
      const a = saved.data;
      audit.record({
        action: 'approval.decided',
        outcome: a.state === 'approved' ? 'approved' : 'rejected',
        person,
        role: a.role,
        target: `${a.kind}:${a.target}`,
        approval_id: a.id,
        requester: a.requester.slackId,
        note: a.decision?.note,
        break_glass: a.decision?.breakGlass,
      });
      await afterDecision(a);
      return { ok: true, approval: a };
    },

    async expireDue() {
      const due = await store.query<Approval>({ kind: 'approval', states: ['pending'], dueBy: clock.now() });
      let count = 0;
      for (const rec of due) {
        const saved = await save(rec, { ...rec.data, state: 'expired' });
        if (!saved) continue;
        count++;
        audit.record({
          action: 'approval.expired',
          outcome: 'expired',
          person: { slack_id: rec.data.requester.slackId, team_id: rec.data.requester.teamId },
          target: `${rec.data.kind}:${rec.data.target}`,
          approval_id: rec.id,
        });
        await afterDecision(saved.data);
      }
      return count;
    },
  };
}
