/**
 * The keys-due report for one AWS account (the account of the role the IAM client runs under):
 * which access keys need a person's attention, and which rotations are under way. Data only;
 * the Slack layer renders it (one line per user, each with an "Open" button that reads that
 * user's keys live).
 *
 * By default it reads IAM's credential report (credential-report.ts): every user's key slots,
 * status, creation and last use in two or three calls, as of the report's GeneratedTime (IAM
 * makes a new one at most every four hours). The report has no key ids; those are read live
 * for the users a person opens. When the role may not generate or read the report, it falls
 * back to reading each user: ListUsers (all pages), then ListAccessKeys and GetAccessKeyLastUsed
 * per user a few at a time, and says so (`source.fallbackReason`). IAM throttles an account as
 * a whole, so that path over hundreds of users is expected to meet throttling: see
 * keys-due-throttle.ts. A user IAM will not show there (access denied, or any other lasting
 * error) is reported as such and the rest of the report is still made; only a denied ListUsers
 * stops it. Both paths sort keys with the rules a single rotation's inspect step uses
 * (key-facts.ts).
 */
import {
  type AccessKeyLastUsed,
  type AccessKeyMetadata,
  GetAccessKeyLastUsedCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { type AwsFailure, classifyAwsError } from '../aws/aws-errors.js';
import type { Clock } from '../core/clock.js';
import { UserError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import {
  CredentialReportError,
  fetchCredentialReport,
  parseCredentialReport,
  type ReportUser,
} from './credential-report.js';
import {
  type AccessKeyData,
  type AccessKeyLastUsedData,
  type KeyFact,
  keyFacts,
  verdictFor,
} from '../rotation/core/key-facts.js';
import { createIamCaller, type IamCaller, type IamCallStats, type ThrottleRetryOptions } from './throttle.js';
import {
  FINAL_STATES,
  type RoleRef,
  ROTATION_STATES,
  type Rotation,
  type RotationState,
} from '../rotation/core/rotation.js';
import { isIgnoredUser } from '../rotation/core/iam-users.js';

export type { IamCallStats, OperationCallStats, ThrottleRetryOptions } from './throttle.js';

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

const ACTIVE_STATES: RotationState[] = ROTATION_STATES.filter((s) => !FINAL_STATES.has(s));

/** The 12-digit account of an IAM ARN (`arn:aws:iam::123456789012:role/x`). */
function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

const byName = (a: { userName: string }, b: { userName: string }): number =>
  a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0;

const oldestFirst = (a: KeyLine, b: KeyLine): number =>
  a.key.createdAt - b.key.createdAt ||
  byName(a, b) ||
  (a.key.id ?? '').localeCompare(b.key.id ?? '') ||
  (a.key.slot ?? 0) - (b.key.slot ?? 0);

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Builds the keys-due report for the account `iam` runs in. Ages are measured at `clock.now()`
 * when the report starts; {@link sortKeysDue} has the rules of each section.
 *
 * @throws UserError `access_denied` when IAM refuses ListUsers (nothing can be reported),
 *   `throttled` or `aws_unavailable` when ListUsers keeps failing that way. Failures reading one
 *   user's keys are never thrown: they are in `failures`.
 */
export async function buildKeysDueReport(input: KeysDueInput): Promise<KeysDueReport> {
  const started = performance.now();
  const { iam, store, clock, role, onProgress } = input;
  const maxKeyAgeDays = input.options.maxKeyAgeDays;
  const unusedKeyDays = input.options.unusedKeyDays ?? 7;
  const now = clock.now();
  const caller = createIamCaller(input.options.retry);

  const progress: KeysDueProgress = {
    phase: input.options.source === 'per-user' ? 'listing-users' : 'credential-report',
    usersListed: 0,
    usersRead: 0,
    failures: 0,
    retries: 0,
  };
  const report = (): void => {
    if (!onProgress) return;
    const s = caller.stats();
    onProgress({ ...progress, retries: s.sdkRetries + s.ownRetries });
  };

  const inProgress = await rotationsInProgress(store, accountOf(role?.arn));

  let source: KeysDueSource;
  let users: Array<{ userName: string; keys: DueKey[] }>;
  const failures: UserFailure[] = [];
  const gone: string[] = [];
  const factOptions = { maxKeyAgeDays, unusedKeyDays };
  const fromReport =
    input.options.source === 'per-user'
      ? undefined
      : await readCredentialReport(iam, caller, role, input.options.reportPollDelaysMs, report);
  if (fromReport && 'users' in fromReport) {
    source = { kind: 'credential-report', generatedAt: fromReport.generatedAt };
    users = fromReport.users.map((u) => ({
      userName: u.userName,
      keys: reportKeyFacts(u, now, factOptions),
    }));
  } else {
    source = { kind: 'per-user', ...(fromReport ? { fallbackReason: fromReport.fallbackReason } : {}) };
    progress.phase = 'listing-users';
    const reads = await readEveryUser(caller, iam, role, input.options, progress, report, failures, gone);
    users = reads.map((r) => ({
      userName: r.userName,
      keys: keyFacts(r.keys, r.lastUsed, now, factOptions),
    }));
  }
  users = users.filter((u) => !isIgnoredUser(u.userName, input.options.ignoreUsers));
  const sections = sortDueKeys(users, inProgress);

  progress.phase = 'done';
  report();
  return {
    generatedAt: now,
    source,
    ...(role ? { account: { roleName: role.name, roleArn: role.arn, accountId: accountOf(role.arn) } } : {}),
    maxKeyAgeDays,
    unusedKeyDays,
    ...sections,
    inProgress,
    failures,
    gone,
    counts: {
      users: sections.users.length,
      keys: sections.users.reduce((n, u) => n + u.keys.length, 0),
      overdue: sections.overdue.length,
      twoKeys: sections.twoKeys.length,
      unused: sections.unused.length,
      inactive: sections.inactive.length,
      inProgress: inProgress.length,
      failures: failures.length,
    },
    calls: caller.stats(),
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * The credential report's users, or why it could not be used (a sentence): IAM denied
 * GenerateCredentialReport or GetCredentialReport to the role. Other failures are thrown.
 */
async function readCredentialReport(
  iam: IAMClient,
  caller: IamCaller,
  role: RoleRef | undefined,
  pollDelaysMs: readonly number[] | undefined,
  onPoll: () => void,
): Promise<{ generatedAt: number; users: ReportUser[] } | { fallbackReason: string }> {
  const under = role ? ` to the role \`${role.name}\`` : '';
  try {
    const { generatedAt, csv } = await fetchCredentialReport(iam, {
      caller,
      ...(pollDelaysMs ? { pollDelaysMs } : {}),
      onWaiting: onPoll,
    });
    return { generatedAt, users: parseCredentialReport(csv) };
  } catch (err) {
    if (err instanceof CredentialReportError) {
      if (err.reason === 'denied') {
        return {
          fallbackReason: `IAM does not allow the credential report${under} (${err.message.replace(/\.$/, '')}), so each user's keys were read one by one.`,
        };
      }
      throw new UserError(err.reason === 'timeout' ? 'aws_unavailable' : 'bad_command', err.message, {
        cause: err,
      });
    }
    switch (classifyAwsError(err)) {
      case 'throttled':
        throw new UserError(
          'throttled',
          'IAM kept throttling the credential report. Try again in a few minutes.',
          {
            cause: err,
          },
        );
      case 'unavailable':
        throw new UserError('aws_unavailable', 'AWS (IAM) could not be reached. Try again in a minute.', {
          cause: err,
        });
      default:
        throw err;
    }
  }
}

/** The facts of a user's keys from the credential report (no ids), oldest first. */
export function reportKeyFacts(
  user: ReportUser,
  now: number,
  options: { maxKeyAgeDays: number; unusedKeyDays?: number },
): DueKey[] {
  const factOptions = { maxKeyAgeDays: options.maxKeyAgeDays, unusedAfterDays: options.unusedKeyDays ?? 7 };
  return user.keys
    .map((k): DueKey => {
      const ageMs = Math.max(0, now - k.createdAt);
      const lastUsed = k.lastUsed
        ? { at: k.lastUsed.at, service: k.lastUsed.service, region: k.lastUsed.region }
        : ('never' as const);
      return {
        slot: k.slot,
        status: k.active ? 'Active' : 'Inactive',
        createdAt: k.createdAt,
        ageDays: Math.floor(ageMs / DAY_MS),
        lastUsed,
        verdict: verdictFor(ageMs, lastUsed, factOptions),
      };
    })
    .sort((a, b) => a.createdAt - b.createdAt || (a.slot ?? 0) - (b.slot ?? 0));
}

/** ListUsers, then each user's keys, `concurrency` users at a time. */
async function readEveryUser(
  caller: IamCaller,
  iam: IAMClient,
  role: RoleRef | undefined,
  options: KeysDueOptions,
  progress: KeysDueProgress,
  report: () => void,
  failures: UserFailure[],
  gone: string[],
): Promise<UserKeysRead[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 1000)));
  const userNames = await listUserNames(caller, iam, pageSize, role, (n) => {
    progress.usersListed = n;
    report();
  });
  progress.phase = 'reading-keys';
  report();

  const reads: UserKeysRead[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < userNames.length) {
      const userName = userNames[next++]!;
      const read = await readUserKeys(caller, iam, userName);
      if (read.kind === 'failed') failures.push(read.failure);
      else if (read.kind === 'gone') gone.push(userName);
      else reads.push(read.read);
      progress.usersRead++;
      progress.failures = failures.length;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, userNames.length) }, worker));
  failures.sort(byName);
  gone.sort();
  return reads;
}

