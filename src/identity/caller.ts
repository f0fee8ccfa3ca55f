/**
 * From a Slack user id to an AWS session: look the person up, check they may use locksmith,
 * pick the role, assume it. Each step that can refuse does so before any AWS call.
 */
import type { Config } from '../config.js';
import type { UserDirectory } from '../slack/user-directory.js';
import { allowedRoles, chooseRole, type Person, type RoleGrant } from './access.js';
import type { PersonSession, SessionBroker } from './sessions.js';

export interface Caller {
  person: Person;
  role: RoleGrant;
  session: PersonSession;
}

export interface CallerResolver {
  /**
   * Looks up the person and checks their access; no AWS call. `fresh` asks Slack again instead
   * of using the short cache: work that runs later checks who the person is now.
   */
  authorize(
    slackId: string,
    teamId: string,
    requestedRole?: string,
    options?: { fresh?: boolean },
  ): Promise<{ person: Person; role: RoleGrant }>;
  /** authorize, then the person's session for that role. */
  resolve(slackId: string, teamId: string, requestedRole?: string): Promise<Caller>;
}

export function createCallerResolver(
  config: Pick<Config, 'roles' | 'people' | 'groups' | 'access'>,
  directory: UserDirectory,
  sessions: SessionBroker,
): CallerResolver {
  const authorize: CallerResolver['authorize'] = async (slackId, teamId, requestedRole, options) => {
    const person = await directory.lookup(slackId, teamId, options?.fresh ? { fresh: true } : undefined);
    const role = chooseRole(allowedRoles(config, person), requestedRole, config.access.contact);
    return { person, role };
  };
  return {
    authorize,
    async resolve(slackId, teamId, requestedRole) {
      const { person, role } = await authorize(slackId, teamId, requestedRole);
      return { person, role, session: await sessions.sessionFor(person, role) };
    },
  };
}
