/**
 * Who may use which role. Pure: takes what Slack says about a person and the policy from
 * config, and answers with the roles or a refusal. No I/O, so every rule is unit-tested.
 */
import type { FileConfig } from '../config.js';
import { UserError } from '../core/errors.js';
import type { Person } from '../core/person.js';

// Who a person is (as Slack confirmed it) is shared with slack/user-directory.ts, which builds it
// from users.info: it lives in core/ so neither folder imports the other.
export { type Installation, isOfInstallation, type Membership, type Person } from '../core/person.js';

export interface RoleGrant {
  name: string;
  arn: string;
}

type AccessPolicy = Pick<FileConfig, 'roles' | 'people' | 'groups' | 'access'>;

/**
 * The roles a person may use, in order: their own mapping (by Slack ID, then by email) first,
 * then their groups in config order. The first is the default.
 * Refuses deactivated users, guests, bots, users of another workspace or org and strangers
 * before anything else, whatever the mapping says: a leaver still listed by email must not keep
 * access. An email entry matches only an email Slack has confirmed ({@link Person.email}).
 */
export function allowedRoles(policy: AccessPolicy, person: Person): RoleGrant[] {
  const contact = policy.access.contact;
  if (person.deleted) {
    throw new UserError(
      'deactivated',
      `Your Slack account is deactivated, so locksmith can't act for you. Ask ${contact}.`,
    );
  }
  if (person.guest || person.isBot) {
    throw new UserError(
      'guest',
      `Guest and bot accounts can't use locksmith. Ask ${contact} if you need access.`,
    );
  }
  if (person.foreign || person.stranger) {
    throw new UserError(
      'foreign_user',
      `locksmith only acts for members of the workspace it is installed in, and Slack says your account belongs to another. Ask ${contact} if you need access.`,
    );
  }
  const names: string[] = [];
  const add = (list: string[] | undefined) => {
    for (const n of list ?? []) if (!names.includes(n)) names.push(n);
  };
  add(policy.people[person.slackId]);
  if (person.email) {
    const email = person.email.toLowerCase();
    for (const [key, list] of Object.entries(policy.people)) if (key.toLowerCase() === email) add(list);
  }
  for (const [handle, list] of Object.entries(policy.groups)) if (person.groups.includes(handle)) add(list);
  if (names.length === 0) {
    const unconfirmed = person.unconfirmedEmail?.toLowerCase();
    if (
      unconfirmed !== undefined &&
      Object.keys(policy.people).some((k) => k.toLowerCase() === unconfirmed)
    ) {
      throw new UserError(
        'email_unconfirmed',
        `The access policy names you by email, but Slack has not confirmed your email address, so locksmith can't rely on it. Confirm it in Slack, or ask ${contact} to list you by Slack ID.`,
      );
    }
    throw new UserError(
      'not_mapped',
      `You have no locksmith role yet. Ask ${contact} to add you to the access policy.`,
    );
  }
  return names.map((name) => ({ name, arn: policy.roles[name]! }));
}

/** Picks the requested role among the allowed ones, or the default (first). */
export function chooseRole(allowed: RoleGrant[], requested: string | undefined, contact: string): RoleGrant {
  if (requested === undefined) return allowed[0]!;
  const found = allowed.find((r) => r.name === requested);
  if (found) return found;
  const yours = allowed.map((r) => `\`${r.name}\``).join(', ');
  throw new UserError(
    'role_not_allowed',
    `You can't use the role \`${requested}\`. Your roles: ${yours}. Ask ${contact} if you need another.`,
  );
}

// STS allows only these characters in SourceIdentity and RoleSessionName.
const STS_SAFE = /^[\w+=,.@-]{2,64}$/;

/** SourceIdentity for a person: their email where STS accepts it, else their Slack ID. */
export function sourceIdentityFor(person: Person): string {
  if (person.email && STS_SAFE.test(person.email)) return person.email;
  return person.slackId;
}

export function roleSessionNameFor(person: Person): string {
  return `slack-${person.slackId}`.slice(0, 64);
}