const CATEGORY_ORDER: readonly KeysDueCategory[] = [
  'overdue',
  'two-keys',
  'unused',
  'inactive',
  'rotation-in-progress',
];

/**
 * Sorts users' keys into the report's sections; pure. The rules (ages from `now`, strict "older
 * than" for unused, "at or past" for overdue, as in key-facts.ts):
 * - inactive: Status Inactive, whatever its age or use;
 * - unused: Active, never used (no LastUsedDate), older than `unusedKeyDays`;
 * - overdue: Active, at least `maxKeyAgeDays` old, and not unused;
 * - two keys: the user has two keys (any status, IAM allows no more);
 * - a rotation in progress for the user is attached to each of its lines (`rotationId`).
 * A key is in at most one of inactive / unused / overdue.
 */
export function sortKeysDue(
  reads: readonly UserKeysRead[],
  inProgress: readonly Pick<RotationInProgress, 'id' | 'userName'>[],
  now: number,
  options: { maxKeyAgeDays: number; unusedKeyDays?: number },
): KeysDueSections {
  const factOptions = { maxKeyAgeDays: options.maxKeyAgeDays, unusedAfterDays: options.unusedKeyDays ?? 7 };
  return sortDueKeys(
    reads.map((read) => ({
      userName: read.userName,
      keys: keyFacts(read.keys, read.lastUsed, now, factOptions),
    })),
    inProgress,
  );
}

