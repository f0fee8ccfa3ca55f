/**
 * What every AWS step of a rotation runs with: the clients, the clock reading, the config, the
 * fault hook the crash tests use, and the one place where an AWS error becomes the sentence the
 * person reads ({@link stepError}). Knows nothing of the store or of Slack.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import { isUserError } from '../../core/errors.js';
import type { LocateProgress, RememberedPlace } from './locate.js';
import type { Intent, RememberedHome, Rotation, RotationConfig, SecretPlace } from './rotation.js';

/** The clients a rotation needs; a PersonSession's `clients` fits. */
export interface RotationClients {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/**
 * Called after every AWS write and every save, named by what just happened
 * (`aws:CreateAccessKey`, `aws:PutSecretValue:<secret>`, `saved:<state>`…). Production passes
 * nothing; the crash tests throw from it to stop a runner at that exact point.
 */
export type FaultHook = (point: string) => void | Promise<void>;

export interface StepContext {
  clients: RotationClients;
  now: number;
  config: RotationConfig;
  fault: FaultHook;
  locateConcurrency: number;
  onProgress?: (progress: LocateProgress) => void;
  /**
   * Whether a place found is guarded, on its canonical name (and tags) as AWS returned them
   * (see SecretPlace.guarded). Without it nothing is guarded.
   */
  isGuarded?: (place: { name: string; tags?: Array<{ Key?: string; Value?: string }> }) => boolean;
  /** Whether the full scan leaves a secret unread (guarded for reveals); see ScanOptions.notRead. */
  isReadGuarded?: (place: { name: string; tags?: Array<{ Key?: string; Value?: string }> }) => boolean;
  /**
   * The clients for reading and writing one guarded place: a session scoped to it (an approved
   * edit's). Without it the step's own clients are used.
   */
  clientsForPlace?: (place: SecretPlace) => Promise<RotationClients>;
  /** What the record of where the key lives says (read by the runner before a locate). */
  remembered?: { places: RememberedPlace[]; home: RememberedHome };
  /**
   * Saves facts about the step in flight into its intent (a compare-and-set of the record), so
   * that a process that dies mid-step leaves them for the one that resumes or cancels it.
   */
  checkpoint?: (facts: Pick<Intent, 'keysBefore' | 'createdKeyId'>) => Promise<void>;
}

/** A step failed for a reason the person can read (never a value, never a stack). */
export class RotationStepError extends Error {
  readonly code = 'rotation_step_failed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RotationStepError';
  }
}

// ---------------------------------------------------------------------------------------------
// Create and distribute

/**
 * The step context for one place: a guarded place is read and written under a session scoped
 * to it (the ordinary session's policy denies it); tags and everything else stay on the step's own.
 */
export async function forPlace(place: SecretPlace | undefined, sc: StepContext): Promise<StepContext> {
  if (!place?.guarded || !sc.clientsForPlace) return sc;
  return { ...sc, clients: await sc.clientsForPlace(place) };
}

export async function awsCall<T>(
  rotation: Rotation | undefined,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw stepError(err, rotation, what);
  }
}

/** A sentence for the person; the AWS error stays as `cause` for the log. */
export function stepError(err: unknown, rotation: Rotation | undefined, what: string): Error {
  if (err instanceof RotationStepError) return err;
  const role = rotation ? ` (role ${rotation.role.name})` : '';
  switch (classifyAwsError(err)) {
    case 'access_denied':
      return new RotationStepError(`IAM did not allow locksmith to ${what}${role}.`, { cause: err });
    case 'throttled':
      return new RotationStepError(`AWS is throttling requests; could not ${what}. It is retried later.`, {
        cause: err,
      });
    case 'unavailable':
      return new RotationStepError(`AWS could not be reached to ${what}. It is retried later.`, {
        cause: err,
      });
    case 'not_found':
      return new RotationStepError(`Could not ${what}: it does not exist (any more).`, { cause: err });
    default: {
      const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : 'error';
      return new RotationStepError(`Could not ${what} (${name}).`, { cause: err });
    }
  }
}

/** An error's name for a log line (never its message: AWS error texts can echo request data). */
export function errName(err: unknown): string {
  return err instanceof Error ? err.name : err === undefined ? 'none' : typeof err;
}

/** The person-facing sentence for a failed step (RotationStepError and UserError are written for people). */
export function messageOf(err: unknown): string {
  if (err instanceof Error && (err.name === 'RotationStepError' || isUserError(err))) return err.message;
  return 'Something went wrong on locksmith’s side during this step; it is retried later.';
}
