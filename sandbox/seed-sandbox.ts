/**
 * Puts the sandbox file's AWS world into a fresh moto: the bot's own IAM user, the roles people
 * use, the IAM users whose keys the page lets you rotate (created and "used" in the past by
 * moving moto's clock back for a moment), and the secrets, with `{{REF.id}}` / `{{REF.secret}}`
 * replaced by the keys just made.
 */
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { seedAws } from '../devkit/aws-seed.js';
import type { MotoServer } from '../devkit/moto.js';
import { KEY_TEMPLATE, type SandboxFile } from './sandbox-file.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SeededSandbox {
  accountId: string;
  region: string;
  /** The bot's own key: it may only assume the roles. */
  botCredentials: KeyPair;
  /** What the page's AWS panel reads and acts with: an administrator, as a console user would be. */
  consoleCredentials: KeyPair;
  /** The keys the file made, by ref. */
  keys: Map<string, KeyPair & { userName: string }>;
}

/** Seeds moto (started with a movable clock, at offset 0) from a validated sandbox file. */
export async function seedSandbox(moto: MotoServer, file: SandboxFile): Promise<SeededSandbox> {
  const { region } = file.aws;
  const seeded = await seedAws(
    moto.url,
    { bot: {}, roles: file.aws.roles.map((r) => ({ name: r.name, policy: r.policy })) },
    region,
  );
  const admin = {
    region,
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  };
  const iam = new IAMClient(admin);
  const sm = new SecretsManagerClient(admin);
  const keys = new Map<string, KeyPair & { userName: string }>();
  try {
    const consoleCredentials = await createConsoleUser(iam);
    for (const user of file.aws.users) {
      await iam.send(new CreateUserCommand({ UserName: user.name }));
      for (const key of user.keys) {
        await moto.setClockOffset(-key.age_days * DAY);
        const made = await iam.send(new CreateAccessKeyCommand({ UserName: user.name }));
        const pair = {
          userName: user.name,
          accessKeyId: made.AccessKey!.AccessKeyId!,
          secretAccessKey: made.AccessKey!.SecretAccessKey!,
        };
        keys.set(key.ref, pair);
        if (key.last_used_hours_ago !== undefined) {
          await moto.setClockOffset(-key.last_used_hours_ago * HOUR);
          await useKey(moto.url, region, pair, key.user_agent);
        }
        if (!key.active) {
          await iam.send(
            new UpdateAccessKeyCommand({
              UserName: user.name,
              AccessKeyId: pair.accessKeyId,
              Status: 'Inactive',
            }),
          );
        }
      }
    }
    await moto.setClockOffset(0);
    for (const secret of file.aws.secrets) {
      const text = typeof secret.value === 'string' ? secret.value : JSON.stringify(secret.value, null, 2);
      const fill = (t: string) =>
        t.replace(KEY_TEMPLATE, (_, ref: string, part: 'id' | 'secret') => {
          const pair = keys.get(ref)!; // sandbox-file validation guarantees the ref exists
          return part === 'id' ? pair.accessKeyId : pair.secretAccessKey;
        });
      await sm.send(
        new CreateSecretCommand({
          Name: secret.name,
          Description: secret.description,
          SecretString: fill(text),
          ...(secret.tags
            ? { Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value: fill(Value) })) }
            : {}),
        }),
      );
    }
    return {
      accountId: seeded.accountId,
      region,
      botCredentials: seeded.botCredentials!,
      consoleCredentials,
      keys,
    };
  } finally {
    await moto.setClockOffset(0);
    iam.destroy();
    sm.destroy();
  }
}

/** An administrator for the page's AWS panel (moto accepts any key, but this one is real). */
async function createConsoleUser(iam: IAMClient): Promise<KeyPair> {
  const userName = 'sandbox-console';
  await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: 'administrator',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
}

/**
 * Makes one call signed with `pair`, as a consumer of the key would: moto then records the key
 * as last used now (in moto's clock), and its CloudTrail history records the call with
 * `userAgent` (the consumer's tool; default the SDK's own). Returns the ARN the call ran as.
 */
export async function useKey(
  endpoint: string,
  region: string,
  pair: KeyPair,
  userAgent?: string,
): Promise<string> {
  const sts = new STSClient({
    region,
    endpoint,
    credentials: { accessKeyId: pair.accessKeyId, secretAccessKey: pair.secretAccessKey },
    maxAttempts: 1,
  });
  if (userAgent) {
    sts.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['user-agent'] = userAgent;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'consumerUserAgent' },
    );
  }
  try {
    const who = await sts.send(new GetCallerIdentityCommand({}));
    return who.Arn ?? '';
  } finally {
    sts.destroy();
  }
}