/**
 * The sections from users' key facts (see {@link sortKeysDue} for the rules); pure. A rotation
 * is matched to its user case-insensitively, as IAM compares user names.
 */
export function sortDueKeys(
  input: ReadonlyArray<{ userName: string; keys: DueKey[] }>,
  inProgress: readonly Pick<RotationInProgress, 'id' | 'userName'>[],
): KeysDueSections {
  const rotationOf = new Map<string, string>();
  for (const r of inProgress) {
    const key = r.userName.toLowerCase();
    if (!rotationOf.has(key)) rotationOf.set(key, r.id);
  }
  const users: KeysDueUser[] = [];
  const overdue: KeyLine[] = [];
  const unused: KeyLine[] = [];
  const inactive: KeyLine[] = [];
  const twoKeys: TwoKeysLine[] = [];
  for (const { userName, keys } of [...input].sort(byName)) {
    const rotationId = rotationOf.get(userName.toLowerCase());
    const withRotation = rotationId ? { rotationId } : {};
    const found = new Set<KeysDueCategory>();
    for (const key of keys) {
      const line: KeyLine = { userName, key, ...withRotation };
      if (key.status === 'Inactive') {
        inactive.push(line);
        found.add('inactive');
      } else if (key.verdict === 'unused-old') {
        unused.push(line);
        found.add('unused');
      } else if (key.verdict === 'overdue') {
        overdue.push(line);
        found.add('overdue');
      }
    }
    if (keys.length >= 2) {
      twoKeys.push({ userName, keys, ...withRotation });
      found.add('two-keys');
    }
    if (rotationId) found.add('rotation-in-progress');
    users.push({
      userName,
      keys,
      categories: CATEGORY_ORDER.filter((c) => found.has(c)),
      ...withRotation,
    });
  }
  overdue.sort(oldestFirst);
  unused.sort(oldestFirst);
  inactive.sort(oldestFirst);
  return { users, overdue, twoKeys, unused, inactive };
}

async function rotationsInProgress(
  store: Pick<Store, 'query'>,
  accountId: string | undefined,
): Promise<RotationInProgress[]> {
  const records = await store.query<Partial<Rotation>>({ kind: 'rotation', states: ACTIVE_STATES });
  const out: RotationInProgress[] = [];
  for (const record of records) {
    const r = record.data;
    if (!r.userName) continue;
    if (accountId && accountOf(r.role?.arn) !== accountId) continue;
    out.push({
      id: record.id,
      userName: r.userName,
      state: record.state as RotationState,
      ...(r.role?.name ? { roleName: r.role.name } : {}),
      ...(r.requester?.slackId ? { requestedBy: r.requester.slackId } : {}),
      startedAt: r.createdAt ?? record.createdAt,
      ...(r.oldKeyId ? { oldKeyId: r.oldKeyId } : {}),
      ...(r.newKeyId ? { newKeyId: r.newKeyId } : {}),
    });
  }
  return out.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.id.localeCompare(b.id));
}

