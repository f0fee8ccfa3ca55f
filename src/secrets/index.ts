import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../deps.js';
import { createAutoHider } from './auto-hide.js';
import { createSecretGrantConsumer } from './grant-reveal.js';
import { ACTION_HIDE, COMMAND_SECRET } from './ids.js';
import { createHideButtonHandler, createSecretCommandHandler } from './secret-command.js';

export { interpretSecretString, listSecrets, readSecret } from './secret-reader.js';

/** Registers /secret and its buttons. */
export function register(app: App, deps: Deps): FeatureHandle {
  const hider = createAutoHider(deps, 'secret');
  app.command(COMMAND_SECRET, createSecretCommandHandler(deps, hider));
  app.action(ACTION_HIDE, createHideButtonHandler(deps, hider));
  deps.grantConsumers.set('secret', createSecretGrantConsumer(deps));
  return { shutdown: () => hider.flush(), jobs: [hider.job] };
}
