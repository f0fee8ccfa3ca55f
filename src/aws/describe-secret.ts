/**
 * DescribeSecret as a person: the secret's name, ARN, dates and tags, never its value. One call
 * and one wording for what can go wrong, shared by `/secret info` and `/secret who`.
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsUserError } from './aws-errors.js';

/** What the call needs of a person's session (identity/sessions.ts PersonSession has it). */
export interface DescribingSession {
  clients: { secretsManager: Pick<SecretsManagerClient, 'send'> };
  role: { name: string };
}

/** Describes `name` under `session`; throws UserErrors a person can act on (not found, denied, throttled, unreachable). */
export async function describeSecretAs(
  session: DescribingSession,
  name: string,
): Promise<DescribeSecretCommandOutput> {
  try {
    return await session.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: name }));
  } catch (err) {
    const role = `\`${session.role.name}\``;
    throw awsUserError(err, {
      service: 'AWS Secrets Manager',
      notFound: `No secret named \`${name}\` was found (looked up as role ${role}).`,
      denied: `Your role ${role} may not describe \`${name}\`: IAM denied \`secretsmanager:DescribeSecret\`.`,
    });
  }
}
