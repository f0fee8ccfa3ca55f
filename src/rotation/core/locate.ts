/**
 * Where an access key is kept: Secrets Manager secrets and Parameter Store parameters.
 *
 * Two searches, because reading every secret in a burst is what credential-harvest detections
 * alert on (Stratus Red Team `secretsmanager-retrieve-secrets`, Panther, Elastic):
 *
 * - {@link locateByTag}, the default: secrets and parameters locksmith tagged
 *   `locksmith:access-key-id` = the key id when it wrote or found the key there, found with
 *   ListSecrets' `tag-value` filter and DescribeParameters' `tag:` filter, plus the places
 *   remembered from earlier rotations of this user. It reads no value at all.
 * - {@link scanPlaces}, the explicit choice: every secret the role can list, read 20 at a time
 *   with BatchGetSecretValue, and every String and SecureString parameter under `/`, read with
 *   GetParametersByPath (decrypted, 10 a page), paced to `scan.callsPerSecond` (the documented
 *   quotas are 100/s for ListSecrets and BatchGetSecretValue and 40/s for Parameter Store); what
 *   it finds is tagged, so the next rotation finds it quietly. It stops at `scan.maxSecrets` and
 *   `scan.maxParameters` and says so: a limit is never silent.
 *
 * Throttling or an outage fails the step (it is retried); a denied listing or read, a binary
 * value or one KMS cannot decrypt is counted and named in the search's record instead.
 *
 * Modules: place-names.ts (names, tags), locate-by-tag.ts, read-every-value.ts (the full walk),
 * scan-places.ts (the full scan and the account index).
 */
export {
  KEY_TAG,
  type LocateClients,
  type LocateProgress,
  PARAMETER_PREFIX,
  parameterNameOf,
  parameterPlace,
  type RememberedPlace,
  tagPlace,
} from './place-names.js';
export { locateByTag } from './locate-by-tag.js';
export { BATCH_SIZE, readEveryValue, type ReadValue, type ScanOptions } from './read-every-value.js';
export { type IndexResult, indexAccount, scanPlaces } from './scan-places.js';
