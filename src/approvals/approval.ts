/**
 * What an approval request is, and the rules for deciding one. Pure: no Slack, no store, no
 * clock of its own. The service (approval-service.ts) loads a record, asks `decide`, and saves
 * the answer with a compare-and-set, so the first decision wins.
 */
import type { Person } from '../identity/access.js';
import { secretNameCandidates } from '../aws/secret-names.js';

export type ApprovalKind =
  | 'reveal'
  | 'edit'
  | 'deactivate-key'
  | 'delete-key'
  | 'skip-wait'
  /** A rotation writing its new key into a guarded secret or parameter (a guarded edit, write-only). */
  | 'write-guarded';

import type { ApprovalState } from '../core/record-states.js';

export type { ApprovalState };

export interface ApprovalPerson {
  slackId: string;
  teamId: string;
  email?: string;
}

/** Stored under the record's data. Never holds a secret value. */
export interface Approval {
  id: string;
  kind: ApprovalKind;
  requester: ApprovalPerson;
  role: { name: string; arn: string };
  /** What the action is about: a secret name, an access key id, … */
  target: string;
  reason: string;
  /** Non-secret details the action needs later (e.g. which field for /totp). */
  detail: Record<string, string>;
  createdAt: number;
  expiresAt: number;
  state: ApprovalState;
  decision?: { by: string; at: number; note?: string; breakGlass: boolean };
  /** The channel message that shows the request, updated in place. */
  message?: { channel: string; ts: string };
}

export type Verdict = 'approve' | 'reject';

export interface DecisionInput {
  clicker: string;
  /** Whether the clicker is an approver at the moment of the click (looked up fresh). */
  clickerIsApprover: boolean;
  verdict: Verdict;
  now: number;
  note?: string;
  /** The requester asks to approve their own request (break-glass). */
  breakGlass?: boolean;
  breakGlassAllowed: boolean;
}

export type RefusalCode = 'not_open' | 'expired' | 'self_approval' | 'not_approver' | 'reason_required';

export type Decision =
  | { ok: true; approval: Approval }
  | {
      ok: false;
      code: RefusalCode;
      message: string /** set when the refusal itself changes state */;
      approval?: Approval;
    };

const KIND_LABEL: Record<ApprovalKind, string> = {
  reveal: 'reveal a guarded secret',
  edit: 'edit a guarded secret',
  'deactivate-key': 'deactivate an access key',
  'delete-key': 'delete an access key',
  'skip-wait': 'skip the switch-over wait',
  'write-guarded': 'write a new key into a guarded secret',
};

export function describeKind(kind: ApprovalKind): string {
  return KIND_LABEL[kind];
}

/**
 * Decides a click on Approve or Reject. The order of checks matters: an expired request is
 * reported as expired to anyone, before who-may-decide, so the message can be updated.
 */
export function decide(approval: Approval, input: DecisionInput): Decision {
  if (approval.state !== 'pending') {
    const by = approval.decision ? ` by <@${approval.decision.by}>` : '';
    return {
      ok: false,
      code: 'not_open',
      message: `This request is already ${approval.state}${by}. Nothing was changed.`,
    };
  }
  if (input.now >= approval.expiresAt) {
    return {
      ok: false,
      code: 'expired',
      message: 'This request has expired. The requester can ask again.',
      approval: { ...approval, state: 'expired' },
    };
  }
  const self = input.clicker === approval.requester.slackId;
  if (self) {
    if (input.verdict === 'reject') {
      // Withdrawing one's own request is always allowed; it decides nothing for anyone else.
      return {
        ok: true,
        approval: {
          ...approval,
          state: 'rejected',
          decision: {
            by: input.clicker,
            at: input.now,
            note: 'withdrawn by the requester',
            breakGlass: false,
          },
        },
      };
    }
    if (!input.breakGlass || !input.breakGlassAllowed) {
      return {
        ok: false,
        code: 'self_approval',
        message: input.breakGlassAllowed
          ? 'You cannot approve your own request. In an emergency use *Break glass* and give a reason; every approver is told.'
          : 'You cannot approve your own request; another approver has to.',
      };
    }
    if (!input.note?.trim()) {
      return { ok: false, code: 'reason_required', message: 'Break-glass needs a reason.' };
    }
    return {
      ok: true,
      approval: {
        ...approval,
        state: 'approved',
        decision: { by: input.clicker, at: input.now, note: input.note.trim(), breakGlass: true },
      },
    };
  }
  if (!input.clickerIsApprover) {
    return {
      ok: false,
      code: 'not_approver',
      message: 'Only approvers can decide this request, and you are not one of them now.',
    };
  }
  return {
    ok: true,
    approval: {
      ...approval,
      state: input.verdict === 'approve' ? 'approved' : 'rejected',
      decision: {
        by: input.clicker,
        at: input.now,
        note: input.note?.trim() || undefined,
        breakGlass: false,
      },
    },
  };
}

/**
 * Whether a person is an approver under the config, by Slack ID, confirmed email or group
 * handle; never a deactivated, guest, foreign or stranger account.
 */
export function isApprover(
  approvers: { people: string[]; groups: string[] },
  person: Pick<Person, 'slackId' | 'email' | 'groups' | 'deleted' | 'guest' | 'foreign' | 'stranger'>,
): boolean {
  if (person.deleted || person.guest || person.foreign || person.stranger) return false;
  const email = person.email?.toLowerCase();
  if (
    approvers.people.some((p) => p === person.slackId || (email !== undefined && p.toLowerCase() === email))
  )
    return true;
  return approvers.groups.some((g) => person.groups.includes(g));
}

/**
 * Secret-name globs: `*` matches any run of characters, `/` included, so `prod/*` guards
 * everything under prod/. Only `*` is special; everything else matches itself.
 */
export function matchesGlob(name: string, glob: string): boolean {
  const pattern = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/**
 * True when any name `name` may denote is guarded: typed as an ARN, the secret's name in it
 * counts (src/aws/secret-names.ts). Called again with the Name AWS returned once it answered.
 */
export function isGuarded(name: string, globs: readonly string[]): boolean {
  const names = secretNameCandidates(name);
  return globs.some((g) => names.some((n) => matchesGlob(n, g)));
}
