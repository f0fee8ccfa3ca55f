/**
 * One reveal, from a trigger_id to a value in a window that will hide itself; the same flow for
 * `/secret get`, `/totp` and their "Open" buttons. The listener has acked already.
 *
 * The read starts at once. Slack's trigger_id lasts 3 s, so the window cannot wait for a slow
 * read: if the value is ready within HEAD_START_MS the window opens with it (one Slack call;
 * the usual case), otherwise it opens saying what is being read, and `views.update` puts the
 * value in when it comes (two calls). If Slack will not open the window at all (the trigger
 * lapsed on a slow or cold start), the person gets a message with an "Open" button and no
 * value; its click brings a fresh trigger_id and runs this flow again.
 *
 * The hide is stored before the value goes to Slack (reveal-windows.ts). The reveal's audit
 * event is recorded here, once the outcome is known: a value read but not shown says so.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Button, View } from '@slack/types';
import type { AuditEvent, AuditLog } from '../audit/audit-events.js';
import type { Logger } from '../audit/logger.js';
import { outcomeOf, reasonOf } from '../audit/audited.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { type ReplyDeps, replyEphemeral } from '../slack/ephemeral-reply.js';
import { errorReply } from '../slack/reply-errors.js';
import type { HideSpec, RevealWindows, ShowOutcome, WindowRef } from './reveal-windows.js';
import { buildNoticeView, buildOpenButtonMessage, buildOpeningView } from './window-views.js';

/**
 * How long the read may take before the window opens without it. Far inside the trigger's 3 s
 * (views.open itself may be retried); long enough for a warm read, which then costs one Slack
 * call instead of two (views.* are rate limited: Tier 4, per workspace).
 */
export const HEAD_START_MS = 400;

/** Who asked, from where, and what the window says while it waits. */
export interface RevealRequest {
  user: string;
  team: string;
  triggerId: string;
  /** Where the "Open" fallback and a failed hide's notice go: the command's response_url and channel. */
  responseUrl?: string;
  channel?: string;
  /** The window's title. */
  title: string;
  /** What the window says while the value is read (escaped mrkdwn). */
  opening: string;
  /** The fallback's button, and what it opens in words (escaped mrkdwn). */
  reopen: { button: Button; what: string };
  /**
   * A window of this person's that is open already (a click inside it, e.g. "Did you mean…?"):
   * the result goes into it by views.update instead of a new window.
   */
  into?: WindowRef;
}

/** What a producer made: the window's content and, if it shows a value, its hide. */
export interface Revealed {
  view: View;
  hide?: Omit<HideSpec, 'user' | 'team' | 'tell'>;
  /** False when nothing was revealed (a list to pick from): no audit event. */
  audited?: boolean;
}

/** What a reveal needs of the bot's dependencies (deps.ts's Deps has it). */
export interface RevealFlowDeps extends ReplyDeps {
  reveals: RevealWindows;
  logger: Logger;
  audit: AuditLog;
}

/** How a reveal ended. */
export type RevealOutcome = ShowOutcome | 'notice' | 'fallback';

type Settled = { ok: true; value: Revealed } | { ok: false; err: unknown };

/**
 * Runs `produce` (the read under the person's role) and shows its result in a window.
 * `event` is the reveal's audit event, filled in by `produce`; it is recorded here.
 */
export async function revealInWindow(
  deps: RevealFlowDeps,
  req: RevealRequest,
  event: AuditEvent | undefined,
  produce: () => Promise<Revealed>,
): Promise<RevealOutcome> {
  const { reveals, logger } = deps;
  const started = performance.now();
  let errorRef: string | undefined;
  const work: Promise<Settled> = produce().then(
    (value) => ({ ok: true, value }),
    (err: unknown) => ({ ok: false, err }),
  );
  const headStart = new AbortController();
  const early = await Promise.race([
    work,
    delay(HEAD_START_MS, undefined, { signal: headStart.signal }).catch(() => undefined),
  ]);
  headStart.abort(); // the read won the race: no timer left behind

  let outcome: RevealOutcome;
  let result: Settled;
  if (req.into) {
    result = early ?? (await work);
    outcome = await fill(req.into, result);
  } else if (early) {
    result = early;
    outcome = await openWith(result);
  } else {
    const key = reveals.newKey();
    let ref: WindowRef | undefined;
    try {
      ref = await reveals.open(req.triggerId, buildOpeningView(req.title, req.opening), key);
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'reveal window did not open');
    }
    result = await work;
    outcome = ref ? await fill(ref, result) : await fallback(result);
  }
  if (event && !(result.ok && result.value.audited === false)) {
    describe(event, result, outcome, errorRef);
    event.duration_ms = Math.round(performance.now() - started);
    deps.audit.record(event);
  }
  return outcome;

  function hideOf(value: Revealed): HideSpec | undefined {
    if (!value.hide) return undefined;
    const tell: HideSpec['tell'] = {};
    if (req.responseUrl) tell.responseUrl = req.responseUrl;
    if (req.channel) tell.channel = req.channel;
    return { ...value.hide, user: req.user, team: req.team, tell };
  }

  /** The refusal or error as the person reads it (logged once, with its incident reference). */
  function noticeOf(err: unknown): { view: View; message: SlackMessage } {
    const reply = errorReply(err, logger, req.title);
    errorRef = reply.ref;
    return { view: buildNoticeView(req.title, reply.message.blocks), message: reply.message };
  }

  async function openWith(settled: Settled): Promise<RevealOutcome> {
    if (!settled.ok) {
      const notice = noticeOf(settled.err);
      try {
        await reveals.open(req.triggerId, notice.view);
      } catch {
        // A refusal holds no value: it may go as a message.
        await replyEphemeral(deps, target(), notice.message, { where: req.title });
      }
      return 'notice';
    }
    const hide = hideOf(settled.value);
    try {
      if (hide) await reveals.openWithValue(req.triggerId, settled.value.view, hide);
      else await reveals.open(req.triggerId, settled.value.view);
      return 'shown';
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'reveal window did not open');
      return fallback(settled);
    }
  }

  async function fill(ref: WindowRef, settled: Settled): Promise<RevealOutcome> {
    if (!settled.ok) {
      await reveals.update(ref, noticeOf(settled.err).view);
      return 'notice';
    }
    const hide = hideOf(settled.value);
    return hide ? reveals.show(ref, settled.value.view, hide) : reveals.update(ref, settled.value.view);
  }

  /** No window: an "Open" button (no value) for a value, the refusal itself for an error. */
  async function fallback(settled: Settled): Promise<RevealOutcome> {
    if (!settled.ok) {
      await replyEphemeral(deps, target(), noticeOf(settled.err).message, { where: req.title });
      return 'notice';
    }
    await replyEphemeral(deps, target(), buildOpenButtonMessage(req.reopen.what, req.reopen.button), {
      where: req.title,
    });
    return 'fallback';
  }

  function target() {
    return { responseUrl: req.responseUrl, channel: req.channel, user: req.user };
  }
}

/** Fills in the reveal's audit event from how it ended. */
function describe(event: AuditEvent, result: Settled, outcome: RevealOutcome, ref: string | undefined): void {
  if (!result.ok) {
    event.outcome = outcomeOf(result.err);
    event.reason = reasonOf(result.err, ref);
  } else if (outcome !== 'shown') {
    event.outcome = 'error';
    event.reason = 'not_shown';
    event.note =
      outcome === 'fallback'
        ? 'read, but Slack would not open the window: an Open button was offered instead'
        : outcome === 'closed'
          ? 'read, but the person closed the window before the value came'
          : 'read, but Slack did not confirm the window: its hide is stored all the same';
  }
}
