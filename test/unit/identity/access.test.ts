import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import {
  allowedRoles,
  chooseRole,
  isOfInstallation,
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

describe('borrowed identities', () => {
  it('refuses a foreign or stranger account before looking at the mapping', () => {
    for (const flags of [{ foreign: true }, { stranger: true }]) {
      const err = refusal(() => allowedRoles(policy, person({ slackId: 'U0ALICE', ...flags })));
      assert.equal(err.code, 'foreign_user');
    }
  });

  it('matches email entries only to a confirmed email, and says so when only an unconfirmed one would match', () => {
    const err = refusal(() => allowedRoles(policy, person({ unconfirmedEmail: 'bob@example.com' })));
    assert.equal(err.code, 'email_unconfirmed');
    assert.match(err.message, /#platform-help/);
    assert.equal(
      refusal(() => allowedRoles(policy, person({ unconfirmedEmail: 'z@example.com' }))).code,
      'not_mapped',
    );
    // The same person's groups still count: only the email entry is out of reach.
    assert.deepEqual(
      allowedRoles(policy, person({ unconfirmedEmail: 'bob@example.com', groups: ['oncall'] })).map(
        (r) => r.name,
      ),
      ['2ndline'],
    );
  });
});

describe('isOfInstallation', () => {
  const workspace = { teamId: 'T0HOME' };
  const grid = { teamId: 'T0HOME', enterpriseId: 'E0ORG' };

  it('a plain workspace: its own members only, whatever else the user claims', () => {
    assert.equal(isOfInstallation({ teamId: 'T0HOME' }, workspace, undefined), true);
    assert.equal(isOfInstallation({ teamId: 'T0ELSE' }, workspace, undefined), false);
    assert.equal(isOfInstallation({}, workspace, undefined), false);
    assert.equal(
      isOfInstallation({ teamId: 'T0ELSE', enterpriseId: 'E0ORG', teams: ['T0HOME'] }, workspace, 'E0ORG'),
      false,
    );
  });

  it('Grid: members of the installed workspace; the whole org only when config names it', () => {
    const sister = { teamId: 'T0SISTER', enterpriseId: 'E0ORG', teams: ['T0SISTER'] };
    assert.equal(isOfInstallation({ ...sister, teams: ['T0SISTER', 'T0HOME'] }, grid, undefined), true);
    assert.equal(isOfInstallation(sister, grid, undefined), false);
    assert.equal(isOfInstallation(sister, grid, 'E0ORG'), true);
    assert.equal(isOfInstallation({ ...sister, enterpriseId: 'E0ELSE' }, grid, 'E0ORG'), false);
    // Config naming another org than the installation's lets nobody extra in.
    assert.equal(isOfInstallation(sister, grid, 'E0ELSE'), false);
  });
});
