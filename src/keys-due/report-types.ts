/** The keys-due report's shapes: its options, sections, lines, failures and progress. */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AccessKeyData, AccessKeyLastUsedData, KeyFact } from '../rotation/core/key-facts.js';
import type { RoleRef, RotationState } from '../rotation/core/rotation.js';
import type { Clock } from '../core/clock.js';
import type { AwsFailure } from '../aws/aws-errors.js';
import type { Store } from '../store/store.js';
import type { IamCallStats, ThrottleRetryOptions } from './throttle.js';

/** The report's sections, in the order they are shown. */
export type KeysDueCategory = 'overdue' | 'two-keys' | 'unused' | 'inactive' | 'rotation-in-progress';

export interface KeysDueOptions {
  /** `rotation.max_key_age_days`: an active key this old (or older) is overdue. */
  maxKeyAgeDays: number;
  /** A never-used active key older than this is listed as unused; default 7. */
  unusedKeyDays?: number;
  /** Users whose keys are read at the same time (= IAM calls in flight); default 4. */
  concurrency?: number;
  /** ListUsers page size (MaxItems, at most 1000); default 1000. */
  pageSize?: number;
  /** This report's own retry of throttled calls, on top of the SDK's. */
  retry?: ThrottleRetryOptions;
  /**
   * `credential-report` (default): IAM's credential report, falling back to `per-user` when the
   * role may not have it. `per-user`: ListUsers and each user's keys, always.
   */
  source?: 'credential-report' | 'per-user';
  /** Pauses while IAM makes the credential report (see fetchCredentialReport). */
  reportPollDelaysMs?: readonly number[];
  /** `rotation.ignore_users`: IAM user-name globs left out of the report. */
  ignoreUsers?: readonly string[];
}

/** Where the report's key data came from. */
export type KeysDueSource =
  | {
      kind: 'credential-report';
      /** IAM's GeneratedTime (epoch ms): the data is as of then. */
      generatedAt: number;
    }
  | {
      kind: 'per-user';
      /** Why the credential report was not used, when it was tried: a sentence for the person. */
      fallbackReason?: string;
    };

/**
 * A key as the report knows it. From the credential report there is no key id, only the key's
 * slot (IAM's "access key 1" and "access key 2"); the per-user path has the id.
 */
export type DueKey = Omit<KeyFact, 'id'> & { id?: string; slot?: 1 | 2 };

/** A rotation record in a state that is not final. */
export interface RotationInProgress {
  id: string;
  userName: string;
  state: RotationState;
  roleName?: string;
  /** Slack id of the person who started it. */
  requestedBy?: string;
  /** Epoch ms. */
  startedAt?: number;
  oldKeyId?: string;
  newKeyId?: string;
}

/** One key in a section: whose it is, its facts, and the rotation already running for the user. */
export interface KeyLine {
  userName: string;
  key: DueKey;
  rotationId?: string;
}

export interface TwoKeysLine {
  userName: string;
  /** Both keys, oldest first. */
  keys: DueKey[];
  rotationId?: string;
}

/** A user whose keys could not be read; not in any section. */
export interface UserFailure {
  userName: string;
  operation: 'ListAccessKeys' | 'GetAccessKeyLastUsed';
  keyId?: string;
  kind: AwsFailure;
  /** The AWS error name (e.g. "AccessDenied"); never the error's own text. */
  errorName: string;
  /** A sentence for the person reading the report. */
  message: string;
}

/** What IAM said about one user's keys (ListAccessKeys, GetAccessKeyLastUsed per key id). */
export interface UserKeysRead {
  userName: string;
  keys: AccessKeyData[];
  lastUsed: Readonly<Record<string, AccessKeyLastUsedData | undefined>>;
}

/** Every user whose keys were read, with the sections they appear in. */
export interface KeysDueUser {
  userName: string;
  /** Oldest first. */
  keys: DueKey[];
  categories: KeysDueCategory[];
  rotationId?: string;
}

/** The report's key sections; see {@link sortKeysDue} for the rules. */
export interface KeysDueSections {
  /** Every user whose keys were read, by name. */
  users: KeysDueUser[];
  /** Active keys at or past the maximum age (not those listed as unused), oldest first. */
  overdue: KeyLine[];
  /** Users with two keys, by name. */
  twoKeys: TwoKeysLine[];
  /** Active keys never used and older than `unusedKeyDays`, oldest first. */
  unused: KeyLine[];
  /** Inactive keys (awaiting deletion), oldest first. */
  inactive: KeyLine[];
}

export interface KeysDueReport extends KeysDueSections {
  /** The injected clock's time the ages were measured at (epoch ms). */
  generatedAt: number;
  /** The credential report (as of when), or each user's keys read one by one (and why). */
  source: KeysDueSource;
  /** The role the report was made under, when the caller named it. */
  account?: { roleName: string; roleArn: string; accountId?: string };
  maxKeyAgeDays: number;
  unusedKeyDays: number;
  /** Rotations not in a final state (for this account, when `role` was given), oldest first. */
  inProgress: RotationInProgress[];
  /** Users whose keys could not be read, by name. */
  failures: UserFailure[];
  /** Users listed by ListUsers but deleted before their keys were read. */
  gone: string[];
  counts: {
    users: number;
    keys: number;
    overdue: number;
    twoKeys: number;
    unused: number;
    inactive: number;
    inProgress: number;
    failures: number;
  };
  /** IAM calls made, and how many were retried (by the SDK, and here). */
  calls: IamCallStats;
  /** Wall time the report took (not the injected clock). */
  durationMs: number;
}

export interface KeysDueProgress {
  phase: 'credential-report' | 'listing-users' | 'reading-keys' | 'done';
  usersListed: number;
  usersRead: number;
  failures: number;
  /** SDK and own retries so far: a rising number means IAM is throttling. */
  retries: number;
}

export interface KeysDueInput {
  /** IAM client of the role the report is for (a PersonSession's `clients.iam`). */
  iam: IAMClient;
  /** Where rotation records are (kind 'rotation'). */
  store: Pick<Store, 'query'>;
  clock: Clock;
  /** The role the client runs under; rotations of other AWS accounts are left out. */
  role?: RoleRef;
  options: KeysDueOptions;
  onProgress?: (progress: KeysDueProgress) => void;
}
