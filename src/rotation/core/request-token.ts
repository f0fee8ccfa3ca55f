/**
 * ClientRequestTokens for PutSecretValue, derived from the rotation so that a retry of the same
 * write sends the same token. Secrets Manager ignores a PutSecretValue whose token names an
 * existing version with the same value, and refuses one with a different value; either way no
 * second version appears. The token becomes the new version's VersionId, which is how recovery
 * finds what an interrupted attempt already wrote.
 */
import { createHash } from 'node:crypto';

/**
 * A UUID-shaped token (version nibble 8, "custom", RFC 9562) from a SHA-256 of the rotation id,
 * the create attempt and the secret name. Deterministic; different for every attempt, so a new
 * key made after a lost one gets new versions rather than colliding with the old tokens.
 */
export function secretWriteToken(rotationId: string, attempt: number, secretName: string): string {
  const hash = createHash('sha256')
    .update(`locksmith/rotation\u0000${rotationId}\u0000${attempt}\u0000${secretName}`)
    .digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Every token a rotation may have written into one secret, attempts 1..`upTo`. */
export function secretWriteTokens(rotationId: string, upTo: number, secretName: string): string[] {
  const tokens: string[] = [];
  for (let attempt = 1; attempt <= upTo; attempt++) {
    tokens.push(secretWriteToken(rotationId, attempt, secretName));
  }
  return tokens;
}
