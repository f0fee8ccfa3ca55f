/**
 * Seeds moto with what a test, a benchmark or the sandbox needs: the bot's own IAM user (whose
 * key may only assume roles), the person-facing roles with their policies, and secrets.
 * Runs with moto's IAM enforcement off; call MotoServer.enforceIam() afterwards if wanted.
 */
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

export const MOTO_ACCOUNT_ID = '123456789012';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{ Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[] }>;
}

export interface SeedSpec {
  /**
   * Person-facing roles and their inline policies. A role trusts the bot's user unless
   * `trustsBot` is false, which plays a role whose trust policy was never set up for locksmith.
   */
  roles?: Array<{ name: string; policy?: PolicyDocument; trustsBot?: boolean }>;
  /** The bot's IAM user, allowed only to assume the roles that trust it (as docs/iam.md says). */
  bot?: { userName?: string };
  secrets?: Array<{
    name: string;
    value: string | Record<string, unknown> | Uint8Array;
    description?: string;
    tags?: Record<string, string>;
  }>;
  /** Parameter Store parameters (`name` without `ssm:`), SecureString unless `type` says. */
  parameters?: Array<{ name: string; value: string; type?: 'String' | 'SecureString'; description?: string }>;
}

export interface Seeded {
  accountId: string;
  roleArns: Record<string, string>;
  botCredentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A policy that lets a role read and list every secret (moto honours only Resource "*"). */
export const READ_ALL_SECRETS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecrets',
      ],
      Resource: '*',
    },
  ],
};

export function roleArn(name: string, accountId = MOTO_ACCOUNT_ID): string {
  return `arn:aws:iam::${accountId}:role/${name}`;
}

export async function seedAws(endpoint: string, spec: SeedSpec, region = 'eu-west-1'): Promise<Seeded> {
  const admin = {
    region,
    endpoint,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  };
  const iam = new IAMClient(admin);
  const sm = new SecretsManagerClient(admin);
  const ssm = new SSMClient(admin);
  const roleArns: Record<string, string> = {};
  try {
    const botUser = spec.bot?.userName ?? 'locksmith-bot';
    let botCredentials: Seeded['botCredentials'];
    if (spec.bot) {
      await iam.send(new CreateUserCommand({ UserName: botUser }));
      const policy = await iam.send(
        new CreatePolicyCommand({
          PolicyName: `${botUser}-assume`,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
                Resource: (spec.roles ?? []).filter((r) => r.trustsBot !== false).map((r) => roleArn(r.name)),
              },
            ],
          }),
        }),
      );
      await iam.send(new AttachUserPolicyCommand({ UserName: botUser, PolicyArn: policy.Policy!.Arn! }));
      const key = await iam.send(new CreateAccessKeyCommand({ UserName: botUser }));
      botCredentials = {
        accessKeyId: key.AccessKey!.AccessKeyId!,
        secretAccessKey: key.AccessKey!.SecretAccessKey!,
      };
    }
    for (const role of spec.roles ?? []) {
      const res = await iam.send(
        new CreateRoleCommand({
          RoleName: role.name,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                // moto checks trust policies against the caller's own ARN (it does not expand :root).
                Principal: {
                  AWS: `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/${role.trustsBot === false ? 'someone-else' : botUser}`,
                },
                Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
              },
            ],
          }),
        }),
      );
      roleArns[role.name] = res.Role?.Arn ?? roleArn(role.name);
      if (role.policy) {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: role.name,
            PolicyName: 'access',
            PolicyDocument: JSON.stringify(role.policy),
          }),
        );
      }
    }
    for (const s of spec.secrets ?? []) {
      const value =
        s.value instanceof Uint8Array
          ? { SecretBinary: s.value }
          : { SecretString: typeof s.value === 'string' ? s.value : JSON.stringify(s.value) };
      const tags = Object.entries(s.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
      await sm.send(
        new CreateSecretCommand({
          Name: s.name,
          Description: s.description,
          ...value,
          ...(tags.length ? { Tags: tags } : {}),
        }),
      );
    }
    for (const p of spec.parameters ?? []) {
      await ssm.send(
        new PutParameterCommand({
          Name: p.name,
          Value: p.value,
          Type: p.type ?? 'SecureString',
          ...(p.description ? { Description: p.description } : {}),
        }),
      );
    }
    return { accountId: MOTO_ACCOUNT_ID, roleArns, botCredentials };
  } finally {
    iam.destroy();
    sm.destroy();
    ssm.destroy();
  }
}
