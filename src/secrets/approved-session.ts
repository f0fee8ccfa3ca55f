/**
 * The session an approved reveal or edit runs under: the requester's role, narrowed by a
 * session policy to the one approved secret or `ssm:` parameter (aws/session-policy.ts). The requester's
 * ordinary session denies guarded secrets, so this is the only session that can read or change
 * one; IAM keeps the approval's scope even if the application's own check were wrong.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Deps } from '../deps.js';
import type { Caller } from '../identity/caller.js';
import { accountOf, parameterArn, partitionOf, type SecretAccess } from '../aws/session-policy.js';
import { isParameterName, parameterNameOf } from '../aws/secret-names.js';
import { assertSecretName, secretsError } from './secret-reader.js';

/** A {@link Caller} whose session may touch only `secret`. */
export interface ScopedCaller extends Caller {
  /** The approved secret as AWS names it. */
  secret: { arn: string; name: string };
}

/**
 * Resolves the requester (checking again that they may use the role), finds the secret's ARN
 * with DescribeSecret under their ordinary session (which reads no value), and returns their
 * session scoped to that ARN.
 */
export async function callerForApprovedSecret(
  deps: Pick<Deps, 'callers' | 'sessions'>,
  requester: { slackId: string; teamId: string },
  roleName: string | undefined,
  secretId: string,
  access: SecretAccess,
): Promise<ScopedCaller> {
  assertSecretName(secretId);
  const caller = await deps.callers.resolve(requester.slackId, requester.teamId, roleName);
  if (isParameterName(secretId)) {
    // A parameter's ARN follows from its name, the role's account and the client's Region.
    const region = await caller.session.clients.ssm.config.region();
    const arn = parameterArn(
      partitionOf(caller.role.arn),
      region,
      accountOf(caller.role.arn),
      parameterNameOf(secretId),
    );
    const session = await deps.sessions.sessionFor(caller.person, caller.role, { secretArn: arn, access });
    return { ...caller, session, secret: { arn, name: secretId } };
  }
  let arn: string | undefined;
  let name: string | undefined;
  try {
    ({ ARN: arn, Name: name } = await caller.session.clients.secretsManager.send(
      new DescribeSecretCommand({ SecretId: secretId }),
    ));
  } catch (err) {
    throw secretsError(err, caller.session, secretId, 'read');
  }
  if (!arn) throw new Error(`DescribeSecret returned no ARN for ${secretId}`);
  const session = await deps.sessions.sessionFor(caller.person, caller.role, { secretArn: arn, access });
  return { ...caller, session, secret: { arn, name: name ?? secretId } };
}
