import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Approval,
  decide,
  type DecisionInput,
  isApprover,
  isGuarded,
  matchesGlob,
} from '../../../src/approvals/approval.js';

const base: Approval = {
  id: 'a1',
  kind: 'reveal',
  requester: { slackId: 'U0ALICE', teamId: 'T1' },
  role: { name: '2ndline', arn: 'arn:aws:iam::123456789012:role/x' },
  target: 'prod/db',
  reason: 'INC-1',
  detail: {},
  createdAt: 1000,
  expiresAt: 10_000,
  state: 'pending',
};

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    clicker: 'U0BOB',
    clickerIsApprover: true,
    verdict: 'approve',
    now: 5000,
    breakGlassAllowed: false,
    ...over,
  };
}

describe('decide', () => {
  it('lets an approver who is not the requester approve', () => {
    const d = decide(base, input());
    assert.ok(d.ok);
    assert.equal(d.approval.state, 'approved');
    assert.deepEqual(d.approval.decision, { by: 'U0BOB', at: 5000, note: undefined, breakGlass: false });
  });

  it('records a rejection with its reason', () => {
    const d = decide(base, input({ verdict: 'reject', note: ' not now ' }));
    assert.ok(d.ok);
    assert.equal(d.approval.state, 'rejected');
    assert.equal(d.approval.decision?.note, 'not now');
  });

  it('refuses self-approval', () => {
    const d = decide(base, input({ clicker: 'U0ALICE' }));
    assert.ok(!d.ok);
    assert.equal(d.code, 'self_approval');
  });

  it('refuses self-approval even as an approver, unless break-glass is allowed and used with a reason', () => {
    assert.equal(
      (decide(base, input({ clicker: 'U0ALICE', breakGlass: true })) as { code: string }).code,
      'self_approval',
    );
    const noReason = decide(base, input({ clicker: 'U0ALICE', breakGlass: true, breakGlassAllowed: true }));
    assert.ok(!noReason.ok);
    assert.equal(noReason.code, 'reason_required');
    const ok = decide(
      base,
      input({ clicker: 'U0ALICE', breakGlass: true, breakGlassAllowed: true, note: 'prod down' }),
    );
    assert.ok(ok.ok);
    assert.equal(ok.approval.decision?.breakGlass, true);
    assert.equal(ok.approval.decision?.note, 'prod down');
  });

  it('refuses someone who is not an approver now', () => {
    const d = decide(base, input({ clickerIsApprover: false }));
    assert.ok(!d.ok);
    assert.equal(d.code, 'not_approver');
  });

  it('gives one decision only: a decided request refuses further clicks', () => {
    const first = decide(base, input());
    assert.ok(first.ok);
    const second = decide(first.approval, input({ clicker: 'U0CAROL', verdict: 'reject' }));
    assert.ok(!second.ok);
    assert.equal(second.code, 'not_open');
    assert.match(second.message, /already approved by <@U0BOB>/);
  });

  it('refuses an expired request and hands back the expired state to save', () => {
    const d = decide(base, input({ now: 10_000 }));
    assert.ok(!d.ok);
    assert.equal(d.code, 'expired');
    assert.equal(d.approval?.state, 'expired');
  });
});

describe('isApprover', () => {
  const approvers = { people: ['U0BOB', 'Carol@Example.com'], groups: ['leads'] };
  const p = { slackId: 'U0X', groups: [] as string[], deleted: false, guest: false };

  it('matches by Slack ID, email (any case) or group', () => {
    assert.ok(isApprover(approvers, { ...p, slackId: 'U0BOB' }));
    assert.ok(isApprover(approvers, { ...p, email: 'carol@example.com' }));
    assert.ok(isApprover(approvers, { ...p, groups: ['leads'] }));
    assert.ok(!isApprover(approvers, { ...p, groups: ['other'] }));
  });

  it('never counts deactivated users or guests', () => {
    assert.ok(!isApprover(approvers, { ...p, slackId: 'U0BOB', deleted: true }));
    assert.ok(!isApprover(approvers, { ...p, slackId: 'U0BOB', guest: true }));
    assert.ok(!isApprover(approvers, { ...p, slackId: 'U0BOB', foreign: true }));
    assert.ok(!isApprover(approvers, { ...p, slackId: 'U0BOB', stranger: true }));
  });
});

describe('guarded globs', () => {
  it('* matches any run of characters, slashes included', () => {
    assert.ok(matchesGlob('prod/db', 'prod/*'));
    assert.ok(matchesGlob('prod/db/password', 'prod/*'));
    assert.ok(!matchesGlob('staging/prod/db', 'prod/*'));
    assert.ok(matchesGlob('team/prod-db', '*prod*'));
    assert.ok(!matchesGlob('prodX', 'prod'));
  });

  it('treats regex characters literally', () => {
    assert.ok(matchesGlob('a.b+c', 'a.b+c'));
    assert.ok(!matchesGlob('aXb+c', 'a.b+c'));
  });

  it('isGuarded checks every glob', () => {
    assert.ok(isGuarded('prod/db', ['x/*', 'prod/*']));
    assert.ok(!isGuarded('dev/db', ['x/*', 'prod/*']));
  });
});
