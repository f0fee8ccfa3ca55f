/**
 * Reveal windows: modals that show a value to the one person who asked and hide it again, by
 * the only means Slack documents for changing what a person sees in a modal: `views.update` of
 * the open view (docs.slack.dev/reference/methods/views.update). A slash command's response_url
 * cannot do it: it only adds messages (slackapi/bolt-js#2287). docs/reveals.md has the design.
 *
 * A window's hide is stored before the value is sent to Slack (the window's id and what to say,
 * never the value), so a process killed at any moment leaves a hide behind for the next one:
 * the scheduler's job applies stored hides that are due. A timer in this process keeps hides
 * punctual. A hide is claimed with a compare-and-set (its due time moves `RETRY_MS` on), so the
 * timer, the job and other replicas apply it once, and one that fails is retried by the job.
 * When a hide fails (Slack down, rate limited beyond the retries) the person is told, once,
 * without the value, to close the window; every hide, and every failed attempt, is audited.
 *
 * Hides run a few at a time (HIDES_AT_ONCE): they come due in bursts (every /totp window of one
 * 30-second code period at the same instant), and a burst must not hold up people's acks.
 */
import { randomUUID } from 'node:crypto';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AuditEvent, AuditLog, HideHow } from '../audit/audit-events.js';
import type { Logger } from '../audit/logger.js';
import type { Clock } from '../core/clock.js';
import { createLimiter } from '../scheduling/limiter.js';
import type { Job } from '../scheduling/scheduler.js';
import { replyEphemeral } from '../slack/ephemeral-reply.js';
import type { ResponseUrlPoster } from '../slack/response-url.js';
import { slackErrorName } from '../slack/slack-errors.js';
import type { Store, StoredRecord } from '../store/store.js';
import { EXTERNAL_ID_PREFIX, HIDE_STATE } from './ids.js';
import { buildHiddenView, buildHideFailedMessage, type HideSubject } from './window-views.js';

/** Hides in flight at once; enough to keep up with Slack, few enough to share the event loop. */
export const HIDES_AT_ONCE = 8;
/** A claimed hide that did not finish (failed, or its process died) is tried again this much later. */
export const RETRY_MS = 30_000;
/** Attempts before a hide is given up (the person was told after the first failed one). */
export const MAX_ATTEMPTS = 5;

/** How a window is addressed: the key its hide is stored under, and the ids Slack knows it by. */
export interface WindowRef {
  /** The external_id locksmith gave the window, else Slack's view id. */
  key: string;
  viewId?: string;
  externalId?: string;
}

/** A hide to schedule for a window that is about to show a value. */
export interface HideSpec {
  subject: HideSubject;
  /** From now; the window says the same number to the person. */
  ttlMs: number;
  /** Who sees the window. */
  user: string;
  team: string;
  /** Where to tell the person when the hide fails: the command's response_url and channel. */
  tell?: { responseUrl?: string; channel?: string };
}

/** What is stored per pending hide. Never a value. */
interface HideData {
  user: string;
  team: string;
  window: { viewId?: string; externalId?: string };
  subject: HideSubject;
  tell: { responseUrl?: string; channel?: string };
  /** When it was first due (epoch ms): a retry's record is due later. */
  dueAt: number;
  attempts: number;
  /** How the first attempt was made: a retry keeps it. */
  how?: HideHow;
  told?: boolean;
  /** Slack did not confirm the window opened: a `not_found` may mean it never did. */
  uncertain?: boolean;
}

interface Pending {
  timer: NodeJS.Timeout;
  version: number;
}

/** Whether a value got into its window. */
export type ShowOutcome = 'shown' | 'closed' | 'failed';

