import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../deps.js';
import { createAutoHider } from './auto-hide.js';
import {
  createEditButtonHandler,
  createEditGrantConsumer,
  createEditSubmitHandler,
  createUndoButtonHandler,
} from './edit-handlers.js';
import { createSecretGrantConsumer } from './grant-reveal.js';
import { ACTION_EDIT_OPEN, ACTION_EDIT_UNDO, ACTION_HIDE, COMMAND_SECRET, VIEW_EDIT } from './ids.js';
import { createHideButtonHandler, createSecretCommandHandler } from './secret-command.js';

export { interpretSecretString, listSecrets, readSecret } from './secret-reader.js';
export { undoVersion, writeSecretFields } from './secret-writer.js';

/** Registers /secret, its buttons, and the edit modal. */
export function register(app: App, deps: Deps): FeatureHandle {
  const hider = createAutoHider(deps, 'secret');
  app.command(COMMAND_SECRET, createSecretCommandHandler(deps, hider));
  app.action(ACTION_HIDE, createHideButtonHandler(deps, hider));
  deps.grantConsumers.set('secret', createSecretGrantConsumer(deps));
  app.action(ACTION_EDIT_OPEN, createEditButtonHandler(deps));
  app.view(VIEW_EDIT, createEditSubmitHandler(deps));
  app.action(ACTION_EDIT_UNDO, createUndoButtonHandler(deps));
  deps.grantConsumers.set('edit', createEditGrantConsumer(deps));
  return { shutdown: () => hider.flush(), jobs: [hider.job] };
}
