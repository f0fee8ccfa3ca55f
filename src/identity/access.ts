/**
 * Who may use which role. Pure: takes what Slack says about a person and the policy from
 * config, and answers with the roles or a refusal. No I/O, so every rule is unit-tested.
 */
import type { FileConfig } from '../config.js';
import { UserError } from '../errors.js';

/** What locksmith knows about a Slack user, from users.info and user-group membership. */
export interface Person {
  slackId: string;
  teamId: string;
  name: string;
  /**
   * The person's email, only when Slack says it is confirmed (`is_email_confirmed`): it matches
   * email entries of the policy and approvers, and becomes the STS SourceIdentity.
   */
  email?: string;
  /** An email Slack has not confirmed: used for nothing but saying so in a refusal. */
  unconfirmedEmail?: string;
  /** Handles of the Slack user groups the person belongs to. */
  groups: string[];
  deleted: boolean;
  /** Multi- or single-channel guest. */
  guest: boolean;
  isBot: boolean;
  /**
   * Not a member of the workspace (or configured Enterprise Grid org) locksmith is installed in,
   * by the `team_id` / `enterprise_user` users.info returns (see {@link isOfInstallation}).
   */
  foreign?: boolean;
  /** Slack's `is_stranger`: another workspace's user, known only through a shared channel. */
  stranger?: boolean;
}

/** Where locksmith is installed: what `auth.test` returns for its bot token. */
export interface Installation {
  teamId: string;
  /** The Enterprise Grid org of the workspace, when it is in one. */
  enterpriseId?: string;
}

/** What users.info says about where a user belongs. */
export interface Membership {
  teamId?: string;
  enterpriseId?: string;
  /** Grid: the org's workspaces the user is a member of. */
  teams?: string[];
}

/**
 * Whether a user belongs to the installation: a member of the installed workspace (their home
 * workspace, or, on Grid, one of the org's workspaces they are in), or, where config names an
 * Enterprise Grid org (`access.enterprise_id`) that the installed workspace belongs to, any
 * member of that org. Decided on users.info, never on the team_id a request carries.
 */
export function isOfInstallation(
  user: Membership,
  installation: Installation,
  orgId: string | undefined,
): boolean {
  if (user.teamId !== undefined && user.teamId === installation.teamId) return true;
  const sameOrg = installation.enterpriseId !== undefined && user.enterpriseId === installation.enterpriseId;
  if (sameOrg && (user.teams ?? []).includes(installation.teamId)) return true;
  return sameOrg && orgId !== undefined && orgId === installation.enterpriseId;
}

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
