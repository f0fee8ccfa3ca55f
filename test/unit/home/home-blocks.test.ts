import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Approval } from '../../../src/approvals/approval.js';
import { checkView } from '../../../devkit/block-kit-limits.js';
import { accountOf, buildHomeView, HOME_CAPS, type HomeModel } from '../../../src/home/home-blocks.js';

const NOW = Date.parse('2026-11-23T09:00:00Z');

function approval(over: Partial<Approval> = {}): Approval {
  return {
    id: 'a-1',
    kind: 'reveal',
    requester: { slackId: 'U0ALICE', teamId: 'T0TEAM' },
    role: { name: '2ndline', arn: 'arn:aws:iam::123456789012:role/locksmith-2ndline' },
    target: 'prod/db',
    reason: 'INC-42: the DB is down',
    detail: {},
    createdAt: NOW - 60_000,
    expiresAt: NOW + 29 * 60_000,
    state: 'pending',
    message: { channel: 'C0APPROVALS', ts: '1700000000.000100' },
    ...over,
  };
}

function model(over: Partial<HomeModel> = {}): HomeModel {
  return {
    userId: 'U0BOB',
    access: {
      ok: true,
      roles: [
        { name: 'nothing', arn: 'arn:aws:iam::111111111111:role/locksmith-nothing' },
        { name: '2ndline', arn: 'arn:aws:iam::222222222222:role/team/locksmith-2ndline' },
      ],
    },
    revealSeconds: 60,
    now: NOW,
    ...over,
  };
}

function text(value: unknown): string {
  return JSON.stringify(value);
}

function blocksOf(m: HomeModel): Record<string, unknown>[] {
  return buildHomeView(m).blocks as unknown as Record<string, unknown>[];
}

function buttons(m: HomeModel): { action_id: string; value?: string; blockId: string }[] {
  return blocksOf(m)
    .filter((b) => b['type'] === 'actions')
    .flatMap((b) =>
      (b['elements'] as { action_id: string; value?: string }[]).map((e) => ({
        ...e,
        blockId: String(b['block_id']),
      })),
    );
}

describe('accountOf', () => {
  it('reads the account id of a role ARN in any partition', () => {
    assert.equal(accountOf('arn:aws:iam::123456789012:role/x'), '123456789012');
    assert.equal(accountOf('arn:aws-cn:iam::210987654321:role/path/x'), '210987654321');
    assert.equal(accountOf('arn:aws:iam::12345:role/x'), undefined);
    assert.equal(accountOf('not an arn'), undefined);
  });
});

