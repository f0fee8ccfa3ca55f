/** The rotation feature's public face: key facts, the pure workflow, the runner. */
export {
  type AccessKeyData,
  type AccessKeyLastUsedData,
  type KeyFact,
  type KeyFactOptions,
  keyFacts,
  type KeyVerdict,
  type LastUse,
  lastUseOf,
  verdictFor,
} from './key-facts.js';
export {
  displayFields,
  findKeyInSecret,
  type KeyLayout,
  type KeyPair,
  type KeySearch,
  readPairFromSecret,
  replaceKeyInSecret,
} from './key-places.js';
export {
  KEY_TAG,
  type LocateProgress,
  locateByTag,
  parameterNameOf,
  parameterPlace,
  scanPlaces,
} from './locate.js';
export { secretWriteToken } from './request-token.js';
export * from './workflow/index.js';
export { inspectKeys } from './key-steps.js';
export { RotationStepError } from './step-context.js';
export {
  createRotationRunner,
  type FaultHook,
  type RotationClients,
  type RotationLogger,
  type RotationRunner,
  type RotationRunnerDeps,
  type RunOptions,
  type RunOutcome,
  type RunResult,
  type StartInput,
} from './runner.js';
