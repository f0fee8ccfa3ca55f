/**
 * What an approver reads (issue 18): labelled, human facts (IAM user, account, key, what will
 * happen) and mentions; internal fields and ids out of sight, the request id in the context line
 * at most. No snapshots: each assertion names one thing a person must or must not see.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Approval } from '../../../src/approvals/approval.js';
import {
  buildBreakGlassNotice,
  buildOutcomeMessage,
  buildRequesterNotice,
  buildRequestMessage,
} from '../../../src/approvals/approval-blocks.js';
import { checkMessageContent } from '../../../devkit/block-kit-limits.js';

const NOW = Date.parse('2026-11-23T09:00:00Z');
const ROTATION_ID = 'rot_D0SANDERIN_1796184198.000007';

function approval(extra: Partial<Approval> = {}): Approval {
  return {
    id: `${ROTATION_ID}:deactivate-key:1`,
    kind: 'deactivate-key',
    requester: { slackId: 'U0SANDERIN', teamId: 'T1' },
    role: { name: '2ndline', arn: 'arn:aws:iam::111111111111:role/locksmith-2ndline' },
    target: 'AKIAOLDKEYEXAMPLE001',
    reason: 'svc-deploy: the old key has not been used for 24 hours',
    detail: {
      rotationId: ROTATION_ID,
      userName: 'svc-deploy',
      roleArn: 'arn:aws:iam::111111111111:role/locksmith-2ndline',
      keyId: 'AKIAOLDKEYEXAMPLE001',
    },
    createdAt: NOW,
    expiresAt: NOW + 3600_000,
    state: 'pending',
    ...extra,
  };
}

interface Shown {
  /** What a person reads, but the context lines (buttons carry the request id in their value, unseen). */
  body: string;
  contexts: string;
  text: string;
}

function shown(message: { text: string; blocks: unknown[] }): Shown {
  const blocks = message.blocks as Array<{ type: string }>;
  const body = blocks.filter((b) => b.type !== 'context' && b.type !== 'actions');
  const contexts = blocks.filter((b) => b.type === 'context');
  return { body: JSON.stringify(body), contexts: JSON.stringify(contexts), text: message.text };
}

