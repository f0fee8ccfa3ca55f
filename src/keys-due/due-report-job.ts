/**
 * The scheduled keys-due report's bookkeeping. It runs with nobody at the keyboard, under
 * `rotation.background_role`, as a synthetic person `locksmith-scheduler`: RoleSessionName
 * `slack-locksmith-scheduler` and SourceIdentity `locksmith-scheduler` in CloudTrail. One store
 * record (kind 'report', id `keys-due`) holds the due time last posted; a due time is claimed by
 * compare-and-set before posting, so each due time is posted at most once, even with two replicas.
 */
import { type DueSchedule, lastDueAt } from '../core/due-schedule.js';
import type { Person } from '../core/person.js';
import type { Store } from '../store/store.js';

/** The scheduler job's name. */
export const DUE_REPORT_JOB = 'rotation.due-report';

/** The store record of the scheduled report. */
export const DUE_REPORT_RECORD = 'keys-due';

/** Who the scheduled report runs as (CloudTrail's SourceIdentity and session name). */
export const SCHEDULER_PERSON: Person = {
  slackId: 'locksmith-scheduler',
  teamId: 'locksmith',
  name: 'locksmith-scheduler',
  groups: [],
  deleted: false,
  guest: false,
  isBot: false,
};

interface DueReportRecord {
  /** The due time (epoch ms) last claimed. */
  lastDueAt: number;
  /** When it was claimed (epoch ms, injected clock). */
  ranAt: number;
}

/**
 * Whether this replica may post the report due at or before `now`: true once per due time. On the
 * first start the schedule begins now; a due time already past is not posted.
 */
export async function claimDueReport(
  store: Pick<Store, 'get' | 'create' | 'update'>,
  schedule: DueSchedule,
  now: number,
): Promise<boolean> {
  const due = lastDueAt(schedule, now);
  const existing = await store.get<DueReportRecord>('report', DUE_REPORT_RECORD);
  if (!existing) {
    try {
      await store.create<DueReportRecord>(
        { kind: 'report', id: DUE_REPORT_RECORD, state: 'idle', data: { lastDueAt: due, ranAt: now } },
        now,
      );
    } catch {
      // Another replica created it first.
    }
    return false;
  }
  if (existing.data.lastDueAt >= due) return false;
  const claimed = await store.update<DueReportRecord>(
    'report',
    DUE_REPORT_RECORD,
    existing.version,
    { state: 'posted', data: { lastDueAt: due, ranAt: now } },
    now,
  );
  return Boolean(claimed); // falsy: another replica claimed this due time
}
