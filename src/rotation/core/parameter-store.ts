/**
 * Parameter Store places of a rotation: writing the new pair into a String or SecureString
 * parameter, reading it back after a crash, and putting the previous value back on cancel, with
 * the same guarantees as for secrets (aws-steps.ts):
 *
 * - **One write per retry.** PutParameter has no idempotency token, so before writing, the
 *   parameter's current value is read: a resumed attempt whose key is already there writes
 *   nothing. A new attempt always starts from a value that still holds the old key.
 * - **Type and KMS key kept.** PutParameter with `Overwrite` re-encrypts a SecureString with the
 *   account's default key unless it is given one ("If you don't specify a key ID, the system uses
 *   the default key", API reference), so the write names the parameter's own type, KMS key,
 *   tier and data type, read with DescribeParameters just before.
 * - **Cancel restores the previous value** from GetParameterHistory: locksmith's write is the
 *   version right after the last one holding the old key, equal to it with the key swapped; if
 *   that write is still current, the old value is written back as a new version. A parameter
 *   someone changed since is left alone and named.
 *
 * Values only pass through memory; nothing here logs or keeps one.
 */
import {
  DescribeParametersCommand,
  GetParameterCommand,
  type ParameterHistory,
  type ParameterMetadata,
  paginateGetParameterHistory,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import {
  findKeyInSecret,
  type KeyLayout,
  type KeyPair,
  readPairFromSecret,
  replaceKeyInSecret,
} from './key-places.js';
import type { RestoreOutcome } from './rotation.js';

/** A parameter's current value and version (GetParameter, decrypted). */
export interface ParameterValue {
  value: string;
  version: number;
  type: string;
}

/** The current value, or undefined when the parameter no longer exists. Other errors are thrown. */
export async function readParameter(ssm: SSMClient, name: string): Promise<ParameterValue | undefined> {
  try {
    const res = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const p = res.Parameter;
    if (!p || p.Value === undefined) return undefined;
    return { value: p.Value, version: p.Version ?? 0, type: p.Type ?? 'String' };
  } catch (err) {
    if (isParameterNotFound(err)) return undefined;
    throw err;
  }
}

function isParameterNotFound(err: unknown): boolean {
  return (err as { name?: string }).name === 'ParameterNotFound' || classifyAwsError(err) === 'not_found';
}

async function metadataOf(ssm: SSMClient, name: string): Promise<ParameterMetadata | undefined> {
  const res = await ssm.send(
    new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] }),
  );
  return res.Parameters?.find((p) => p.Name === name);
}

/**
 * Writes `text` as the parameter's new value, keeping its type, KMS key, tier, data type and
 * description.
 * Returns the new version number.
 */
export async function putParameterKeeping(
  ssm: SSMClient,
  name: string,
  text: string,
  /**
   * The client that reads the parameter's metadata (DescribeParameters, no value), when `ssm` is
   * a session scoped to the one parameter, which cannot (DescribeParameters has no resource).
   */
  describeWith: SSMClient = ssm,
): Promise<number> {
  const meta = await metadataOf(describeWith, name);
  const type = meta?.Type === 'SecureString' ? 'SecureString' : 'String';
  const res = await ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: text,
      Type: type,
      Overwrite: true,
      ...(type === 'SecureString' && meta?.KeyId ? { KeyId: meta.KeyId } : {}),
      ...(meta?.Tier ? { Tier: meta.Tier } : {}),
      ...(meta?.DataType ? { DataType: meta.DataType } : {}),
      ...(meta?.Description ? { Description: meta.Description } : {}),
    }),
  );
  return res.Version ?? 0;
}

/** Every version of a parameter, oldest first, values decrypted. */
export async function parameterHistory(
  ssm: SSMClient,
  name: string,
): Promise<ParameterHistory[] | undefined> {
  const versions: ParameterHistory[] = [];
  try {
    const pages = paginateGetParameterHistory(
      { client: ssm },
      { Name: name, WithDecryption: true, MaxResults: 50 },
    );
    for await (const page of pages) versions.push(...(page.Parameters ?? []));
  } catch (err) {
    if (isParameterNotFound(err)) return undefined;
    throw err;
  }
  return versions.sort((a, b) => (a.Version ?? 0) - (b.Version ?? 0));
}

/**
 * The key pair in a value: with the layout when known, else by looking for one of `keyIds`
 * (the keys a crashed attempt may have made) in an editable place of the value.
 */
export function pairIn(
  text: string,
  layout: KeyLayout | undefined,
  keyIds: readonly string[],
): KeyPair | undefined {
  if (layout) return readPairFromSecret(text, layout);
  for (const id of keyIds) {
    const found = findKeyInSecret(text, id);
    if (found.found && found.updatable) return readPairFromSecret(text, found.layout);
  }
  return undefined;
}

/**
 * Whether `after` is `before` with the old key swapped for another pair in the same places:
 * the write a rotation makes. Returns that pair's key id, or undefined.
 */
function swappedKey(
  before: string,
  after: string,
  oldKeyId: string,
  layout: KeyLayout | undefined,
): string | undefined {
  const search = layout ? undefined : findKeyInSecret(before, oldKeyId);
  const used = layout ?? (search?.found && search.updatable ? search.layout : undefined);
  if (!used) return undefined;
  const pair = readPairFromSecret(after, used);
  if (!pair || pair.accessKeyId === oldKeyId) return undefined;
  try {
    return replaceKeyInSecret(before, used, oldKeyId, pair) === after ? pair.accessKeyId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts a parameter back on the value it had before this rotation wrote the new key into it.
 * Safe to repeat: a value already back is `restored`, one never written `unchanged`.
 */
export async function restoreParameter(
  ssm: SSMClient,
  name: string,
  oldKeyId: string,
  layout: KeyLayout | undefined,
  onWrite: () => Promise<void>,
  describeWith: SSMClient = ssm,
): Promise<RestoreOutcome> {
  const versions = await parameterHistory(ssm, name);
  if (!versions) return 'gone';
  let ours = -1;
  for (let i = versions.length - 2; i >= 0; i--) {
    const before = versions[i]!.Value ?? '';
    const after = versions[i + 1]!.Value ?? '';
    if (before.includes(oldKeyId) && swappedKey(before, after, oldKeyId, layout)) {
      ours = i + 1;
      break;
    }
  }
  if (ours < 0) return 'unchanged';
  const previous = versions[ours - 1]!.Value ?? '';
  const current = versions[versions.length - 1]!;
  if (ours === versions.length - 1) {
    await putParameterKeeping(ssm, name, previous, describeWith);
    await onWrite();
    return 'restored';
  }
  // Something came after locksmith's write: locksmith's own restore, or someone else's change.
  return current.Value === previous ? 'restored' : 'changed-since';
}
