/**
 * The outcome of the Slack request being handled. Handlers answer every failure themselves
 * (an ephemeral message) and return normally, so the outcome cannot be read from whether the
 * handler threw. Instead the places that already decide an outcome — an audit event, the error
 * reply helper — note it here, and the request metrics middleware reads it when the handler
 * is done.
 *
 * The AsyncLocalStorage is module-level on purpose: it holds no state of its own, only the
 * slot of the request whose async chain is running, and each app's middleware opens its own
 * slots. That keeps the audit log and the error helper free of a metrics dependency.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditLog, AuditOutcome } from '../audit/audit-events.js';

/** A request's outcome: the audit outcomes (ok, refused, denied, not_found, error, approved, …). */
export type RequestOutcome = AuditOutcome;

/** One request's slot; `closed` once its metrics are recorded, so late notes are ignored. */
export interface OutcomeSlot {
  outcome?: RequestOutcome;
  closed: boolean;
}

const current = new AsyncLocalStorage<OutcomeSlot>();

/**
 * Runs `work` with a fresh outcome slot that {@link noteRequestOutcome} fills in. The slot is
 * closed when `work` settles: timers the request started (an auto-hide) keep the context but
 * no longer change an outcome already counted.
 */
export async function withOutcomeSlot<T>(slot: OutcomeSlot, work: () => Promise<T>): Promise<T> {
  try {
    return await current.run(slot, work);
  } finally {
    slot.closed = true;
  }
}

/**
 * Notes an outcome for the request being handled, if any. The first outcome other than `ok`
 * wins (a refused read followed by an `ok` help message is still a refusal), except that
 * `error` always wins: an unexpected failure is what an operator must see.
 */
export function noteRequestOutcome(outcome: RequestOutcome): void {
  const slot = current.getStore();
  if (!slot || slot.closed) return;
  if (outcome === 'error' || slot.outcome === undefined || slot.outcome === 'ok') slot.outcome = outcome;
}

/** An audit log that also notes each event's outcome for the request being handled. */
export function noteAuditOutcomes(audit: AuditLog): AuditLog {
  return {
    record(event) {
      noteRequestOutcome(event.outcome);
      audit.record(event);
    },
  };
}
