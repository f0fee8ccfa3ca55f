/**
 * The sandbox page's view of AWS, as an operator's console would show it: IAM users and their
 * keys (age, status, last use), secrets and their versions with the key ids they hold, and
 * "use key": one call signed with a key, as the key's consumer would make it.
 */
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../src/core/clock.js';
import { type KeyPair, useKey } from './seed-sandbox.js';

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
const SECRET_KEY = /^[A-Za-z0-9/+=]{40}$/;
/** Users that are part of the set-up, not things to rotate. */
const INFRASTRUCTURE_USERS = new Set(['locksmith-bot', 'sandbox-console']);

export interface ConsoleKey {
  accessKeyId: string;
  status: string;
  createdAt: string;
  ageDays: number;
  lastUsedAt?: string;
  lastUsedService?: string;
  /** The sandbox knows the key's secret (it made it, or found it in a secret): "use key" works. */
  usable: boolean;
}

export interface ConsoleSnapshot {
  users: Array<{ name: string; about: string; keys: ConsoleKey[] }>;
  secrets: Array<{
    name: string;
    versions: Array<{ id: string; stages: string[]; createdAt?: string; keyIds: string[] }>;
  }>;
}

/** Thrown for a "use key" the sandbox cannot make; the message is shown on the page. */
export class ConsoleError extends Error {}

export interface AwsConsoleOptions {
  endpoint: string;
  region: string;
  credentials: KeyPair;
  clock: Clock;
  /** Keys the sandbox made, by id. */
  knownKeys: Iterable<KeyPair>;
  /** One line per IAM user, from the sandbox file. */
  about: Record<string, string>;
}

export class AwsConsole {
  private readonly iam: IAMClient;
  private readonly sm: SecretsManagerClient;
  /** Key pairs by id: made by the sandbox, or read from a secret version (versions never change). */
  private readonly pairs = new Map<string, KeyPair>();
  private readonly scannedVersions = new Map<string, string[]>();

  constructor(private readonly options: AwsConsoleOptions) {
    const config = { region: options.region, endpoint: options.endpoint, credentials: options.credentials };
    this.iam = new IAMClient(config);
    this.sm = new SecretsManagerClient(config);
    for (const pair of options.knownKeys) this.pairs.set(pair.accessKeyId, pair);
  }

  async snapshot(): Promise<ConsoleSnapshot> {
    const secrets = await this.secrets();
    const users = await this.users();
    return { users, secrets };
  }

  private async users(): Promise<ConsoleSnapshot['users']> {
    const listed = await this.iam.send(new ListUsersCommand({}));
    const names = (listed.Users ?? [])
      .map((u) => u.UserName ?? '')
      .filter((n) => n !== '' && !INFRASTRUCTURE_USERS.has(n))
      .sort();
    return Promise.all(
      names.map(async (name) => {
        const keys = await this.iam.send(new ListAccessKeysCommand({ UserName: name }));
        const described = await Promise.all(
          (keys.AccessKeyMetadata ?? []).map(async (k): Promise<ConsoleKey> => {
            const id = k.AccessKeyId ?? '';
            const used = await this.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
            const created = k.CreateDate ?? new Date(0);
            const key: ConsoleKey = {
              accessKeyId: id,
              status: k.Status ?? 'Unknown',
              createdAt: created.toISOString(),
              ageDays: Math.max(0, Math.floor((this.options.clock.now() - created.getTime()) / 86_400_000)),
              usable: this.pairs.has(id),
            };
            const last = used.AccessKeyLastUsed;
            if (last?.LastUsedDate) {
              key.lastUsedAt = last.LastUsedDate.toISOString();
              key.lastUsedService = last.ServiceName ?? '';
            }
            return key;
          }),
        );
        return { name, about: this.options.about[name] ?? '', keys: described };
      }),
    );
  }

  private async secrets(): Promise<ConsoleSnapshot['secrets']> {
    const listed = await this.sm.send(new ListSecretsCommand({ MaxResults: 100 }));
    const names = (listed.SecretList ?? [])
      .map((s) => s.Name ?? '')
      .filter(Boolean)
      .sort();
    return Promise.all(
      names.map(async (name) => {
        const versions = await this.sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
        const described = await Promise.all(
          (versions.Versions ?? []).map(async (v) => {
            const id = v.VersionId ?? '';
            const version: ConsoleSnapshot['secrets'][number]['versions'][number] = {
              id,
              stages: v.VersionStages ?? [],
              keyIds: await this.keyIdsIn(name, id),
            };
            if (v.CreatedDate) version.createdAt = v.CreatedDate.toISOString();
            return version;
          }),
        );
        described.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
        return { name, versions: described };
      }),
    );
  }

  /** The access key ids in one secret version; pairs found there become usable keys. */
  private async keyIdsIn(secretId: string, versionId: string): Promise<string[]> {
    const cached = this.scannedVersions.get(versionId);
    if (cached) return cached;
    const value = await this.sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
    const text = value.SecretString ?? '';
    const ids = [...new Set(text.match(ACCESS_KEY_ID) ?? [])];
    for (const pair of pairsIn(text)) this.pairs.set(pair.accessKeyId, pair);
    this.scannedVersions.set(versionId, ids);
    return ids;
  }

  /**
   * One call signed with the key, as its consumer would make it. An inactive key is refused
   * here as AWS refuses it (moto would let it through), so the page shows what a consumer still
   * on the old key would see after deactivation.
   */
  async useKey(accessKeyId: string): Promise<string> {
    const pair = this.pairs.get(accessKeyId);
    if (!pair) throw new ConsoleError(`The sandbox does not know the secret of ${accessKeyId}.`);
    const snapshot = await this.users();
    const key = snapshot.flatMap((u) => u.keys).find((k) => k.accessKeyId === accessKeyId);
    if (!key) throw new ConsoleError(`${accessKeyId} no longer exists: AWS answers InvalidClientTokenId.`);
    if (key.status !== 'Active')
      throw new ConsoleError(`${accessKeyId} is inactive: AWS answers InvalidClientTokenId.`);
    return useKey(this.options.endpoint, this.options.region, pair);
  }

  close(): void {
    this.iam.destroy();
    this.sm.destroy();
  }
}

/** Key pairs in a secret's text: a JSON object with an id and a 40-character secret, or `ID:SECRET`. */
export function pairsIn(text: string): KeyPair[] {
  const found: KeyPair[] = [];
  const plain = /^((?:AKIA|ASIA)[A-Z0-9]{16})[:\n]([A-Za-z0-9/+=]{40})$/.exec(text.trim());
  if (plain) found.push({ accessKeyId: plain[1]!, secretAccessKey: plain[2]! });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return found;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const values = Object.values(parsed).filter((v): v is string => typeof v === 'string');
    const id = values.find((v) => /^(?:AKIA|ASIA)[A-Z0-9]{16}$/.test(v));
    const secrets = values.filter((v) => SECRET_KEY.test(v));
    if (id && secrets.length === 1) found.push({ accessKeyId: id, secretAccessKey: secrets[0]! });
  }
  return found;
}
