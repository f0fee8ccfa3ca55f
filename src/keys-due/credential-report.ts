/**
 * IAM's credential report: every user's access keys (status, creation, last use) for the whole
 * account in a few calls, instead of ListUsers, ListAccessKeys per user and GetAccessKeyLastUsed
 * per key. As AWS documents it (IAM User Guide, "Generate credential reports"; API reference
 * GenerateCredentialReport, GetCredentialReport):
 *
 * - GenerateCredentialReport starts a report (State STARTED), says INPROGRESS while it is made
 *   and COMPLETE once it is there; a report younger than four hours is reused, not made again;
 * - GetCredentialReport returns it as CSV (base64 on the wire; the SDK decodes it), with
 *   GeneratedTime; before it is done it answers ReportInProgress, and ReportNotPresent or
 *   ReportExpired when there is none to give;
 * - the first row is the account's root user (`<root_account>`); fields that do not apply are
 *   "N/A" (a key slot not in use, a key never used), some say "no_information" or
 *   "not_supported"; the report holds no access key ids.
 *
 * Parsing uses csv-parse (quoted fields, CRLF), not string splitting.
 */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { parse } from 'csv-parse/sync';
import { classifyAwsError } from '../aws/aws-errors.js';
import { createIamCaller, type IamCaller } from './throttle.js';

/** One access-key slot of a user, as the report gives it. There is no key id in the report. */
export interface ReportKey {
  slot: 1 | 2;
  active: boolean;
  /** access_key_N_last_rotated: when the key was created (epoch ms). */
  createdAt: number;
  lastUsed?: { at: number; region: string; service: string };
}

export interface ReportUser {
  userName: string;
  arn: string;
  createdAt?: number;
  keys: ReportKey[];
}

export interface CredentialReport {
  /** GeneratedTime (epoch ms): the report describes the account as it was then. */
  generatedAt: number;
  users: ReportUser[];
}

/** Why the report could not be had; `denied` means: fall back to reading each user. */
export class CredentialReportError extends Error {
  /** The same code for every reason: callers branch on `reason`, logs and metrics on `code`. */
  readonly code = 'credential_report_unavailable';
  constructor(
    readonly reason: 'denied' | 'timeout' | 'malformed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CredentialReportError';
  }
}

const NOT_A_VALUE = new Set(['N/A', 'no_information', 'not_supported', '']);
const ROOT_ROW = '<root_account>';
const REQUIRED_COLUMNS = ['user', 'arn'];

function dateOf(text: string | undefined): number | undefined {
  if (text === undefined || NOT_A_VALUE.has(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function valueOf(text: string | undefined): string | undefined {
  return text === undefined || NOT_A_VALUE.has(text) ? undefined : text;
}

/**
 * The users and their key slots from the report's CSV; the root user's row is left out (it
 * cannot be rotated by locksmith). Pure.
 *
 * @throws CredentialReportError `malformed` when the CSV lacks the columns IAM documents.
 */
export function parseCredentialReport(csv: string): ReportUser[] {
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  } catch (err) {
    throw new CredentialReportError('malformed', 'IAM’s credential report is not valid CSV.', { cause: err });
  }
  const first = rows[0];
  if (first && REQUIRED_COLUMNS.some((c) => !(c in first))) {
    throw new CredentialReportError('malformed', 'IAM’s credential report lacks the user and arn columns.');
  }
  const users: ReportUser[] = [];
  for (const row of rows) {
    const userName = row['user'];
    if (!userName || userName === ROOT_ROW) continue;
    const keys: ReportKey[] = [];
    for (const slot of [1, 2] as const) {
      const createdAt = dateOf(row[`access_key_${slot}_last_rotated`]);
      // A slot with no creation date holds no key.
      if (createdAt === undefined) continue;
      const at = dateOf(row[`access_key_${slot}_last_used_date`]);
      keys.push({
        slot,
        active: row[`access_key_${slot}_active`]?.toLowerCase() === 'true',
        createdAt,
        ...(at !== undefined
          ? {
              lastUsed: {
                at,
                region: valueOf(row[`access_key_${slot}_last_used_region`]) ?? 'N/A',
                service: valueOf(row[`access_key_${slot}_last_used_service`]) ?? 'N/A',
              },
            }
          : {}),
      });
    }
    const createdAt = dateOf(row['user_creation_time']);
    users.push({ userName, arn: row['arn'] ?? '', ...(createdAt !== undefined ? { createdAt } : {}), keys });
  }
  return users;
}

export interface FetchReportOptions {
  /** Counts and retries the calls (the keys-due report passes its own). */
  caller?: IamCaller;
  /** Waits between polls while IAM makes the report; default 250 ms doubling to 2 s. */
  pollDelaysMs?: readonly number[];
  /** Give up after waiting this long for IAM to finish; default 120 000 ms. */
  maxWaitMs?: number;
  /** Told each time IAM says the report is still being made. */
  onWaiting?: (waitedMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_DELAYS = [250, 500, 1000, 2000];

/**
 * Asks IAM for the credential report and waits until it is there: GenerateCredentialReport
 * until COMPLETE, then GetCredentialReport (again after a pause if IAM says it is still in
 * progress; generated again if IAM says it expired meanwhile).
 *
 * @throws CredentialReportError `denied` when IAM refuses either call to this role (any 403),
 *   `timeout` when IAM has not finished within `maxWaitMs`. Throttling and outages are thrown
 *   as the SDK raised them, after the caller's retries.
 */
export async function fetchCredentialReport(
  iam: IAMClient,
  options: FetchReportOptions = {},
): Promise<{ generatedAt: number; csv: string }> {
  const caller = options.caller ?? createIamCaller();
  const delays = options.pollDelaysMs ?? DEFAULT_DELAYS;
  const maxWaitMs = options.maxWaitMs ?? 120_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let waited = 0;
  let polls = 0;
  const pause = async (): Promise<void> => {
    if (waited >= maxWaitMs) {
      throw new CredentialReportError(
        'timeout',
        `IAM had not finished the credential report after ${Math.round(waited / 1000)} s. Try again in a few minutes.`,
      );
    }
    const ms = delays[Math.min(polls++, delays.length - 1)] ?? 1000;
    options.onWaiting?.(waited);
    await sleep(ms);
    waited += ms;
  };
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await caller.send(operation, run);
    } catch (err) {
      if (classifyAwsError(err) === 'access_denied') {
        throw new CredentialReportError('denied', `IAM denied iam:${operation}.`, { cause: err });
      }
      throw err;
    }
  };

  for (let regenerated = 0; ;) {
    for (;;) {
      const res = await call('GenerateCredentialReport', () =>
        iam.send(new GenerateCredentialReportCommand({})),
      );
      if (res.State === 'COMPLETE') break;
      await pause();
    }
    for (;;) {
      try {
        const res = await call('GetCredentialReport', () => iam.send(new GetCredentialReportCommand({})));
        const csv = res.Content ? Buffer.from(res.Content).toString('utf8') : '';
        return { generatedAt: res.GeneratedTime?.getTime() ?? Number.NaN, csv };
      } catch (err) {
        const name = (err as { name?: string }).name ?? '';
        if (/NotReady|InProgress/.test(name)) {
          await pause();
          continue;
        }
        if (/Expired|NotPresent/.test(name) && regenerated++ < 2) break;
        throw err;
      }
    }
  }
}
