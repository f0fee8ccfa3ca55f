/**
 * The per-user path of the report, used when IAM's credential report is not allowed: ListUsers
 * (all pages), then ListAccessKeys and GetAccessKeyLastUsed per user a few at a time, through
 * the throttle-aware caller. A user IAM will not show is a failure in the report, never thrown;
 * only ListUsers failing stops the report.
 */
import {
  type AccessKeyLastUsed,
  type AccessKeyMetadata,
  GetAccessKeyLastUsedCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { type AwsFailure, awsUserError, classifyAwsError } from '../aws/aws-errors.js';
import type { RoleRef } from '../rotation/core/rotation.js';
import { byName } from './due-sections.js';
import type { KeysDueOptions, KeysDueProgress, UserFailure, UserKeysRead } from './report-types.js';
import type { IamCaller } from './throttle.js';

/** ListUsers, then each user's keys, `concurrency` users at a time. */
export async function readEveryUser(
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

async function listUserNames(
  caller: IamCaller,
  iam: IAMClient,
  pageSize: number,
  role: RoleRef | undefined,
  onPage: (listed: number) => void,
): Promise<string[]> {
  const names = new Set<string>();
  let marker: string | undefined;
  // Hand-written, not paginateListUsers: every page goes through the throttle-aware caller
  // (throttle.ts), which waits and sends a page again when IAM still throttles after the SDK's
  // retries, and counts it; a paginator sends its pages itself, so one throttled page would end
  // the whole listing instead.
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
  return awsUserError(err, {
    service: 'AWS (IAM)',
    denied: `IAM does not allow listing users${under} (iam:ListUsers was denied), so there is no keys-due report for this account. The report needs iam:ListUsers, iam:ListAccessKeys and iam:GetAccessKeyLastUsed.`,
    throttled: `IAM kept throttling the list of users${under}. Try the report again in a few minutes.`,
    unavailable: () => 'AWS (IAM) could not be reached. Try again in a minute.',
  });
}

type UserRead =
  { kind: 'read'; read: UserKeysRead } | { kind: 'gone' } | { kind: 'failed'; failure: UserFailure };

async function readUserKeys(caller: IamCaller, iam: IAMClient, userName: string): Promise<UserRead> {
  const keys: AccessKeyMetadata[] = [];
  let marker: string | undefined;
  // Hand-written, not paginateListAccessKeys: each page goes through the throttle-aware caller
  // (see listUserNames).
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
