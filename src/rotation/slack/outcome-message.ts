/** What a run of the rotation came to, in one sentence for the person who clicked. */
import type { RunResult } from '../core/runner.js';
import { escapeKeepingMentions } from './message-parts.js';

/** mrkdwn, already escaped; undefined when the status message says it all. */
export function outcomeMessage(result: RunResult): string | undefined {
  switch (result.outcome) {
    case 'applied':
      return result.error ? `:x: ${escapeKeepingMentions(result.error.message)}` : undefined;
    case 'idle':
      return undefined;
    case 'failed':
      return `:x: ${escapeKeepingMentions(result.error?.message ?? 'The step failed.')}`;
    case 'duplicate':
      return `:information_source: ${escapeKeepingMentions(result.refusal?.message ?? 'That was already done.')}`;
    case 'busy':
    case 'refused':
      return `:warning: ${escapeKeepingMentions(result.refusal?.message ?? 'That does not apply now.')}`;
    case 'conflict':
      return ':warning: The rotation changed meanwhile, so nothing was done. Look at the message again.';
    case 'not-found':
      return ':warning: This rotation no longer exists.';
  }
}
