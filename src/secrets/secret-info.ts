/**
 * `/secret info NAME`: what Secrets Manager knows about a secret, read with DescribeSecret under
 * the person's own role, which returns no value (the console's "Secret details"). Domain code:
 * plain data out, UserErrors a person can act on, audited as a `secret.read` (note `info`) under
 * the name AWS returned. Knows nothing of Slack.
 */
import { DescribeSecretCommand, type DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { isGuarded } from '../approvals/approval.js';
import type { AuditEvent } from '../audit/audit-events.js';
import { audited } from '../audit/audited.js';
import { awsUserError } from '../aws/aws-errors.js';
import { isParameterName } from '../aws/secret-names.js';
import { UserError } from '../core/errors.js';
import type { Deps } from '../deps.js';
import type { PersonSession } from '../identity/sessions.js';
import { guardedGlobs } from './guard.js';
import { assertReadIsTyped, assertSecretName } from './secret-reader.js';

export interface SecretInfo {
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
  let res: DescribeSecretCommandOutput;
  try {
    res = await session.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: typed }));
  } catch (err) {
    const role = `\`${session.role.name}\``;
    throw awsUserError(err, {
      service: 'AWS Secrets Manager',
      notFound: `No secret named \`${typed}\` was found (looked up as role ${role}).`,
      denied: `Your role ${role} may not describe \`${typed}\`: IAM denied \`secretsmanager:DescribeSecret\`.`,
    });
  }
  // What is shown and audited is the secret AWS described: it must be the one typed.
  assertReadIsTyped(typed, res);
  const stages = Object.values(res.VersionIdsToStages ?? {});
  return {
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

/** What `/secret info` answers: the description, the role it was read as, and whether reveals need an approval. */
export interface InfoAnswer {
  info: SecretInfo;
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
  if (isParameterName(typed)) {
    throw new UserError(
      'bad_command',
      `\`/secret info\` describes Secrets Manager secrets. For a parameter, \`/secret list ${typed.slice(0, 80)}\` shows its description and when it changed.`,
    );
  }
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
    const info = await describeSecret(caller.session, typed);
    event.target = info.name;
    // Guarded on the name AWS returned, as the reveal decides (guard.ts).
    return { info, roleName: caller.role.name, guarded: isGuarded(info.name, guardedGlobs(deps)) };
  });
}
