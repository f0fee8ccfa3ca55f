/**
 * The indexed search, the default: secrets and parameters locksmith tagged with the key id
 * (ListSecrets' `tag-value` filter, DescribeParameters' `tag:` filter) and the places remembered
 * from earlier rotations of this user. It reads no value at all.
 */
import { DescribeSecretCommand, paginateListSecrets } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, paginateDescribeParameters } from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import {
  hasTag,
  KEY_TAG,
  type LocateClients,
  parameterNameOf,
  parameterOf,
  parameterPlace,
  type RememberedPlace,
} from './place-names.js';
import { emptyCount } from './place-search.js';
import type { LocatedSecret, PlaceSearch } from './rotation.js';

/**
 * The indexed search: tagged secrets and parameters and the remembered places, no value read.
 * Remembered places are checked to exist (DescribeSecret, DescribeParameters: metadata only).
 */
export async function locateByTag(
  clients: LocateClients,
  keyId: string,
  remembered: readonly RememberedPlace[],
  now: number,
): Promise<{ secrets: LocatedSecret[]; search: PlaceSearch }> {
  const found = new Map<string, LocatedSecret>();
  const search: PlaceSearch = {
    mode: 'indexed',
    at: now,
    secrets: emptyCount(),
    parameters: emptyCount(),
    tagged: 0,
  };

  // ListSecrets' tag-value filter is a case-sensitive prefix match on any tag's value: keep only
  // secrets whose own locksmith tag holds exactly this key id.
  try {
    const pages = paginateListSecrets(
      { client: clients.secretsManager },
      { MaxResults: 100, Filters: [{ Key: 'tag-value', Values: [keyId] }] },
    );
    for await (const page of pages) {
      for (const s of page.SecretList ?? []) {
        if (!s.Name || !hasTag(s.Tags, keyId)) continue;
        search.secrets.listed++;
        found.set(s.Name, {
          name: s.Name,
          ...(s.ARN ? { arn: s.ARN } : {}),
          found: 'tag',
          ...(s.Tags ? { tags: s.Tags } : {}),
        });
      }
    }
  } catch (err) {
    if (classifyAwsError(err) !== 'access_denied') throw err;
    search.secrets.denied = 'secretsmanager:ListSecrets';
  }

  try {
    const pages = paginateDescribeParameters(
      { client: clients.ssm },
      { MaxResults: 50, ParameterFilters: [{ Key: `tag:${KEY_TAG}`, Values: [keyId] }] },
    );
    for await (const page of pages) {
      for (const p of page.Parameters ?? []) {
        if (!p.Name || p.Type === 'StringList') continue;
        search.parameters.listed++;
        const name = parameterPlace(p.Name);
        found.set(name, { name, found: 'tag', parameter: parameterOf(p) });
      }
    }
  } catch (err) {
    if (classifyAwsError(err) !== 'access_denied') throw err;
    search.parameters.denied = 'ssm:DescribeParameters';
  }

  for (const place of remembered) {
    const existing = found.get(place.name);
    if (existing) {
      if (place.layout) existing.layout = place.layout;
      continue;
    }
    const located = await rememberedPlace(clients, place);
    if (located) found.set(place.name, located);
  }

  search.tagged = found.size;
  const secrets = [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { secrets, search };
}

/** A remembered place as it is now, or undefined when it no longer exists. */
async function rememberedPlace(
  clients: LocateClients,
  place: RememberedPlace,
): Promise<LocatedSecret | undefined> {
  const layout = place.layout ? { layout: place.layout } : {};
  const parameter = parameterNameOf(place.name);
  try {
    if (parameter === undefined) {
      const res = await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: place.name }));
      return {
        name: res.Name ?? place.name,
        ...(res.ARN ? { arn: res.ARN } : {}),
        found: 'remembered',
        ...(res.Tags ? { tags: res.Tags } : {}),
        ...layout,
      };
    }
    const res = await clients.ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [parameter] }],
      }),
    );
    const meta = res.Parameters?.[0];
    if (!meta) return undefined;
    return { name: place.name, found: 'remembered', parameter: parameterOf(meta), ...layout };
  } catch (err) {
    const kind = classifyAwsError(err);
    if (kind === 'not_found') return undefined;
    // Not allowed to look: still offered, the write says what IAM thinks of it.
    if (kind === 'access_denied') {
      return parameter === undefined
        ? { name: place.name, found: 'remembered', ...layout }
        : { name: place.name, found: 'remembered', parameter: { type: 'SecureString' }, ...layout };
    }
    throw err;
  }
}
