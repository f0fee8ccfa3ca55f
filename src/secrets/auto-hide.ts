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

interface PendingHide {
  responseUrl: string;
  secretName: string;
  timer: NodeJS.Timeout;
}

export interface AutoHider {
  schedule(revealId: string, responseUrl: string, secretName: string, ttlMs: number): void;
  /** Cancels the timer of a reveal hidden by other means (the "Hide now" button); gives its secret's name. */
  cancel(revealId: string): string | undefined;
  /** Hides every pending reveal now; used at shutdown. */
  flush(): Promise<void>;
  readonly pending: number;
}

export function createAutoHider(post: ResponseUrlPoster, logger: Logger): AutoHider {
  const pending = new Map<string, PendingHide>();

  async function hide(revealId: string, reason: 'expired' | 'shutdown'): Promise<void> {
    const entry = pending.get(revealId);
    if (!entry) return;
    pending.delete(revealId);
    clearTimeout(entry.timer);
    const message: SlackMessage = buildHiddenMessage(entry.secretName, reason);
    try {
      await post(entry.responseUrl, { replace_original: true, ...message });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, reveal_id: revealId }, 'auto-hide failed');
    }
  }

  return {
    schedule(revealId, responseUrl, secretName, ttlMs) {
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
