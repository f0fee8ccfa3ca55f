/**
 * Slack user → {@link Person}: users.info for email and account flags, usergroups.list (with
 * members) for groups, auth.test (once) for the workspace locksmith is installed in. Cached
 * briefly: a burst of commands costs one lookup. A `user_change` or `team_join` event drops the
 * person at once (user-events.ts); other changes (a group's members) take effect within
 * `slack.user_cache_seconds`.
 */
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../core/clock.js';
import { UserError } from '../core/errors.js';
import { type Installation, isOfInstallation, type Person } from '../core/person.js';

export interface UserDirectory {
  /**
   * @param options.fresh skip the cache: approval decisions check who someone is *now*, so an
   * approver removed from a group a minute ago is refused.
   */
  lookup(slackId: string, teamId: string, options?: { fresh?: boolean }): Promise<Person>;
  /**
   * Drops what is cached about a person: Slack said they changed (`user_change`, `team_join`),
   * so the next lookup asks again instead of waiting out `slack.user_cache_seconds`.
   */
  forget(slackId: string): void;
}

/** Options of {@link createUserDirectory}. */
export interface UserDirectoryOptions {
  /** Config `access.enterprise_id`: an Enterprise Grid org whose members all belong. */
  enterpriseId?: string | undefined;
}

interface Cached<T> {
  value: Promise<T>;
  expiresAt: number;
}

export function createUserDirectory(
  client: WebClient,
  clock: Clock,
  cacheSeconds: number,
  options: UserDirectoryOptions = {},
): UserDirectory {
  const ttl = cacheSeconds * 1000;
  const people = new Map<string, Cached<Person>>();
  let groups: Cached<Map<string, string[]>> | undefined;
  let installation: Promise<Installation> | undefined;

  /** auth.test, once per process (a failure is not kept): the workspace the token belongs to. */
  function installed(): Promise<Installation> {
    installation ??= client.auth.test().then(
      (res) => {
        if (!res.team_id) throw new Error('auth.test named no team');
        return { teamId: res.team_id, ...(res.enterprise_id ? { enterpriseId: res.enterprise_id } : {}) };
      },
      (err: unknown) => {
        installation = undefined;
        throw err;
      },
    );
    return installation;
  }

  function cached<T>(
    entry: Cached<T> | undefined,
    load: () => Promise<T>,
    store: (c: Cached<T>) => void,
    skipCache = false,
  ): Promise<T> {
    const now = clock.now();
    if (!skipCache && entry && entry.expiresAt > now) return entry.value;
    const value = load();
    const entryNew = { value, expiresAt: now + ttl };
    store(entryNew);
    // A failed lookup must not be cached: the next command tries again.
    value.catch(() => {
      entryNew.expiresAt = 0;
    });
    return value;
  }

  async function loadGroups(): Promise<Map<string, string[]>> {
    const res = await client.usergroups.list({ include_users: true });
    const byUser = new Map<string, string[]>();
    for (const g of res.usergroups ?? []) {
      if (!g.handle) continue;
      for (const u of g.users ?? []) byUser.set(u, [...(byUser.get(u) ?? []), g.handle]);
    }
    return byUser;
  }

  async function loadPerson(slackId: string, teamId: string, fresh: boolean): Promise<Person> {
    let user: Awaited<ReturnType<WebClient['users']['info']>>['user'];
    try {
      user = (await client.users.info({ user: slackId })).user;
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === 'user_not_found') {
        throw new UserError(
          'not_mapped',
          'Slack does not know your account, so locksmith cannot act for you.',
        );
      }
      throw err;
    }
    const [byUser, home] = await Promise.all([
      cached(
        groups,
        loadGroups,
        (c) => {
          groups = c;
        },
        fresh,
      ),
      installed(),
    ]);
    // Only an email Slack has confirmed may stand for the person (policy entries, approvers,
    // SourceIdentity); the field is absent for some users, which counts as not confirmed.
    const email = user?.profile?.email || undefined;
    const confirmed = user?.is_email_confirmed === true;
    const enterprise = user?.enterprise_user;
    return {
      slackId,
      teamId: user?.team_id ?? teamId,
      name: user?.name ?? slackId,
      ...(email !== undefined ? (confirmed ? { email } : { unconfirmedEmail: email }) : {}),
      groups: byUser.get(slackId) ?? [],
      deleted: user?.deleted === true,
      guest: user?.is_restricted === true || user?.is_ultra_restricted === true,
      isBot: user?.is_bot === true,
      foreign: !isOfInstallation(
        {
          ...(user?.team_id !== undefined ? { teamId: user.team_id } : {}),
          ...(enterprise?.enterprise_id !== undefined ? { enterpriseId: enterprise.enterprise_id } : {}),
          ...(enterprise?.teams !== undefined ? { teams: enterprise.teams } : {}),
        },
        home,
        options.enterpriseId,
      ),
      stranger: user?.is_stranger === true,
    };
  }

  return {
    forget(slackId) {
      people.delete(slackId);
      // Group membership is cached for everyone at once; a changed person may have changed groups.
      groups = undefined;
    },
    lookup(slackId, teamId, options) {
      const fresh = options?.fresh === true;
      return cached(
        people.get(slackId),
        () => loadPerson(slackId, teamId, fresh),
        (c) => people.set(slackId, c),
        fresh,
      );
    },
  };
}
