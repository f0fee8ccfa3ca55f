import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/errors.js';
import {
  allowedRoles,
  chooseRole,
  type Person,
  roleSessionNameFor,
  sourceIdentityFor,
} from '../../../src/identity/access.js';

const policy = {
  roles: {
    '2ndline': 'arn:aws:iam::111111111111:role/locksmith-2ndline',
    admin: 'arn:aws:iam::222222222222:role/locksmith-admin',
    readonly: 'arn:aws:iam::111111111111:role/locksmith-readonly',
  },
  people: { U0ALICE: ['admin'], 'Bob@Example.com': ['readonly'] },
  groups: { oncall: ['2ndline'], auditors: ['readonly'] },
  access: { contact: '#platform-help' },
};

function person(overrides: Partial<Person> = {}): Person {
  return {
    slackId: 'U0NOBODY',
    teamId: 'T1',
    name: 'x',
    groups: [],
    deleted: false,
    guest: false,
    isBot: false,
    ...overrides,
  };
}

function refusal(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, 'expected a UserError');
    return err;
  }
  assert.fail('expected a refusal');
}

describe('allowedRoles', () => {
  it('gives a person their own roles first, then their groups', () => {
    const roles = allowedRoles(policy, person({ slackId: 'U0ALICE', groups: ['oncall'] }));
    assert.deepEqual(
      roles.map((r) => r.name),
      ['admin', '2ndline'],
    );
    assert.equal(roles[0]!.arn, 'arn:aws:iam::222222222222:role/locksmith-admin');
  });

  it('matches people by email, ignoring case', () => {
    const roles = allowedRoles(policy, person({ email: 'bob@example.com' }));
    assert.deepEqual(
      roles.map((r) => r.name),
      ['readonly'],
    );
  });

  it('lists a role once when a person has it several ways', () => {
    const roles = allowedRoles(policy, person({ email: 'bob@example.com', groups: ['auditors'] }));
    assert.deepEqual(
      roles.map((r) => r.name),
      ['readonly'],
    );
  });

  it('refuses an unmapped person and names whom to ask', () => {
    const err = refusal(() => allowedRoles(policy, person({ groups: ['other'] })));
    assert.equal(err.code, 'not_mapped');
    assert.match(err.message, /#platform-help/);
  });

  it('refuses a deactivated user even when mapped', () => {
    assert.equal(
      refusal(() => allowedRoles(policy, person({ slackId: 'U0ALICE', deleted: true }))).code,
      'deactivated',
    );
  });

  it('refuses guests and bots even when mapped', () => {
    assert.equal(
      refusal(() => allowedRoles(policy, person({ slackId: 'U0ALICE', guest: true }))).code,
      'guest',
    );
    assert.equal(
      refusal(() => allowedRoles(policy, person({ slackId: 'U0ALICE', isBot: true }))).code,
      'guest',
    );
  });
});

describe('chooseRole', () => {
  const allowed = allowedRoles(policy, person({ slackId: 'U0ALICE', groups: ['oncall'] }));

  it('defaults to the first role', () => {
    assert.equal(chooseRole(allowed, undefined, 'x').name, 'admin');
  });

  it('picks the requested role', () => {
    assert.equal(chooseRole(allowed, '2ndline', 'x').name, '2ndline');
  });

  it('refuses a role the person does not have, listing theirs', () => {
    const err = refusal(() => chooseRole(allowed, 'readonly', '#help'));
    assert.equal(err.code, 'role_not_allowed');
    assert.match(err.message, /`admin`, `2ndline`/);
  });
});

describe('STS names', () => {
  it('uses the email as SourceIdentity and slack-<ID> as session name', () => {
    const p = person({ slackId: 'U0ALICE', email: 'alice@example.com' });
    assert.equal(sourceIdentityFor(p), 'alice@example.com');
    assert.equal(roleSessionNameFor(p), 'slack-U0ALICE');
  });

  it('falls back to the Slack ID when the email has characters STS refuses', () => {
    assert.equal(sourceIdentityFor(person({ slackId: 'U0X', email: 'a b@example.com' })), 'U0X');
    assert.equal(sourceIdentityFor(person({ slackId: 'U0X' })), 'U0X');
  });
});
