/**
 * When the scheduled keys-due report is posted: `rotation.due_report.schedule`, a simple form
 * in UTC: `"09:00"` (every day) or `"mon 09:00"` (every Monday). Pure, so every rule is
 * unit-tested; the keys-due job compares {@link lastDueAt} with the last run it recorded in the
 * store. In core/ because config.ts parses the setting when it loads (config imports no feature).
 */

export interface DueSchedule {
  /** 0 = Sunday … 6 = Saturday (as `Date.getUTCDay`); undefined = every day. */
  weekday?: number;
  hour: number;
  minute: number;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const FORM = /^(?:([a-z]+)\s+)?(\d{1,2}):(\d{2})$/;

/** A sentence saying what is expected, for config errors. */
export const DUE_SCHEDULE_HELP =
  'expected a UTC time like "09:00" (every day) or a weekday and a time like "mon 09:00" (every week)';

/**
 * Parses `"HH:MM"` or `"DAY HH:MM"` (day: sun, mon, … or the full English name; any case).
 * @throws Error with {@link DUE_SCHEDULE_HELP} when the text is not one of those.
 */
export function parseDueSchedule(text: string): DueSchedule {
  const m = FORM.exec(text.trim().toLowerCase());
  if (!m) throw new Error(DUE_SCHEDULE_HELP);
  const [, dayWord, h, min] = m;
  const hour = Number(h);
  const minute = Number(min);
  if (hour > 23 || minute > 59) throw new Error(DUE_SCHEDULE_HELP);
  if (dayWord === undefined) return { hour, minute };
  const weekday = DAYS.findIndex((d) => dayWord === d || dayWord === fullDayName(d));
  if (weekday === -1) throw new Error(DUE_SCHEDULE_HELP);
  return { weekday, hour, minute };
}

function fullDayName(short: (typeof DAYS)[number]): string {
  const full: Record<(typeof DAYS)[number], string> = {
    sun: 'sunday',
    mon: 'monday',
    tue: 'tuesday',
    wed: 'wednesday',
    thu: 'thursday',
    fri: 'friday',
    sat: 'saturday',
  };
  return full[short];
}

/** The most recent due time at or before `now` (epoch ms, UTC). */
export function lastDueAt(schedule: DueSchedule, now: number): number {
  const d = new Date(now);
  let due = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), schedule.hour, schedule.minute);
  if (due > now) due -= DAY_MS;
  if (schedule.weekday !== undefined) {
    const back = (new Date(due).getUTCDay() - schedule.weekday + 7) % 7;
    due -= back * DAY_MS;
  }
  return due;
}

/** The next due time strictly after `now`. */
export function nextDueAt(schedule: DueSchedule, now: number): number {
  return lastDueAt(schedule, now) + (schedule.weekday === undefined ? DAY_MS : 7 * DAY_MS);
}

/** `"every Monday at 09:00 UTC"`, for the report's footer and the docs. */
export function describeDueSchedule(schedule: DueSchedule): string {
  const time = `${String(schedule.hour).padStart(2, '0')}:${String(schedule.minute).padStart(2, '0')} UTC`;
  if (schedule.weekday === undefined) return `every day at ${time}`;
  const day = fullDayName(DAYS[schedule.weekday]!);
  return `every ${day[0]!.toUpperCase()}${day.slice(1)} at ${time}`;
}
