/**
 * How the places that hold keys are named and tagged: a parameter's place name is `ssm:` and
 * its own name; locksmith tags every place it found or wrote a key in with
 * `locksmith:access-key-id` = the key id, so the next rotation finds it without reading a value.
 */
import { AddTagsToResourceCommand, type ParameterMetadata, type SSMClient } from '@aws-sdk/client-ssm';
import { type SecretsManagerClient, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { classifyAwsError } from '../../aws/aws-errors.js';
import type { KeyLayout } from './key-places.js';
import type { LocatedSecret } from './rotation.js';

/** The tag locksmith keeps on every secret and parameter it found or wrote a key in. */
export const KEY_TAG = 'locksmith:access-key-id';
/** How a parameter's place name starts: `ssm:/team/ci/aws`. */
export const PARAMETER_PREFIX = 'ssm:';

/** The clients a locate needs (a person's session, or the background role). */
export interface LocateClients {
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/** A parameter's place name, `ssm:` and its own name. */
export function parameterPlace(name: string): string {
  return `${PARAMETER_PREFIX}${name}`;
}

/** The parameter name of a place, or undefined for a secret. */
export function parameterNameOf(place: string): string | undefined {
  return place.startsWith(PARAMETER_PREFIX) ? place.slice(PARAMETER_PREFIX.length) : undefined;
}

export interface LocateProgress {
  /** Secrets listed so far (the total once listing is done). */
  listed: number;
  listingDone: boolean;
  /** Secret values read (or counted unreadable) so far. */
  read: number;
  /** Parameters read so far. */
  parametersRead: number;
  found: number;
}

/** A place remembered from an earlier rotation of the same user (key-homes.ts). */
export interface RememberedPlace {
  name: string;
  layout?: KeyLayout;
}

export const hasTag = (tags: Array<{ Key?: string; Value?: string }> | undefined, keyId: string): boolean =>
  (tags ?? []).some((t) => t.Key === KEY_TAG && t.Value === keyId);

export function parameterOf(meta: Pick<ParameterMetadata, 'Type' | 'KeyId'>): LocatedSecret['parameter'] {
  const type = meta.Type === 'SecureString' ? 'SecureString' : 'String';
  return { type, ...(type === 'SecureString' && meta.KeyId ? { keyId: meta.KeyId } : {}) };
}

/**
 * Sets `locksmith:access-key-id` = `keyId` on a secret (by name or ARN) or a parameter (by its
 * own name). Returns why it could not, or undefined. Tagging is bookkeeping: a denial does not
 * stop a rotation, it only means the next one may not find the place by tag.
 */
export async function tagPlace(
  clients: LocateClients,
  kind: 'secret' | 'parameter',
  id: string,
  keyId: string,
): Promise<string | undefined> {
  try {
    if (kind === 'secret') {
      await clients.secretsManager.send(
        new TagResourceCommand({ SecretId: id, Tags: [{ Key: KEY_TAG, Value: keyId }] }),
      );
    } else {
      await clients.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: id,
          Tags: [{ Key: KEY_TAG, Value: keyId }],
        }),
      );
    }
    return undefined;
  } catch (err) {
    switch (classifyAwsError(err)) {
      case 'access_denied':
        return kind === 'secret'
          ? 'IAM denied secretsmanager:TagResource'
          : 'IAM denied ssm:AddTagsToResource';
      case 'not_found':
        return 'it no longer exists';
      case 'other':
        return (err as { name?: string }).name ?? 'error';
      default:
        throw err;
    }
  }
}