export interface RevealWindows {
  /** A fresh external_id for a window locksmith opens: its hide can be stored before Slack answers. */
  newKey(): string;
  /** Opens a window that shows no value yet (or never: a notice). Throws Slack's refusal. */
  open(triggerId: string, view: View, externalId?: string): Promise<WindowRef>;
  /**
   * Stores the hide, then opens the window with the value in it. Throws Slack's refusal; the
   * stored hide is kept then (Slack may have opened the window and lost the answer).
   */
  openWithValue(triggerId: string, view: View, hide: HideSpec, externalId?: string): Promise<WindowRef>;
  /**
   * Stores the hide, then puts the value into an open window (a refresh moves its hide).
   * `closed`: the person closed the window first, and nothing was shown.
   */
  show(ref: WindowRef, view: View, hide: HideSpec): Promise<ShowOutcome>;
  /** Changes a window's content that holds no value (a notice). */
  update(ref: WindowRef, view: View): Promise<ShowOutcome>;
  /** The person pressed Hide now. */
  hideNow(view: { id?: unknown; external_id?: unknown }): Promise<void>;
  /**
   * Slack said `user` closed the window (view_closed): nothing left to hide. Only the window's
   * own person can end its hide this way; a payload naming someone else's window is ignored.
   */
  closed(view: { id?: unknown; external_id?: unknown }, user: string): Promise<void>;
  /** Hides every window this process still has pending, now: at shutdown. */
  flush(): Promise<void>;
  /** Applies stored hides that are due (left by a process that stopped, or retries). */
  readonly job: Job;
  /** Hides this process has pending. */
  readonly pending: number;
}

export interface RevealWindowsDeps {
  slack: WebClient;
  store: Store;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  postToResponseUrl: ResponseUrlPoster;
}

/**
 * The store keys a Slack payload's view may be known by: the external_id locksmith gave it,
 * then Slack's view id. Anything else (a forged or malformed view) names no window.
 */
export function windowKeys(view: { id?: unknown; external_id?: unknown }): string[] {
  const keys: string[] = [];
  const { id, external_id: externalId } = view;
  if (typeof externalId === 'string' && externalId.startsWith(EXTERNAL_ID_PREFIX)) keys.push(externalId);
  if (typeof id === 'string' && id !== '') keys.push(id);
  return keys;
}

function target(ref: {
  viewId?: string;
  externalId?: string;
}): { view_id: string } | { external_id: string } {
  // By external_id when locksmith named the window: it is known before Slack answers views.open.
  if (ref.externalId !== undefined) return { external_id: ref.externalId };
  return { view_id: ref.viewId ?? '' };
}

/** The view as sent, keeping the window's external_id across updates. */
function withId(view: View, externalId: string | undefined): View {
  return externalId === undefined ? view : ({ ...view, external_id: externalId } as View);
}

/**
 * A window showing a value asks Slack for `view_closed` (docs.slack.dev/reference/views/modal-views),
 * whoever built it: once the person closes it, its hide has nothing left to do.
 */
function notifying(view: View): View {
  return { ...view, notify_on_close: true } as View;
}

