/**
 * Slack tells the app when a member's data changes (`user_change`: a deactivation, a new email,
 * a change of account type) or a member joins (`team_join`). Either drops the person from the
 * user directory's cache at once, so the next request looks them up again: a deactivated user
 * loses access on their next click, not after `slack.user_cache_seconds`. The event's own copy of
 * the user is not trusted for anything else; the next users.info decides.
 *
 * The manifest subscribes to both (bot events, scope `users:read`). With several replicas the
 * event reaches one of them; the others notice within `slack.user_cache_seconds`
 * (docs/deployment.md says so).
 */
import type { FeatureManifest } from '../core/manifest.js';
import type { App } from '@slack/bolt';
import type { Logger } from '../audit/logger.js';
import type { UserDirectory } from './user-directory.js';

/** The events this module listens to; metrics/labels.ts counts them by name. */
export const USER_EVENTS = ['user_change', 'team_join'] as const;

/** The user events, declared like a feature's (core/manifest.ts) so metrics counts them by name. */
export const manifest: FeatureManifest = { name: 'user-events', events: USER_EVENTS };

export function registerUserEvents(app: App, deps: { directory: UserDirectory; logger: Logger }): void {
  for (const type of USER_EVENTS) {
    app.event(type, async ({ event }) => {
      const user = (event as { user?: { id?: unknown } }).user;
      if (typeof user?.id !== 'string') return;
      deps.directory.forget(user.id);
      deps.logger.debug({ slack_user: user.id, event: type }, 'user directory: person forgotten');
    });
  }
}
