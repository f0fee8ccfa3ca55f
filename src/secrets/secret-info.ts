/**
 * `/secret info NAME`: what AWS knows about a secret, read under the person's own role with calls
 * that return no value: DescribeSecret for Secrets Manager (the console's "Secret details"),
 * DescribeParameters filtered on the exact name for an `ssm:` parameter. Domain code:
 * plain data out, UserErrors a person can act on, audited as a `secret.read` (note `info`) under
 * the name AWS returned. Knows nothing of Slack.
 */
import { type ParameterMetadata, paginateDescribeParameters } from '@aws-sdk/client-ssm';
import { isGuarded } from '../approvals/approval.js';
import type { AuditEvent } from '../audit/audit-events.js';
import { audited } from '../audit/audited.js';
import { awsUserError } from '../aws/aws-errors.js';
import { describeSecretAs } from '../aws/describe-secret.js';
import { isParameterName, PARAMETER_PREFIX, parameterNameOf } from '../aws/secret-names.js';
import { UserError } from '../core/errors.js';
import type { Deps } from '../deps.js';
import type { PersonSession } from '../identity/sessions.js';
import { guardedGlobs } from './guard.js';
import { assertReadIsTyped, assertSecretName } from './secret-reader.js';

export interface SecretInfo {
  kind: 'secret';
  /** The name and ARN DescribeSecret returned (what is shown and audited). */
  name: string;
  arn: string;
  description?: string;
  createdAt?: Date;
  /** When the value or the secret's settings last changed. */
  changedAt?: Date;
  /** The day it was last read (AWS keeps the date only). */
  accessedOn?: Date;
  rotation: { enabled: boolean; last?: Date; next?: Date };
  /** Set when the secret is scheduled for deletion. */
  deletingOn?: Date;
  /** The AWS service that manages it (e.g. `rds`), if any. */
  managedBy?: string;
  tags: { key: string; value: string }[];
  /** How many versions carry a staging label; AWSPREVIOUS among them means an edit can be undone. */
  versions: number;
  hasPrevious: boolean;
  /** Encrypted with a customer managed KMS key rather than `aws/secretsmanager`. */
  customerKey: boolean;
}

/** Describes a secret under `session`. Throws UserErrors a person can act on (not found, denied, throttled, unreachable). */
export async function describeSecret(session: PersonSession, typed: string): Promise<SecretInfo> {
  assertSecretName(typed);
  const res = await describeSecretAs(session, typed);
  // What is shown and audited is the secret AWS described: it must be the one typed.
  assertReadIsTyped(typed, res);
  const stages = Object.values(res.VersionIdsToStages ?? {});
  return {
    kind: 'secret',
    name: res.Name ?? typed,
    arn: res.ARN ?? '',
    ...(res.Description ? { description: res.Description } : {}),
    ...(res.CreatedDate ? { createdAt: res.CreatedDate } : {}),
    ...(res.LastChangedDate ? { changedAt: res.LastChangedDate } : {}),
    ...(res.LastAccessedDate ? { accessedOn: res.LastAccessedDate } : {}),
    rotation: {
      enabled: res.RotationEnabled === true,
      ...(res.LastRotatedDate ? { last: res.LastRotatedDate } : {}),
      ...(res.NextRotationDate ? { next: res.NextRotationDate } : {}),
    },
    ...(res.DeletedDate ? { deletingOn: res.DeletedDate } : {}),
    ...(res.OwningService ? { managedBy: res.OwningService } : {}),
    tags: (res.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
    versions: stages.length,
    hasPrevious: stages.some((s) => s.includes('AWSPREVIOUS')),
    customerKey: res.KmsKeyId !== undefined && res.KmsKeyId !== 'alias/aws/secretsmanager',
  };
}

/** A Parameter Store parameter's description (DescribeParameters; no value). */
export interface ParameterInfo {
  kind: 'parameter';
  /** `ssm:` and the name Parameter Store returned. */
  name: string;
  arn?: string;
  type?: string;
  description?: string;
  changedAt?: Date;
  /** The IAM principal (ARN) that last changed it. */
  changedBy?: string;
  version?: number;
  tier?: string;
  /** A SecureString encrypted with a customer managed KMS key rather than `alias/aws/ssm`. */
  customerKey: boolean;
}

/**
 * Describes a parameter under `session`: DescribeParameters with an exact-name filter, page by
 * page until it is found (AWS may answer a filtered request with an empty page and a NextToken).
 */
export async function describeParameter(session: PersonSession, typed: string): Promise<ParameterInfo> {
  const own = parameterNameOf(typed);
  const role = `\`${session.role.name}\``;
  let found: ParameterMetadata | undefined;
  try {
    const pages = paginateDescribeParameters(
      { client: session.clients.ssm },
      { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [own] }] },
    );
    for await (const page of pages) {
      found = page.Parameters?.find((p) => p.Name === own);
      if (found) break;
    }
  } catch (err) {
    throw awsUserError(err, {
      service: 'AWS Systems Manager',
      denied: `Your role ${role} may not describe Parameter Store parameters: IAM denied \`ssm:DescribeParameters\`.`,
    });
  }
  if (!found)
    throw new UserError(
      'secret_not_found',
      `No Parameter Store parameter named \`${typed}\` was found (looked up as role ${role}).`,
    );
  return {
    kind: 'parameter',
    name: `${PARAMETER_PREFIX}${found.Name ?? own}`,
    ...(found.ARN ? { arn: found.ARN } : {}),
    ...(found.Type ? { type: found.Type } : {}),
    ...(found.Description ? { description: found.Description } : {}),
    ...(found.LastModifiedDate ? { changedAt: found.LastModifiedDate } : {}),
    ...(found.LastModifiedUser ? { changedBy: found.LastModifiedUser } : {}),
    ...(found.Version !== undefined ? { version: found.Version } : {}),
    ...(found.Tier ? { tier: found.Tier } : {}),
    customerKey: found.KeyId !== undefined && found.KeyId !== 'alias/aws/ssm',
  };
}

/** What `/secret info` answers: the description, the role it was read as, and whether reveals need an approval. */
export interface InfoAnswer {
  info: SecretInfo | ParameterInfo;
  roleName: string;
  guarded: boolean;
}

/** Describes `typed` as the person, under the role they chose (or their first), audited. */
export async function secretInfoFor(
  deps: Deps,
  person: { user: string; team: string },
  typed: string,
  role: string | undefined,
): Promise<InfoAnswer> {
  const event: AuditEvent = {
    action: 'secret.read',
    outcome: 'ok',
    person: { slack_id: person.user, team_id: person.team },
    target: typed,
    note: 'info',
  };
  return audited(deps.audit, event, async () => {
    const caller = await deps.callers.resolve(person.user, person.team, role);
    event.person.email = caller.person.email;
    event.role = caller.role;
    const info = isParameterName(typed)
      ? await describeParameter(caller.session, typed)
      : await describeSecret(caller.session, typed);
    event.target = info.name;
    // Guarded on the name AWS returned, as the reveal decides (guard.ts).
    return { info, roleName: caller.role.name, guarded: isGuarded(info.name, guardedGlobs(deps)) };
  });
}
