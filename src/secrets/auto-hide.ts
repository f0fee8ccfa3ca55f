/**
 * Hides reveals after their time is up by replacing the ephemeral message through its
 * response_url (the only way Slack allows an ephemeral message to be changed).
 * Pending hides live in memory; on shutdown they are all carried out at once, so a restart
 * never leaves a value on someone's screen.
 */
import type { Logger } from 'pino';
import type { SlackMessage } from '../slack/block-kit.js';
import type { ResponseUrlPoster } from '../slack/response-url.js';
import { buildHiddenMessage } from './reveal-blocks.js';

interface PendingHide<T> {
  responseUrl: string;
  secretName: T;
  timer: NodeJS.Timeout;
}

/** Why a message is being hidden by the hider. */
export type HideReason = 'expired' | 'shutdown';

/**
 * What replaces a message when it hides; `target` is what was scheduled with it (for /secret,
 * the secret's name).
 */
export type HiddenMessageBuilder<T> = (target: T, reason: HideReason) => SlackMessage;

/**
 * `T` is what a feature needs to word the hidden message: the secret's name for /secret (the
 * default), the secret and field for /totp.
 */
export interface AutoHider<T = string> {
  /**
   * Hides the message after `ttlMs`. Scheduling again under the same id replaces the earlier
   * hide, so a message refreshed in place hides on its new schedule, through its newest
   * response_url.
   */
  schedule(revealId: string, responseUrl: string, secretName: T, ttlMs: number): void;
  /** Cancels the timer of a reveal hidden by other means (the "Hide now" button); gives its secret's name. */
  cancel(revealId: string): T | undefined;
  /** Hides every pending reveal now; used at shutdown. */
  flush(): Promise<void>;
  readonly pending: number;
}

/** The /secret hider: hidden reveals say so with {@link buildHiddenMessage}. */
export function createAutoHider(post: ResponseUrlPoster, logger: Logger): AutoHider;
/** A hider for another feature's messages, worded by `build`. */
export function createAutoHider<T>(
  post: ResponseUrlPoster,
  logger: Logger,
  build: HiddenMessageBuilder<T>,
): AutoHider<T>;
export function createAutoHider<T>(
  post: ResponseUrlPoster,
  logger: Logger,
  build?: HiddenMessageBuilder<T>,
): AutoHider<T> {
  // Without a builder, T is string (the first overload), which is what buildHiddenMessage takes.
  const toMessage = build ?? (buildHiddenMessage as HiddenMessageBuilder<unknown>);
  const pending = new Map<string, PendingHide<T>>();

  async function hide(revealId: string, reason: HideReason): Promise<void> {
    const entry = pending.get(revealId);
    if (!entry) return;
    pending.delete(revealId);
    clearTimeout(entry.timer);
    const message: SlackMessage = toMessage(entry.secretName, reason);
    try {
      await post(entry.responseUrl, { replace_original: true, ...message });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, reveal_id: revealId }, 'auto-hide failed');
    }
  }

  return {
    schedule(revealId, responseUrl, secretName, ttlMs) {
      const earlier = pending.get(revealId);
      if (earlier) clearTimeout(earlier.timer);
      const timer = setTimeout(() => void hide(revealId, 'expired'), ttlMs);
      pending.set(revealId, { responseUrl, secretName, timer });
    },
    cancel(revealId) {
      const entry = pending.get(revealId);
      if (!entry) return undefined;
      clearTimeout(entry.timer);
      pending.delete(revealId);
      return entry.secretName;
    },
    async flush() {
      await Promise.all([...pending.keys()].map((id) => hide(id, 'shutdown')));
    },
    get pending() {
      return pending.size;
    },
  };
}
