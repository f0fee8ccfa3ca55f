/**
 * Registers the keys-due report's listeners (its manifest: ../manifest.ts): the "Open" buttons
 * and the scheduled post. `/rotate-key due` itself is /rotate-key's word (rotation/), handed
 * {@link dueCommand} by the composition root (features.ts).
 */
import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../../deps.js';
import { ACTION_DUE_OPEN_PATTERN } from '../ids.js';
import { createKeysDue, type KeysDue } from './keys-due-command.js';

export { createKeysDue, type DueCommandRequest, type KeysDue } from './keys-due-command.js';

/** Without a `rotation` section there is no report (/rotate-key says rotation is not set up). */
export function register(app: App, deps: Deps): FeatureHandle {
  const section = deps.config.rotation;
  if (!section) return {};
  const keysDue = createKeysDue(deps, section);
  app.action(ACTION_DUE_OPEN_PATTERN, keysDue.openButton);
  return keysDue.job ? { jobs: [keysDue.job] } : {};
}

/** `/rotate-key due [--role R]`, for /rotate-key's listener; undefined without a `rotation` section. */
export function dueCommand(deps: Deps): KeysDue['command'] | undefined {
  const section = deps.config.rotation;
  return section ? createKeysDue(deps, section).command : undefined;
}
