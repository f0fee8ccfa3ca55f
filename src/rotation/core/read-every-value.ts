/**
 * The one place the rules of a full read of an account live: every secret the role can list,
 * read 20 at a time with BatchGetSecretValue, and every String and SecureString parameter under
 * `/` (GetParametersByPath, decrypted), paced and within the scan's limits.
 */
import {
  BatchGetSecretValueCommand,
  paginateListSecrets,
  type SecretListEntry,
} from '@aws-sdk/client-secrets-manager';
import { paginateGetParametersByPath } from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import { createPacer, type Pacer } from '../../scheduling/pacer.js';
import { type LocateClients, type LocateProgress, parameterOf, parameterPlace } from './place-names.js';
import { emptyCount, unreadable } from './place-search.js';
import type { LocatedSecret, ScanLimits, SearchCount } from './rotation.js';

export interface ScanOptions {
  limits: ScanLimits;
  now: number;
  /** Secret values read at once (each a BatchGetSecretValue of 20); default 2. */
  concurrency?: number;
  onProgress?: (progress: LocateProgress) => void;
  /** Tag what is found (default true). */
  tag?: boolean;
  /**
   * Secrets not to read (guarded for reveals, on the name and tags ListSecrets returned): counted
   * as not read, so the search says it is incomplete. The ordinary session's policy denies them too.
   */
  notRead?: (secret: { name: string; tags?: Array<{ Key?: string; Value?: string }> }) => boolean;
  /** Test hook: a pacer instead of one built from `limits.callsPerSecond`. */
  pacer?: Pacer;
}

/** Secrets Manager's limit for one BatchGetSecretValue: 20 secrets. */
export const BATCH_SIZE = 20;

/** One value the walk read: a secret (by name, with its tags from the listing) or a parameter. */
export interface ReadValue {
  /** The place name: a secret's name, or `ssm:` and a parameter's name. */
  place: string;
  kind: 'secret' | 'parameter';
  /** What TagResource / AddTagsToResource take: a secret's ARN (or name), a parameter's name. */
  id: string;
  arn?: string;
  text: string;
  /** A secret's tags as ListSecrets gave them; undefined for a parameter (GetParametersByPath has none). */
  tags?: Array<{ Key?: string; Value?: string }>;
  parameter?: LocatedSecret['parameter'];
}

/**
 * Reads every secret the role can list (20 a BatchGetSecretValue) and every String and
 * SecureString parameter under `/` (GetParametersByPath, decrypted, 10 a page), within `limits`,
 * and hands each value to `visit`. Counts what it listed, read and could not read, and whether it
 * stopped at a limit. The one place the rules of a full read of an account live: the rotation's
 * full scan and the account index both walk with it.
 */
