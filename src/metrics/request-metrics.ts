/**
 * A Bolt global middleware that counts every Slack request by kind, name and outcome and times
 * it until its handler is done. Bolt awaits the listeners inside `next()`, and the handlers
 * ack first and reply before they return, so the time to `next()` settling is the time to the
 * reply. The outcome is what the handler's audit events or error reply noted (request-outcome.ts).
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { RequestLabels } from './labels.js';
import type { Metrics } from './metrics.js';
import { type OutcomeSlot, withOutcomeSlot } from './request-outcome.js';

export function createRequestMetricsMiddleware(
  metrics: Pick<Metrics, 'observeRequest'>,
  labels: Pick<RequestLabels, 'requestLabels'>,
): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const { kind, name } = labels.requestLabels(body);
    const started = performance.now();
    const slot: OutcomeSlot = { closed: false };
    try {
      await withOutcomeSlot(slot, next);
    } catch (err) {
      // Bolt hands the error to app.error (errorReply) after this middleware: it is an error.
      slot.outcome = 'error';
      throw err;
    } finally {
      metrics.observeRequest({
        kind,
        name,
        outcome: slot.outcome ?? 'ok',
        seconds: (performance.now() - started) / 1000,
      });
    }
  };
}
