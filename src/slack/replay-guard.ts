/**
 * A request seen before has no second effect (README, "Security model"). Each receiver names a
 * replay key in the event's custom properties: the signature of an HTTP request (valid only
 * within its five-minute window, so remembered for that long), or the envelope id of a Socket
 * Mode envelope. The key is remembered in the store, so every replica sharing it knows it; a
 * repeat is answered with an empty acknowledgement and reaches no listener.
 *
 * Slack's own retries (`X-Slack-Retry-Num`, a Socket Mode `retry_attempt`) are new deliveries,
 * signed anew or sent in a new envelope: they are not replays and reach the listeners, which are
 * idempotent on what the request names (a rotation's event ids, an approval's compare-and-set).
 * Should a retry ever arrive with the very signature of the first delivery, it gets the same
 * empty answer, which is all Slack asks of a retry.
 */
import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../audit/logger.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { requestType } from './answer-every-request.js';
import type { ReplayKey } from './request-signature.js';

/** The custom property a receiver sets to a {@link ReplayKey}. */
export const REPLAY_KEY_PROPERTY = 'locksmithReplayKey';

/** What a person sees when a command cannot be checked for a replay (the store is down). */
const STORE_DOWN_TEXT =
  "locksmith can't check this request right now (its state store is not answering), so it did nothing. Try again in a minute.";

function replayKeyOf(event: ReceiverEvent): ReplayKey | undefined {
  const value = (event.customProperties as Record<string, unknown> | undefined)?.[REPLAY_KEY_PROPERTY];
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, until } = value as Partial<ReplayKey>;
  return typeof key === 'string' && typeof until === 'number' ? { key, until } : undefined;
}

/**
 * Makes `app` answer a replayed request with an empty acknowledgement and nothing else. Works
 * for every receiver that sets {@link REPLAY_KEY_PROPERTY}; a request without one (none today)
 * passes through.
 */
export function refuseReplays(
  app: App,
  deps: { store: Pick<Store, 'rememberOnce'>; clock: Clock; logger: Logger },
): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent): Promise<void> => {
    const replay = replayKeyOf(event);
    if (replay === undefined) return processEvent(event);
    let first: boolean;
    try {
      first = await deps.store.rememberOnce(replay.key, replay.until, deps.clock.now());
    } catch (err) {
      // Fail closed: without the store nobody can tell a replay from a first delivery.
      deps.logger.error(
        { err: { message: (err as Error).message } },
        'request refused: the store could not check it for a replay',
      );
      const command = typeof (event.body as { command?: unknown }).command === 'string';
      await event.ack(command ? { response_type: 'ephemeral', text: STORE_DOWN_TEXT } : undefined);
      return;
    }
    if (first) return processEvent(event);
    deps.logger.warn(
      { type: requestType(event.body), retry_num: event.retryNum },
      'replayed request answered without effect',
    );
    await event.ack();
  };
}
