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

export const MOTO_ACCOUNT_ID = '123456789012';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{ Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[] }>;
}

export interface SeedSpec {
  /** Person-facing roles and their inline policies. */
  roles?: Array<{ name: string; policy?: PolicyDocument }>;
  /** The bot's IAM user; may assume only these role names. */
  bot?: { userName?: string; assumableRoles: string[] };
  secrets?: Array<{ name: string; value: string | Record<string, unknown> | Uint8Array; description?: string }>;
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
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecrets'],
      Resource: '*',
    },
  ],
};

export function roleArn(name: string, accountId = MOTO_ACCOUNT_ID): string {
  return `arn:aws:iam::${accountId}:role/${name}`;
}

export async function seedAws(endpoint: string, spec: SeedSpec, region = 'eu-west-1'): Promise<Seeded> {
  const admin = { region, endpoint, credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' } };
  const iam = new IAMClient(admin);
  const sm = new SecretsManagerClient(admin);
  const roleArns: Record<string, string> = {};
  try {
    for (const role of spec.roles ?? []) {
      const res = await iam.send(
        new CreateRoleCommand({
          RoleName: role.name,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT_ID}:root` },
                Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
              },
            ],
          }),
        }),
      );
      roleArns[role.name] = res.Role?.Arn ?? roleArn(role.name);
      if (role.policy) {
        await iam.send(
          new PutRolePolicyCommand({ RoleName: role.name, PolicyName: 'access', PolicyDocument: JSON.stringify(role.policy) }),
        );
      }
    }
    let botCredentials: Seeded['botCredentials'];
    if (spec.bot) {
      const userName = spec.bot.userName ?? 'locksmith-bot';
      await iam.send(new CreateUserCommand({ UserName: userName }));
      const policy = await iam.send(
        new CreatePolicyCommand({
          PolicyName: `${userName}-assume`,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
                Resource: spec.bot.assumableRoles.map((r) => roleArn(r)),
              },
            ],
          }),
        }),
      );
      await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: policy.Policy!.Arn! }));
      const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      botCredentials = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    }
    for (const s of spec.secrets ?? []) {
      const value =
        s.value instanceof Uint8Array
          ? { SecretBinary: s.value }
          : { SecretString: typeof s.value === 'string' ? s.value : JSON.stringify(s.value) };
      await sm.send(new CreateSecretCommand({ Name: s.name, Description: s.description, ...value }));
    }
    return { accountId: MOTO_ACCOUNT_ID, roleArns, botCredentials };
  } finally {
    iam.destroy();
    sm.destroy();
  }
}