describe('approval request for a key rotation step', () => {
  const m = shown(buildRequestMessage(approval(), false));

  it('labels the IAM user, the key, the role with its account, and says what approving does', () => {
    assert.match(m.body, /\*IAM user:\* `svc-deploy`/);
    assert.match(m.body, /\*Access key:\* `AKIAOLDKEYEXAMPLE001`/);
    assert.match(m.body, /\*Role:\* `2ndline` · account 111111111111/);
    assert.match(
      m.body,
      /\*If approved:\* The access key `AKIAOLDKEYEXAMPLE001` of IAM user `svc-deploy` is made \*inactive\*/,
    );
    assert.match(m.body, /\*Requester:\* <@U0SANDERIN>/);
  });

  it('shows no internal field or id outside the context line', () => {
    for (const raw of [
      /rotationId/,
      /userName/,
      /roleArn/,
      /keyId/,
      /via/,
      /rot_D0SANDERIN/,
      /arn:aws:iam/,
      /\*Target:\*/,
    ]) {
      assert.doesNotMatch(m.body, raw);
      assert.doesNotMatch(m.text, raw);
    }
    assert.equal(
      m.body.split('AKIAOLDKEYEXAMPLE001').length - 1,
      2,
      'the key once as a fact, once in what happens',
    );
  });

  it('the notification text names what and whom with a mention, not a raw user id', () => {
    assert.equal(
      m.text,
      'Approval needed: deactivate an access key: AKIAOLDKEYEXAMPLE001 of IAM user svc-deploy, asked by <@U0SANDERIN>',
    );
  });

  it('warns the approver of places outside AWS not ticked off as updated', () => {
    const open = shown(
      buildRequestMessage(
        approval({ detail: { ...approval().detail, unticked: 'Datadog, <!channel>' } }),
        false,
      ),
    );
    assert.match(
      open.body,
      /:warning: \*Not ticked off as updated yet:\* Datadog, &lt;!channel&gt;\. These places outside AWS may still use the old key/,
    );
    assert.doesNotMatch(m.body, /Not ticked off/);
  });

  it('an incomplete search acknowledged by someone names them with a mention', () => {
    const ack = shown(
      buildRequestMessage(
        approval({ detail: { ...approval().detail, searched: 'incomplete, acknowledged by U0ALICE' } }),
        false,
      ),
    );
    assert.match(ack.body, /\*Search for the key's places:\* incomplete, acknowledged by <@U0ALICE>/);
  });

  it('stays within Block Kit limits', () => {
    assert.equal(checkMessageContent({ ...buildRequestMessage(approval(), true) }), undefined);
  });
});

describe('decided approval', () => {
  it('reads "Approved: …", not "Approval approved: …", and keeps ids out of the facts', () => {
    const decided = approval({
      state: 'approved',
      decision: { by: 'U0ARNO', at: NOW + 60_000, breakGlass: false },
    });
    const m = shown(buildOutcomeMessage(decided));
    assert.match(m.body, /"text":"Approved: deactivate an access key"/);
    assert.doesNotMatch(m.body + m.text, /Approval approved|Approval rejected/);
    assert.match(m.body, /Approved by <@U0ARNO>/);
    assert.doesNotMatch(m.body, /rot_D0SANDERIN|rotationId|roleArn/);
    assert.match(
      shown(buildOutcomeMessage({ ...decided, state: 'rejected' })).body,
      /"text":"Rejected: deactivate an access key"/,
    );
    assert.match(
      shown(buildOutcomeMessage({ ...decided, state: 'expired' })).body,
      /"text":"Expired: deactivate an access key"/,
    );
  });

  it('requester and break-glass notices mention people instead of printing their ids', () => {
    const rejected = approval({
      state: 'rejected',
      decision: { by: 'U0ARNO', at: NOW, breakGlass: false, note: 'no' },
    });
    assert.doesNotMatch(buildRequesterNotice(rejected).text, /\bU0SANDERIN\b(?!>)/);
    const glass = approval({
      state: 'approved',
      decision: { by: 'U0SANDERIN', at: NOW, breakGlass: true, note: 'INC-1' },
    });
    assert.match(buildBreakGlassNotice(glass).text, /^Break-glass: <@U0SANDERIN> approved their own request/);
  });
});

describe('approval request for a secret or an SMTP user', () => {
  it('a guarded reveal: the secret and the field labelled, "via" hidden', () => {
    const reveal = approval({
      id: 'apr_1',
      kind: 'reveal',
      target: 'prod/db-root',
      detail: { via: 'totp', field: '2fa-seed' },
    });
    const m = shown(buildRequestMessage(reveal, false));
    assert.match(m.body, /\*Secret:\* `prod\/db-root`/);
    assert.match(m.body, /\*Field:\* `2fa-seed`/);
    assert.match(m.body, /single-use button in a DM/);
    assert.doesNotMatch(m.body, /via|totp/);
  });

  it('an SES SMTP user deletion: old and new user, no channel, ts or team ids', () => {
    const smtp = approval({
      kind: 'delete-key',
      target: 'mailer',
      detail: {
        smtp: 'replace',
        oldUser: 'mailer',
        newUser: 'mailer.20261123',
        roleName: '2ndline',
        channel: 'D0X',
        ts: '1.2',
        team: 'T1',
      },
    });
    const m = shown(buildRequestMessage(smtp, false));
    assert.match(m.body, /\*IAM user:\* `mailer` \(an SES SMTP user\)/);
    assert.match(m.body, /\*Replaced by:\* `mailer\.20261123`/);
    assert.match(m.body, /\*deleted\* for good; `mailer\.20261123` replaces it/);
    assert.doesNotMatch(m.body, /D0X|"1\.2"|roleName|smtp:/);
  });
});

describe('fallback text is escaped like the blocks (issue 14, item 10)', () => {
  it('a target or IAM user name holding mrkdwn control text cannot ping or link from any text', () => {
    const hostile = approval({
      kind: 'reveal',
      target: 'prod/<!channel>&<https://evil.example|x>',
      detail: { userName: '<!here>' },
    });
    for (const message of [
      buildRequestMessage(hostile, true),
      buildOutcomeMessage({ ...hostile, state: 'approved' }),
      buildRequesterNotice({ ...hostile, state: 'rejected' }),
      buildBreakGlassNotice(hostile),
    ]) {
      assert.ok(!/<!channel>|<!here>|<https:/.test(message.text), message.text);
      assert.match(message.text, /&lt;!channel&gt;/);
    }
  });
});
