/**
 * Finds the secrets, readable by the person's role, whose current value contains an access key
 * id. Lists every secret (paginated), then reads the values a few at a time: enough to be quick
 * on hundreds of secrets, few enough not to be throttled by Secrets Manager.
 *
 * Values are read into memory, searched and dropped; only names and field names leave here.
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  ListSecretsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { classifyAwsError } from '../aws/aws-errors.js';
import { findKeyInSecret } from './key-places.js';
import type { LocatedSecret } from './rotation.js';

export interface LocateProgress {
  /** Secrets listed so far (the total once listing is done). */
  listed: number;
  listingDone: boolean;
  /** Values read (or skipped as unreadable) so far. */
  read: number;
  found: number;
}

export interface LocateOptions {
  /** GetSecretValue calls in flight at once; default 4. */
  concurrency?: number;
  /** Stop listing after this many secrets; default 5000. */
  maxSecrets?: number;
  onProgress?: (progress: LocateProgress) => void;
}

export interface LocateResult {
  secrets: LocatedSecret[];
  scanned: number;
  /** Secrets the role may list but not read (IAM denied it), or binary ones. */
  unreadable: number;
  /** True when listing stopped at `maxSecrets`. */
  capped: boolean;
}

/**
 * Every readable secret whose current (AWSCURRENT) value contains `keyId`, with where in the
 * value it is (see key-places.ts for the rule). Throws on throttling or an outage (the step is
 * retried); a secret the role cannot read, or one deleted meanwhile, is skipped and counted.
 */
export async function locateKey(
  sm: SecretsManagerClient,
  keyId: string,
  options: LocateOptions = {},
): Promise<LocateResult> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const maxSecrets = options.maxSecrets ?? 5000;
  const progress: LocateProgress = { listed: 0, listingDone: false, read: 0, found: 0 };
  const report = () => options.onProgress?.({ ...progress });

  const listed: Array<{ name: string; arn?: string }> = [];
  let nextToken: string | undefined;
  let capped = false;
  do {
    const page = await sm.send(new ListSecretsCommand({ MaxResults: 100, NextToken: nextToken }));
    for (const s of page.SecretList ?? []) {
      if (s.Name) listed.push({ name: s.Name, ...(s.ARN ? { arn: s.ARN } : {}) });
    }
    nextToken = page.NextToken;
    progress.listed = listed.length;
    if (listed.length >= maxSecrets && nextToken) capped = true;
    report();
  } while (nextToken && !capped);
  progress.listingDone = true;
  report();

  const found: LocatedSecret[] = [];
  let unreadable = 0;
  let next = 0;
  // After one failure the other workers stop taking new secrets: the step fails as a whole.
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < listed.length && !failed) {
      const item = listed[next++]!;
      let res: GetSecretValueCommandOutput | undefined;
      try {
        res = await sm.send(
          new GetSecretValueCommand({ SecretId: item.arn ?? item.name, VersionStage: 'AWSCURRENT' }),
        );
      } catch (err) {
        const kind = classifyAwsError(err);
        if (kind === 'access_denied') unreadable++;
        else if (kind !== 'not_found') {
          failed = true;
          throw err;
        }
      }
      if (res) {
        if (res.SecretString === undefined) unreadable++;
        else {
          const search = findKeyInSecret(res.SecretString, keyId);
          if (search.found) {
            found.push({ name: item.name, ...(item.arn ? { arn: item.arn } : {}), search });
            progress.found++;
          }
        }
      }
      progress.read++;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, listed.length) }, worker));
  found.sort((a, b) => a.name.localeCompare(b.name));
  return { secrets: found, scanned: listed.length, unreadable, capped };
}