async function listUserNames(
  caller: IamCaller,
  iam: IAMClient,
  pageSize: number,
  role: RoleRef | undefined,
  onPage: (listed: number) => void,
): Promise<string[]> {
  const names = new Set<string>();
  let marker: string | undefined;
  try {
    do {
      const page = await caller.send('ListUsers', () =>
        iam.send(new ListUsersCommand({ MaxItems: pageSize, Marker: marker })),
      );
      for (const user of page.Users ?? []) if (user.UserName) names.add(user.UserName);
      // IAM may return fewer than MaxItems and still have more: IsTruncated decides.
      marker = page.IsTruncated ? page.Marker : undefined;
      onPage(names.size);
    } while (marker);
  } catch (err) {
    throw listUsersError(err, role);
  }
  return [...names];
}

function listUsersError(err: unknown, role: RoleRef | undefined): Error {
  const under = role ? ` under the role \`${role.name}\`` : '';
  switch (classifyAwsError(err)) {
    case 'access_denied':
      return new UserError(
        'access_denied',
        `IAM does not allow listing users${under} (iam:ListUsers was denied), so there is no keys-due report for this account. The report needs iam:ListUsers, iam:ListAccessKeys and iam:GetAccessKeyLastUsed.`,
        { cause: err },
      );
    case 'throttled':
      return new UserError(
        'throttled',
        `IAM kept throttling the list of users${under}. Try the report again in a few minutes.`,
        { cause: err },
      );
    case 'unavailable':
      return new UserError('aws_unavailable', 'AWS (IAM) could not be reached. Try again in a minute.', {
        cause: err,
      });
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

type UserRead =
  { kind: 'read'; read: UserKeysRead } | { kind: 'gone' } | { kind: 'failed'; failure: UserFailure };

async function readUserKeys(caller: IamCaller, iam: IAMClient, userName: string): Promise<UserRead> {
  const keys: AccessKeyMetadata[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await caller.send('ListAccessKeys', () =>
        iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker })),
      );
      keys.push(...(page.AccessKeyMetadata ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (err) {
    const kind = classifyAwsError(err);
    if (kind === 'not_found') return { kind: 'gone' };
    return { kind: 'failed', failure: userFailure(userName, 'ListAccessKeys', undefined, kind, err) };
  }

  const present: AccessKeyMetadata[] = [];
  const lastUsed: Record<string, AccessKeyLastUsed | undefined> = {};
  for (const key of keys) {
    const keyId = key.AccessKeyId;
    if (!keyId) continue;
    try {
      const res = await caller.send('GetAccessKeyLastUsed', () =>
        iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId })),
      );
      lastUsed[keyId] = res.AccessKeyLastUsed;
      present.push(key);
    } catch (err) {
      const kind = classifyAwsError(err);
      // Deleted since it was listed: it no longer needs anyone's attention.
      if (kind === 'not_found') continue;
      return { kind: 'failed', failure: userFailure(userName, 'GetAccessKeyLastUsed', keyId, kind, err) };
    }
  }
  return { kind: 'read', read: { userName, keys: present, lastUsed } };
}

function userFailure(
  userName: string,
  operation: UserFailure['operation'],
  keyId: string | undefined,
  kind: AwsFailure,
  err: unknown,
): UserFailure {
  const errorName = err instanceof Error ? err.name : 'Error';
  const action = `iam:${operation}`;
  const what = keyId ? `key ${keyId} of ${userName}` : userName;
  let message: string;
  switch (kind) {
    case 'access_denied':
      message = `IAM denied ${action} for ${what}: its keys are not in this report.`;
      break;
    case 'throttled':
      message = `IAM kept throttling ${action} for ${what}: its keys are not in this report. Run the report again later.`;
      break;
    case 'unavailable':
      message = `IAM could not be reached for ${action} on ${what}: its keys are not in this report.`;
      break;
    default:
      message = `${action} failed for ${what} (${errorName}): its keys are not in this report.`;
  }
  return { userName, operation, ...(keyId ? { keyId } : {}), kind, errorName, message };
}
