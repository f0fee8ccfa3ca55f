/**
 * Slack must get an HTTP answer to every request within 3 s, or it shows the person an error
 * (and, for events, retries). Bolt answers only when a listener calls `ack()`: a request no
 * listener matches (a stale or forged `action_id`, a view the bot no longer knows, a payload
 * of an unknown type) or a listener that throws before acking would otherwise be left open
 * until Bolt's 3001 ms fallback answers 404, after Slack's deadline, and a burst of them held
 * that many connections open.
 */
import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../audit/logger.js';

/**
 * Makes `app` answer every request once its listeners are done: a request nobody acked gets
 * an empty 200 (for a modal submission: the modal closes), as soon as that is known rather
 * than after Bolt's timeout. Works for every receiver (HTTP, Socket Mode, Lambda), since they
 * all hand requests to `app.processEvent`.
 */
export function answerEveryRequest(app: App, logger: Logger): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent): Promise<void> => {
    // Tracked here, not by catching a second ack's error: Socket Mode ignores a second ack.
    let acked = false;
    const ack: ReceiverEvent['ack'] = (response) => {
      acked = true;
      return event.ack(response);
    };
    await processEvent({ ...event, ack });
    if (acked) return;
    await event.ack();
    logger.info({ type: requestType(event.body) }, 'answered a request no listener acknowledged');
  };
}

/** The kind of request, for a log line: never its contents, which may hold values. */
export function requestType(body: unknown): string {
  if (typeof body !== 'object' || body === null) return 'unknown';
  const b = body as { type?: unknown; command?: unknown };
  if (typeof b.command === 'string') return 'slash_command';
  return typeof b.type === 'string' ? b.type.slice(0, 40) : 'unknown';
}