export async function readEveryValue(
  clients: LocateClients,
  options: Omit<ScanOptions, 'tag'>,
  visit: (value: ReadValue) => void,
  progress: LocateProgress = { listed: 0, listingDone: false, read: 0, parametersRead: 0, found: 0 },
): Promise<{ secrets: SearchCount; parameters: SearchCount }> {
  const { limits } = options;
  const pacer = options.pacer ?? createPacer(limits.callsPerSecond);
  const report = (): void => options.onProgress?.({ ...progress });
  const secrets = emptyCount();
  const parameters = emptyCount();

  // 1. Secrets: names and tags (no values), then the values 20 at a time.
  const listed: SecretListEntry[] = [];
  try {
    // Every request waits for the pacer: the first here, each next page at the end of the loop's
    // body (the paginator sends it as soon as the body is done, and only when there is a token).
    await pacer.wait();
    for await (const page of paginateListSecrets({ client: clients.secretsManager }, { MaxResults: 100 })) {
      for (const s of page.SecretList ?? []) if (s.Name) listed.push(s);
      const nextToken = page.NextToken;
      progress.listed = listed.length;
      if (listed.length > limits.maxSecrets || (listed.length === limits.maxSecrets && nextToken)) {
        secrets.capped = true;
        listed.length = limits.maxSecrets;
      }
      report();
      if (secrets.capped) break;
      if (nextToken) await pacer.wait();
    }
  } catch (err) {
    if (classifyAwsError(err) !== 'access_denied') throw err;
    secrets.denied = 'secretsmanager:ListSecrets';
  }
  progress.listingDone = true;
  secrets.listed = listed.length;
  report();

  const byId = new Map(listed.map((s) => [s.ARN ?? s.Name!, s]));
  const notRead = options.notRead;
  const toRead = notRead
    ? listed.filter((s) => {
        const skip = notRead({ name: s.Name!, ...(s.Tags ? { tags: s.Tags } : {}) });
        if (skip) unreadable(secrets, s.Name!);
        return !skip;
      })
    : listed;
  const batches: SecretListEntry[][] = [];
  for (let i = 0; i < toRead.length; i += BATCH_SIZE) batches.push(toRead.slice(i, i + BATCH_SIZE));
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (next < batches.length && failed === undefined && secrets.denied === undefined) {
      const batch = batches[next++]!;
      await pacer.wait();
      let res;
      try {
        res = await clients.secretsManager.send(
          new BatchGetSecretValueCommand({ SecretIdList: batch.map((s) => s.ARN ?? s.Name!) }),
        );
      } catch (err) {
        if (classifyAwsError(err) === 'access_denied') secrets.denied = 'secretsmanager:BatchGetSecretValue';
        else failed = err;
        return;
      }
      for (const v of res.SecretValues ?? []) {
        const entry = byId.get(v.ARN ?? '') ?? listed.find((s) => s.Name === v.Name);
        const name = v.Name ?? entry?.Name ?? '';
        if (v.SecretString === undefined) {
          unreadable(secrets, name);
          continue;
        }
        secrets.read++;
        visit({
          place: name,
          kind: 'secret',
          id: v.ARN ?? name,
          ...(v.ARN ? { arn: v.ARN } : {}),
          text: v.SecretString,
          ...(entry?.Tags ? { tags: entry.Tags } : {}),
        });
      }
      for (const e of res.Errors ?? []) {
        // Deleted since it was listed: nothing to search. Anything else (AccessDeniedException,
        // DecryptionFailure, …) is a secret that could hold a key and was not read.
        if (e.ErrorCode === 'ResourceNotFoundException') continue;
        unreadable(secrets, byId.get(e.SecretId ?? '')?.Name ?? e.SecretId ?? '?');
      }
      progress.read = secrets.read + secrets.unreadableCount;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, batches.length) }, worker));
  if (failed !== undefined) throw failed;
  // Denied as a whole: nothing was read, and the denial says why.
  if (secrets.denied === 'secretsmanager:BatchGetSecretValue') secrets.read = 0;

  // 2. Parameters: every hierarchy under "/", values decrypted, 10 a page.
  try {
    await pacer.wait(); // and before each next page, as for the secrets
    const pages = paginateGetParametersByPath(
      { client: clients.ssm },
      { Path: '/', Recursive: true, WithDecryption: true, MaxResults: 10 },
    );
    for await (const page of pages) {
      for (const p of page.Parameters ?? []) {
        if (!p.Name || p.Type === 'StringList') continue;
        parameters.listed++;
        const place = parameterPlace(p.Name);
        if (p.Value === undefined) {
          unreadable(parameters, place);
          continue;
        }
        parameters.read++;
        visit({ place, kind: 'parameter', id: p.Name, text: p.Value, parameter: parameterOf(p) });
      }
      const nextToken = page.NextToken;
      progress.parametersRead = parameters.read;
      // A page may take the count past the limit: what was read is still searched, and counted.
      if (parameters.listed >= limits.maxParameters && nextToken) parameters.capped = true;
      report();
      if (parameters.capped) break;
      if (nextToken) await pacer.wait();
    }
  } catch (err) {
    if (classifyAwsError(err) === 'access_denied') parameters.denied = 'ssm:GetParametersByPath';
    else throw err;
  }
  return { secrets, parameters };
}
