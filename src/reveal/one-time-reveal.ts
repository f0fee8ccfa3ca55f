/**
 * One-time reveals of credentials locksmith makes and keeps no copy of (a rotation's new key
 * pair, a replacement SES SMTP user's credentials) as reveal windows: the window the click opened
 * shows them, and hides them again after `reveal.one_time_ttl_seconds`, by the same stored,
 * audited hide as every reveal (reveal-windows.ts). The hidden window says what to do then.
 * Here, below the features, so rotation/ and smtp-users/ both use it without importing each other.
 */
import type { View } from '@slack/types';
import type { AuditLog } from '../audit/audit-events.js';
import type { Config } from '../config.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';
import type { RevealWindows } from './reveal-windows.js';

/** What a one-time reveal needs of the bot's Deps (deps.ts sits above reveal/). */
export interface OneTimeRevealDeps {
  reveals: Pick<RevealWindows, 'show'>;
  config: Pick<Config, 'reveal'>;
  audit: AuditLog;
}

/** Who is shown it, what it belongs to, and where to tell them if the hide fails. */
export interface OneTimeReveal {
  user: string;
  team: string;
  /** The IAM user (or new SMTP user) the credentials belong to. */
  target: string;
  role: { name: string; arn: string };
  /** The window's title. */
  title: string;
  tell?: { responseUrl?: string; channel?: string };
  /** The audit line's note: what was shown (a key id, never a secret). */
  note: string;
  rotationId?: string;
}

/**
 * Puts `view` into the open window `viewId` with its hide stored first, and records the
 * `rotation.reveal` audit line (an error when there was no window or it could not be shown);
 * true if it was shown.
 */
export async function showOnce(
  deps: OneTimeRevealDeps,
  viewId: string | undefined,
  view: View,
  what: OneTimeReveal,
): Promise<boolean> {
  const shown = viewId !== undefined && (await show(deps, viewId, view, what));
  deps.audit.record({
    action: 'rotation.reveal',
    outcome: shown ? 'ok' : 'error',
    person: { slack_id: what.user, team_id: what.team },
    role: what.role,
    target: what.target,
    ...(what.rotationId !== undefined ? { rotation_id: what.rotationId } : {}),
    note: what.note,
  });
  return shown;
}

async function show(deps: OneTimeRevealDeps, viewId: string, view: View, what: OneTimeReveal) {
  const outcome = await deps.reveals.show({ key: viewId, viewId }, view, {
    subject: {
      action: 'rotation.hide',
      target: what.target,
      role: what.role,
      title: what.title,
      again: `locksmith keeps no copy of it. If it was not copied, cancel the rotation of ${'`'}${escapeMrkdwn(what.target)}${'`'} from its message (an unused new key is deleted) and start again.`,
    },
    ttlMs: deps.config.reveal.one_time_ttl_seconds * 1000,
    user: what.user,
    team: what.team,
    ...(what.tell ? { tell: what.tell } : {}),
  });
  return outcome === 'shown';
}
