import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../deps.js';
import { commandListener } from '../slack/command-table.js';
import {
  createEditButtonHandler,
  createEditGrantConsumer,
  createEditSubmitHandler,
  createUndoButtonHandler,
} from './edit-handlers.js';
import { createSecretGrantConsumer } from './grant-reveal.js';
import {
  ACTION_EDIT_OPEN,
  ACTION_EDIT_UNDO,
  ACTION_REVEAL_OPEN,
  ACTIONS_SUGGEST_GET,
  VIEW_EDIT,
} from './ids.js';
import { secretCommand } from './manifest.js';
import { createRevealOpenHandler, createSuggestionHandler } from './secret-reveal.js';

export { interpretSecretString, listSecrets, readSecret } from './secret-reader.js';
export { undoVersion, writeSecretFields } from './secret-writer.js';

/** Registers /secret, its buttons, and the edit modal. Its windows' hides are reveal/'s. */
export function register(app: App, deps: Deps): FeatureHandle {
  app.command(secretCommand.command, commandListener(deps, secretCommand, deps));
  app.action(ACTION_REVEAL_OPEN, createRevealOpenHandler(deps));
  // "Did you mean…?" under a not-found: each suggested name shows in the same window.
  const suggestion = createSuggestionHandler(deps);
  for (const id of ACTIONS_SUGGEST_GET) app.action(id, suggestion);
  deps.grantConsumers.set('secret', createSecretGrantConsumer(deps));
  app.action(ACTION_EDIT_OPEN, createEditButtonHandler(deps));
  app.view(VIEW_EDIT, createEditSubmitHandler(deps));
  app.action(ACTION_EDIT_UNDO, createUndoButtonHandler(deps));
  deps.grantConsumers.set('edit', createEditGrantConsumer(deps));
  return {};
}