export function createRevealWindows(deps: RevealWindowsDeps): RevealWindows {
  const { slack, store, clock, audit, logger } = deps;
  const pending = new Map<string, Pending>();
  /** Hides stored by this process whose window Slack has not answered for yet (no timer armed). */
  const opening = new Set<string>();
  const limited = createLimiter(HIDES_AT_ONCE);

  function iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  function auditHide(data: HideData, how: HideHow, ok: boolean, note?: string): void {
    const event: AuditEvent = {
      action: data.subject.action,
      outcome: ok ? 'ok' : 'error',
      person: { slack_id: data.user, team_id: data.team },
      target: data.subject.target,
      hide: { how, due_at: iso(data.dueAt), at: iso(clock.now()) },
    };
    if (data.subject.field !== undefined) event.field = data.subject.field;
    if (data.subject.role) event.role = data.subject.role;
    if (data.attempts > 1) event.hide!.attempts = data.attempts;
    if (!ok) {
      event.reason = 'hide_failed';
      event.hide!.told = data.told === true;
    }
    if (note) event.note = note;
    audit.record(event);
  }

  /** Writes (or moves) a window's pending hide; returns the record's version. */
  async function persist(key: string, data: HideData): Promise<number> {
    const existing = await store.get<HideData>('hide', key);
    const change = { state: HIDE_STATE, dueAt: data.dueAt, owner: data.user, data };
    const rec = existing
      ? await store.update('hide', key, existing.version, change, clock.now())
      : await store.create({ kind: 'hide', id: key, ...change }, clock.now());
    if (!rec) throw new Error('the window’s hide was changed meanwhile');
    return rec.version;
  }

  function arm(key: string, version: number, dueAt: number): void {
    const earlier = pending.get(key);
    if (earlier) clearTimeout(earlier.timer);
    const entry: Pending = {
      version,
      timer: setTimeout(
        () => void limited(() => hideLocal(key, 'ttl', entry)),
        Math.max(0, dueAt - clock.now()),
      ),
    };
    // The store's job is the safety net; a timer alone must not keep the process alive.
    entry.timer.unref();
    pending.set(key, entry);
  }

  function disarm(key: string): Pending | undefined {
    const entry = pending.get(key);
    if (entry) {
      clearTimeout(entry.timer);
      pending.delete(key);
    }
    return entry;
  }

  function newData(ref: { viewId?: string; externalId?: string }, hide: HideSpec): HideData {
    const window: HideData['window'] = {};
    if (ref.viewId !== undefined) window.viewId = ref.viewId;
    if (ref.externalId !== undefined) window.externalId = ref.externalId;
    return {
      user: hide.user,
      team: hide.team,
      window,
      subject: hide.subject,
      tell: hide.tell ?? {},
      dueAt: clock.now() + hide.ttlMs,
      attempts: 0,
    };
  }

  /** Puts the hidden view in; `gone` when Slack no longer knows the view (the person closed it). */
  async function putHidden(data: HideData, how: HideHow): Promise<'hidden' | 'gone' | 'failed'> {
    try {
      await slack.views.update({
        ...target(data.window),
        view: withId(buildHiddenView(data.subject, how), data.window.externalId),
      });
      return 'hidden';
    } catch (err) {
      if (slackErrorName(err) === 'not_found') return 'gone';
      logger.warn({ err: { message: (err as Error).message }, hide: data.subject.action }, 'hide failed');
      return 'failed';
    }
  }

  /** Tells the person, without the value, to close the window themselves. */
  async function tell(data: HideData): Promise<boolean> {
    const delivered = await replyEphemeral(
      { postToResponseUrl: deps.postToResponseUrl, slack, logger },
      { responseUrl: data.tell.responseUrl, channel: data.tell.channel, user: data.user },
      buildHideFailedMessage(data.subject),
      { where: 'failed hide' },
    );
    return delivered !== 'lost';
  }

  /** Claims a stored hide (compare-and-set) and applies it. */
  async function claimAndApply(key: string, rec: StoredRecord<HideData>, how: HideHow): Promise<boolean> {
    const now = clock.now();
    const data: HideData = { ...rec.data, attempts: rec.data.attempts + 1, how: rec.data.how ?? how };
    const claimed = await store
      .update(
        'hide',
        key,
        rec.version,
        { state: HIDE_STATE, dueAt: now + RETRY_MS, owner: data.user, data },
        now,
      )
      .catch((err: Error) => {
        logger.warn({ err: { message: err.message } }, 'hide could not be claimed');
        return undefined;
      });
    if (!claimed) return false; // applied by someone else, moved by a refresh, or closed
    const result = await putHidden(data, data.how!);
    if (result !== 'failed') {
      await store.delete('hide', key, claimed.version).catch(() => false);
      if (result === 'hidden') auditHide(data, data.how!, true);
      else
        auditHide(
          data,
          'closed',
          true,
          data.uncertain ? 'Slack did not know the window: closed, or never opened' : undefined,
        );
      return true;
    }
    if (!data.told) {
      data.told = await tell(data);
      await store
        .update(
          'hide',
          key,
          claimed.version,
          { state: HIDE_STATE, dueAt: now + RETRY_MS, owner: data.user, data },
          clock.now(),
        )
        .catch(() => undefined);
    }
    const giveUp = data.attempts >= MAX_ATTEMPTS;
    auditHide(
      data,
      data.how!,
      false,
      giveUp ? `gave up after ${data.attempts} attempts` : `will try again in ${RETRY_MS / 1000} s`,
    );
    if (giveUp) await store.delete('hide', key).catch(() => false);
    return false;
  }

  /**
   * A hide of this process (timer, Hide now, shutdown). With `only`, only if that is still the
   * pending hide: a refresh may have moved it while it waited its turn.
   */
  async function hideLocal(key: string, how: HideHow, only?: Pending): Promise<void> {
    const entry = pending.get(key);
    if (only && entry !== only) return;
    disarm(key);
    const rec = await store.get<HideData>('hide', key).catch(() => undefined);
    if (!rec) return;
    // A timer applies only the hide it was armed for. A record changed since was claimed by the
    // job or another replica (a timer armed after Slack answered views.open late can find its
    // hide taken, even failed and waiting for its retry): finishing it is the job's.
    if (only && rec.version !== only.version) return;
    await claimAndApply(key, rec, how);
  }

  return {
    newKey: () => `${EXTERNAL_ID_PREFIX}${randomUUID()}`,

    async open(triggerId, view, externalId) {
      const opened = await slack.views.open({ trigger_id: triggerId, view: withId(view, externalId) });
      const viewId = opened.view?.id;
      const ref: WindowRef = { key: externalId ?? viewId ?? '' };
      if (viewId) ref.viewId = viewId;
      if (externalId !== undefined) ref.externalId = externalId;
      return ref;
    },

    async openWithValue(triggerId, view, hide, externalId) {
      const key = externalId ?? `${EXTERNAL_ID_PREFIX}${randomUUID()}`;
      const data = newData({ externalId: key }, hide);
      const version = await persist(key, data);
      opening.add(key);
      try {
        const opened = await slack.views.open({ trigger_id: triggerId, view: withId(notifying(view), key) });
        opening.delete(key);
        arm(key, version, data.dueAt);
        const ref: WindowRef = { key, externalId: key };
        if (opened.view?.id) ref.viewId = opened.view.id;
        return ref;
      } catch (err) {
        opening.delete(key);
        // Slack may have opened it and lost the answer (a retry then finds the trigger used):
        // the hide stays, and finds out at its time.
        const version2 = await persist(key, { ...data, uncertain: true }).catch(() => version);
        arm(key, version2, data.dueAt);
        throw err;
      }
    },

    async show(ref, view, hide) {
      const data = newData(ref, hide);
      const version = await persist(ref.key, data);
      try {
        await slack.views.update({ ...target(ref), view: withId(notifying(view), ref.externalId) });
        arm(ref.key, version, data.dueAt);
        return 'shown';
      } catch (err) {
        if (slackErrorName(err) === 'not_found') {
          // Closed before the value came: nothing is on screen, nothing to hide.
          disarm(ref.key);
          await store.delete('hide', ref.key, version).catch(() => false);
          return 'closed';
        }
        logger.warn({ err: { message: (err as Error).message } }, 'reveal window update failed');
        arm(ref.key, version, data.dueAt);
        return 'failed';
      }
    },

    async update(ref, view) {
      try {
        await slack.views.update({ ...target(ref), view: withId(view, ref.externalId) });
        return 'shown';
      } catch (err) {
        if (slackErrorName(err) === 'not_found') return 'closed';
        logger.warn({ err: { message: (err as Error).message } }, 'reveal window update failed');
        return 'failed';
      }
    },

    async hideNow(view) {
      for (const key of windowKeys(view)) {
        if (pending.has(key)) return limited(() => hideLocal(key, 'click'));
        const rec = await store.get<HideData>('hide', key).catch(() => undefined);
        if (rec) {
          await limited(() => claimAndApply(key, rec, 'click'));
          return;
        }
      }
    },

    async closed(view, user) {
      for (const key of windowKeys(view)) {
        const rec = await store.get<HideData>('hide', key).catch(() => undefined);
        if (!rec) continue;
        if (rec.data.user !== user) return;
        disarm(key);
        if (await store.delete('hide', key, rec.version).catch(() => false)) {
          auditHide({ ...rec.data, attempts: rec.data.attempts + 1 }, 'closed', true);
        }
        return;
      }
    },

    async flush() {
      await Promise.all([...pending.keys()].map((key) => limited(() => hideLocal(key, 'shutdown'))));
    },

    job: {
      name: 'hides.windows',
      async run() {
        const due = await store.query<HideData>({ kind: 'hide', states: [HIDE_STATE], dueBy: clock.now() });
        let hidden = 0;
        await Promise.all(
          due.map((rec) =>
            limited(async () => {
              const local = pending.get(rec.id);
              // This process's own write still in flight (a refresh): the stored due time is stale.
              if (local && local.version !== rec.version) return;
              if (local) disarm(rec.id);
              // The store, not the timer, decides: on AWS Lambda a timer sleeps while frozen.
              const ours = local !== undefined || opening.has(rec.id);
              if (await claimAndApply(rec.id, rec, ours ? 'ttl' : 'restart')) hidden++;
            }),
          ),
        );
        return hidden;
      },
    },

    get pending() {
      return pending.size;
    },
  };
}
