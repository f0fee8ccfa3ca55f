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
import type { IAMClient } from '@aws-sdk/client-iam';
import { awsUserError } from '../aws/aws-errors.js';
import { UserError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { isIgnoredUser } from '../rotation/core/iam-users.js';
import { keyFacts, verdictFor } from '../rotation/core/key-facts.js';
import {
  FINAL_STATES,
  type RoleRef,
  ROTATION_STATES,
  type Rotation,
  type RotationState,
} from '../rotation/core/rotation.js';
import {
  CredentialReportError,
  fetchCredentialReport,
  parseCredentialReport,
  type ReportUser,
} from './credential-report.js';
import { sortDueKeys } from './due-sections.js';
import { readEveryUser } from './per-user-read.js';
import type {
  DueKey,
  KeysDueInput,
  KeysDueProgress,
  KeysDueReport,
  KeysDueSource,
  RotationInProgress,
  UserFailure,
} from './report-types.js';
import { createIamCaller, type IamCaller } from './throttle.js';

export type { IamCallStats, OperationCallStats, ThrottleRetryOptions } from './throttle.js';
export type * from './report-types.js';
export { sortDueKeys, sortKeysDue } from './due-sections.js';

const ACTIVE_STATES: RotationState[] = ROTATION_STATES.filter((s) => !FINAL_STATES.has(s));

/** The 12-digit account of an IAM ARN (`arn:aws:iam::123456789012:role/x`). */
function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

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
    // A denial reaches here as a CredentialReportError (above); anything else is not the person's to act on.
    throw awsUserError(err, {
      service: 'AWS (IAM)',
      throttled: 'IAM kept throttling the credential report. Try again in a few minutes.',
      unavailable: () => 'AWS (IAM) could not be reached. Try again in a minute.',
    });
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
