/** CloudTrail look-ups: who read or changed a secret, who still uses an access key. */
export {
  actorOf,
  type Actor,
  type CloudTrailRecord,
  type CloudTrailUserIdentity,
  type LookupEvent,
  parseCloudTrailRecord,
  parseLookupEvent,
  type TrailEvent,
} from './cloudtrail-record.js';
export { createTrailRateLimiter, type TrailRateLimiter } from './rate-limit.js';
export {
  createTrailService,
  HISTORY_DAYS,
  type StreamResult,
  type TrailAnswer,
  type TrailQuery,
  type TrailService,
  type TrailTarget,
  trailError,
} from './trail-service.js';
export { type Agent, classifyUserAgent, describeAgent, type Via } from './user-agent.js';
export { type KeyCaller, type KeyUsage, groupCallers, keyUsage } from './key-callers.js';
export { blindSpots, buildKeyCallersBlocks, buildKeyEvidenceLine } from './key-callers-blocks.js';
export { eventNamesSecret, namesSecret, type SecretTrail, whoTouchedSecret } from './secret-who.js';
