/**
 * STS sessions per (person, role, session policy). The bot's own credentials are used for
 * nothing but AssumeRole; every other AWS call runs under the session made here, so CloudTrail
 * names the person (RoleSessionName slack-<ID>, SourceIdentity their email, session tags). Each
 * session carries a session policy (aws/session-policy.ts): ordinary ones deny the guarded secrets,
 * an approved one may touch only its one secret, so IAM enforces the guards as well.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { awsUserError } from '../aws/aws-errors.js';
import type { AwsClientFactory, AwsClients } from '../aws/client-factory.js';
import type { Clock } from '../core/clock.js';
import { UserError } from '../core/errors.js';
import { type Person, type RoleGrant, roleSessionNameFor, sourceIdentityFor } from './access.js';
import {
  guardSessionPolicy,
  partitionOf,
  SECRET_ARN,
  type SecretAccess,
  type SecretGuards,
  secretSessionPolicy,
} from '../aws/session-policy.js';

/** A person's live AWS session under one role. Holds no secret values, only credentials. */
export interface PersonSession {
  role: RoleGrant;
  /** The assumed-role ARN, e.g. arn:aws:sts::123:assumed-role/2ndline/slack-U123. */
  assumedRoleArn: string;
  expiresAt: number;
  clients: AwsClients;
}

/** A session limited to one secret: an approved reveal (`read`) or edit (`edit`). */
export interface SecretScope {
  /** The secret's full ARN, as DescribeSecret returned it. */
  secretArn: string;
  access: SecretAccess;
}

export interface SessionBroker {
  /**
   * The person's session under `role`: an ordinary one (its session policy denies the guarded
   * secrets, when config guards any), or, with `scope`, one that may touch only that secret.
   * Cached per person, role and policy.
   */
  sessionFor(person: Person, role: RoleGrant, scope?: SecretScope): Promise<PersonSession>;
  /** How many AssumeRole calls have been made; exposed for tests and metrics. */
  readonly assumeRoleCount: number;
}

export interface SessionBrokerOptions {
  durationSeconds: number;
  contact: string;
  /** What config guards: ordinary sessions carry a policy that denies it (aws/session-policy.ts). */
  guards?: SecretGuards | undefined;
  /** Renew this long before expiry so a request never starts on a session about to lapse. */
  refreshMarginMs?: number;
}

export function createSessionBroker(
  aws: AwsClientFactory,
  clock: Clock,
  options: SessionBrokerOptions,
): SessionBroker {
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  // Promises, not results, are cached so concurrent first requests share one AssumeRole.
  const sessions = new Map<string, { session: Promise<PersonSession>; expiresAt: number }>();
  let assumeRoleCount = 0;

  async function assume(person: Person, role: RoleGrant, policy: string | undefined): Promise<PersonSession> {
    assumeRoleCount++;
    try {
      const res = await aws.botSts().send(
        new AssumeRoleCommand({
          RoleArn: role.arn,
          RoleSessionName: roleSessionNameFor(person),
          SourceIdentity: sourceIdentityFor(person),
          DurationSeconds: options.durationSeconds,
          Tags: [
            { Key: 'slack_user_id', Value: person.slackId },
            { Key: 'slack_team_id', Value: person.teamId },
          ],
          ...(policy !== undefined ? { Policy: policy } : {}),
        }),
      );
      const c = res.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
      const expiresAt = c.Expiration?.getTime() ?? clock.now() + options.durationSeconds * 1000;
      return {
        role,
        assumedRoleArn: res.AssumedRoleUser?.Arn ?? role.arn,
        expiresAt,
        clients: aws.forCredentials({
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
        }),
      };
    } catch (err) {
      throw assumeRoleError(err, role, options.contact);
    }
  }

  function prune(now: number): void {
    for (const [key, entry] of sessions) if (entry.expiresAt - margin <= now) sessions.delete(key);
  }

  return {
    get assumeRoleCount() {
      return assumeRoleCount;
    },
    async sessionFor(person, role, scope) {
      const now = clock.now();
      const policy = scope ? scopedPolicy(scope) : guardSessionPolicy(options.guards, partitionOf(role.arn));
      const key = `${person.slackId}\u0000${role.arn}\u0000${sourceIdentityFor(person)}\u0000${policy ?? ''}`;
      const existing = sessions.get(key);
      if (existing && existing.expiresAt - margin > now) return existing.session;
      prune(now);
      const entry = { session: assume(person, role, policy), expiresAt: Number.POSITIVE_INFINITY };
      sessions.set(key, entry);
      try {
        const session = await entry.session;
        entry.expiresAt = session.expiresAt;
        return session;
      } catch (err) {
        if (sessions.get(key) === entry) sessions.delete(key);
        throw err;
      }
    },
  };
}

/** The policy of a session scoped to one secret; refuses anything but a secret's full ARN. */
function scopedPolicy(scope: SecretScope): string {
  if (!SECRET_ARN.test(scope.secretArn)) {
    throw new Error(`a scoped session needs a secret's full ARN, got ${JSON.stringify(scope.secretArn)}`);
  }
  return secretSessionPolicy(scope.secretArn, scope.access);
}

function assumeRoleError(err: unknown, role: RoleGrant, contact: string): Error {
  if (err instanceof UserError) return err;
  return awsUserError(err, {
    service: 'AWS (STS)',
    denied: `locksmith is not allowed to assume the role \`${role.name}\` (${role.arn}). Most likely the role's trust policy does not trust locksmith's own role, or does not allow sts:SetSourceIdentity and sts:TagSession. Ask ${contact}.`,
    deniedCode: 'assume_role_denied',
    throttled: 'AWS is throttling requests right now. Try again in a minute.',
  });
}
