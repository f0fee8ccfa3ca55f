/**
 * Who a person is, as Slack confirmed it (users.info, user-group membership), and where locksmith
 * is installed. Shared by slack/ (the user directory builds a Person) and identity/ (access is
 * decided on one); plain data, no Slack client.
 */

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