describe('buildHomeView', () => {
  it('is a home view that Slack would accept', () => {
    const view = buildHomeView(model());
    assert.equal(view.type, 'home');
    assert.equal(checkView(view, ['home']), undefined);
  });

  it("lists the person's roles with their account ids and marks only the first as default", () => {
    const all = text(blocksOf(model()));
    assert.match(all, /`nothing` · account `111111111111` · _default_/);
    assert.match(all, /`2ndline` · account `222222222222`(?! · _default_)/);
    assert.equal(all.match(/_default_/g)?.length, 1);
    assert.match(all, /--role ROLE/);
  });

  it('shows a refusal as a friendly line instead of roles', () => {
    const all = text(
      blocksOf(
        model({
          access: { ok: false, message: 'You have no locksmith role yet. Ask #platform-help.' },
        }),
      ),
    );
    assert.match(all, /:no_entry_sign: You have no locksmith role yet\. Ask #platform-help\./);
    assert.doesNotMatch(all, /account `/);
  });

  it('without approvals in config shows roles and how to use /secret and /totp, and no request lists', () => {
    const m = model();
    const all = text(blocksOf(m));
    assert.match(all, /\/secret get NAME/);
    assert.match(all, /\/totp NAME/);
    assert.match(all, /hides itself after 60 s/);
    assert.doesNotMatch(all, /open requests|Waiting for your decision|guarded/);
    assert.deepEqual(buttons(m), []);
  });

  it("shows the person's own open requests: action, target, expiry and the channel, without buttons", () => {
    const m = model({ approvals: { channel: 'C0APPROVALS', mine: [approval()] } });
    const all = text(blocksOf(m));
    assert.match(all, /Your open requests/);
    assert.match(all, /\*reveal a guarded secret\* `prod\/db`/);
    assert.match(all, new RegExp(`expires <!date\\^${Math.floor((NOW + 29 * 60_000) / 1000)}\\^`));
    assert.match(all, /in <#C0APPROVALS>/);
    assert.doesNotMatch(all, /Waiting for your decision/, 'not an approver: no decision list');
    assert.deepEqual(buttons(m), []);
  });

  it('says so when there are no open requests and nothing to decide', () => {
    const all = text(blocksOf(model({ approvals: { channel: 'C0APPROVALS', mine: [], toDecide: [] } })));
    assert.match(all, /None\. Requests you make/);
    assert.match(all, /Nothing to decide right now/);
  });

  it('gives an approver Approve and Reject buttons per request, with the approval id as value', () => {
    const m = model({
      approvals: {
        channel: 'C0APPROVALS',
        mine: [],
        toDecide: [
          approval(),
          approval({ id: 'a-2', target: 'prod/api', requester: { slackId: 'U0DAVE', teamId: 'T' } }),
        ],
      },
    });
    const all = text(blocksOf(m));
    assert.match(all, /<@U0ALICE> wants to \*reveal a guarded secret\* `prod\/db`/);
    assert.match(all, />INC-42: the DB is down/);
    assert.deepEqual(
      buttons(m).map((b) => [b.action_id, b.value, b.blockId]),
      [
        ['approval_approve', 'a-1', 'home_decision_a-1'],
        ['approval_reject', 'a-1', 'home_decision_a-1'],
        ['approval_approve', 'a-2', 'home_decision_a-2'],
        ['approval_reject', 'a-2', 'home_decision_a-2'],
      ],
    );
  });

  it('escapes data so a target, reason or odd id cannot ping or forge a link', () => {
    const evil = approval({
      target: '<!channel> & friends',
      reason: 'see <https://evil.example|the runbook> <!here>',
      requester: { slackId: '<!everyone>', teamId: 'T' },
      role: { name: 'x', arn: 'arn:aws:iam::123456789012:role/x' },
      message: { channel: '<!channel>', ts: '1.2' },
    });
    const m = model({
      userId: '<!here>',
      approvals: { channel: 'C0APPROVALS', mine: [evil], toDecide: [evil] },
    });
    const all = text(blocksOf(m));
    assert.match(all, /`&lt;!channel&gt; &amp; friends`/);
    assert.match(all, /&lt;https:\/\/evil\.example\|the runbook&gt; &lt;!here&gt;/);
    for (const raw of ['<!channel>', '<!here>', '<!everyone>', '<https://evil', '<#<']) {
      assert.ok(!all.includes(raw), `${raw} appears unescaped`);
    }
  });

  it('caps every list with "and N more" and stays within Slack\'s 100 blocks and text limits', () => {
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) =>
        approval({
          id: `${prefix}-${i}`,
          target: `prod/${'x'.repeat(600)}-${i}`,
          reason: '&<>'.repeat(700),
          requester: { slackId: prefix === 'mine' ? 'U0BOB' : `U0P${i}`, teamId: 'T' },
        }),
      );
    const m = model({
      notice: 'That request was just approved by <@U0DAVE>.',
      access: {
        ok: true,
        roles: Array.from({ length: 60 }, (_, i) => ({
          name: `role-${i}-${'r'.repeat(100)}`,
          arn: `arn:aws:iam::123456789012:role/r${i}`,
        })),
      },
      approvals: { channel: 'C0APPROVALS', mine: many(50, 'mine'), toDecide: many(200, 'other') },
    });
    const view = buildHomeView(m);
    assert.ok(view.blocks.length <= 100, `${view.blocks.length} blocks`);
    assert.equal(checkView(view, ['home']), undefined);
    const all = text(view.blocks);
    assert.match(all, new RegExp(`and ${60 - HOME_CAPS.roles} more`));
    assert.match(all, new RegExp(`and ${50 - HOME_CAPS.mine} more open requests`));
    assert.match(all, new RegExp(`and ${200 - HOME_CAPS.toDecide} more requests, all in <#C0APPROVALS>`));
    assert.equal(buttons(m).filter((b) => b.action_id === 'approval_approve').length, HOME_CAPS.toDecide);
    assert.match(all, /That request was just approved/);
  });

  it('lists the person’s rotations in progress with state, IAM user, role and a link to the DM, capped', () => {
    const rotation = (i: number) => ({
      userName: `svc-${i}`,
      role: { name: 'platform', arn: 'arn:aws:iam::111111111111:role/platform' },
      state: i === 0 ? 'switch-over' : 'some-new-state',
      startedAt: NOW - i * 60_000,
      message: { channel: 'D0ALICE', ts: '1795414935.000100' },
      teamId: 'T0TEAM',
    });
    const one = text(buildHomeView(model({ rotations: [rotation(0)] })).blocks);
    assert.match(one, /Your key rotations in progress/);
    assert.match(one, /`svc-0`: _waiting for the switch-over_ · role `platform` \(account `111111111111`\)/);
    assert.match(
      one,
      /https:\/\/slack.com\/app_redirect\?channel=D0ALICE&team=T0TEAM\|open the status message/,
    );
    const none = text(buildHomeView(model({ rotations: [] })).blocks);
    assert.match(none, /None\. `\/rotate-key USER` starts one/);
    assert.doesNotMatch(text(buildHomeView(model()).blocks), /key rotations/, 'no rotation section, no list');
    const many = buildHomeView(model({ rotations: Array.from({ length: 25 }, (_, i) => rotation(i)) }));
    const all = text(many.blocks);
    assert.match(all, new RegExp(`and ${25 - HOME_CAPS.rotations} more rotations in progress`));
    assert.ok(all.includes(`svc-${HOME_CAPS.rotations - 1}`));
    assert.ok(!all.includes(`svc-${HOME_CAPS.rotations}\``));
    assert.match(all, /_some-new-state_/, 'an unknown state is shown as is');
    assert.equal(checkView(many, ['home']), undefined);
  });
});
