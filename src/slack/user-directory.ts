/**
 * Slack user → {@link Person}: users.info for email and account flags, usergroups.list (with
 * members) for groups. Cached briefly: a deactivation or group change takes effect within
 * `slack.user_cache_seconds`, and a burst of commands costs one lookup.
 */
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import { UserError } from '../errors.js';
import type { Person } from '../identity/access.js';

export interface UserDirectory {
  /**
   * @param options.fresh skip the cache: approval decisions check who someone is *now*, so an
   * approver removed from a group a minute ago is refused.
   */
  lookup(slackId: string, teamId: string, options?: { fresh?: boolean }): Promise<Person>;
}

interface Cached<T> {
  value: Promise<T>;
  expiresAt: number;
}

export function createUserDirectory(client: WebClient, clock: Clock, cacheSeconds: number): UserDirectory {
  const ttl = cacheSeconds * 1000;
  const people = new Map<string, Cached<Person>>();
  let groups: Cached<Map<string, string[]>> | undefined;

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
    const byUser = await cached(
      groups,
      loadGroups,
      (c) => {
        groups = c;
      },
      fresh,
    );
    return {
      slackId,
      teamId: user?.team_id ?? teamId,
      name: user?.name ?? slackId,
      email: user?.profile?.email || undefined,
      groups: byUser.get(slackId) ?? [],
      deleted: user?.deleted === true,
      guest: user?.is_restricted === true || user?.is_ultra_restricted === true,
      isBot: user?.is_bot === true,
    };
  }

  return {
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
