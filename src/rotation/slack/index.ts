import type { App } from '@slack/bolt';
import type { Approval, ApprovalKind } from '../../approvals/approval.js';
import type { Deps, FeatureHandle } from '../../deps.js';
import {
  ACTION_CANCEL_PARKED,
  ACTION_TAKE_OVER,
  ACTION_EDIT_HOME_PATTERN,
  ACTION_INDEX_START,
  ACTION_DUE_START_PATTERN,
  ACTION_PICK_USER,
  actionPattern,
  STATUS_ACTIONS,
  VIEW_PICK_USER,
  VIEW_PLACES,
  VIEW_HOME,
  VIEW_PROCEED,
} from './ids.js';
import { commandListener } from '../../slack/command-table.js';
import { createKeyHomeHandlers } from './key-home-handlers.js';
import { type KeysDueAnswer, type RotateKeyContext, rotateKeyCommand } from './manifest.js';
import { createAccountIndex } from './index-command.js';
import { createParkedHandlers } from './parked-handlers.js';
import { createRotationController, type SmtpUsersHandoff } from './rotation-controller.js';
import { createRotationHandlers } from './rotation-handlers.js';
import { createDueStartButton } from './start-rotation.js';
import { createUserPicker } from './user-picker.js';

export { buildStatusMessage, type StatusContext } from './status-message.js';
export {
  createRotationController,
  type RotationController,
  type SmtpUsersHandoff,
  toRotationConfig,
} from './rotation-controller.js';

/**
 * What other features do for /rotate-key, handed in by the composition root (features.ts) so
 * rotation imports none of them: the word `due` (keys-due/), SES SMTP users (smtp-users/).
 */
export interface RotationHandoffs {
  due?: KeysDueAnswer;
  smtp?: SmtpUsersHandoff;
}

/** The approval kinds rotation steps are filed under. */
const ROTATION_APPROVALS: ApprovalKind[] = ['deactivate-key', 'delete-key', 'skip-wait', 'write-guarded'];

/**
 * Registers /rotate-key, the status message's buttons and modals, the approval hooks and the
 * scheduler job that drives the waits. Without a `rotation` section only the command is
 * registered, and it says rotation is not set up.
 */
export function register(
  app: App,
  deps: Deps,
  options: { takeOverFromGoneLocalProcesses?: boolean } = {},
  handoffs: RotationHandoffs = {},
): FeatureHandle {
  const { smtp, due } = handoffs;
  const section = deps.config.rotation;
  const controller = section ? createRotationController(deps, section, options, smtp) : undefined;
  const index = controller ? createAccountIndex(deps, controller) : undefined;
  const picker = controller ? createUserPicker(deps, controller) : undefined;
  const context: RotateKeyContext = {
    deps,
    ...(controller ? { controller } : {}),
    ...(index ? { index } : {}),
    ...(picker ? { picker } : {}),
    ...(due ? { due } : {}),
  };
  app.command(rotateKeyCommand.command, commandListener(deps, rotateKeyCommand, context));
  if (!controller || !index || !picker) return {};

  // "Start rotation" in a user opened from the keys-due report (keys-due/), the index button and
  // the bare command's modal.
  app.action(ACTION_DUE_START_PATTERN, createDueStartButton(deps, controller));
  app.action(ACTION_INDEX_START, index.indexButton);
  app.options(ACTION_PICK_USER, picker.options);
  app.view(VIEW_PICK_USER, picker.submit);

  const handlers = createRotationHandlers(deps, controller);
  for (const id of STATUS_ACTIONS) app.action(actionPattern(id), handlers.button);
  app.view(VIEW_PLACES, handlers.placesSubmit);
  app.view(VIEW_PROCEED, handlers.proceedSubmit);
  // A parked rotation: taken over or cancelled by someone who may use its role.
  const parked = createParkedHandlers(deps, controller);
  app.action(ACTION_TAKE_OVER, parked.takeOver);
  app.action(ACTION_CANCEL_PARKED, parked.cancel);
  const homes = createKeyHomeHandlers(deps, controller);
  app.action(ACTION_EDIT_HOME_PATTERN, homes.button);
  app.view(VIEW_HOME, homes.submit);

  if (deps.approvals) {
    // One handler per kind: an SES SMTP user's deletion (detail.smtp) is filed as delete-key too,
    // and goes to smtp-users/ (ignored without it, never taken for a rotation's step).
    const decided = async (a: Approval) =>
      a.detail['smtp'] ? smtp?.approvalDecided(a) : controller.approvalDecided(a);
    for (const kind of ROTATION_APPROVALS) {
      deps.approvals.onApproved(kind, decided);
      deps.approvals.onRejected(kind, decided);
    }
  }
  return { jobs: [{ name: 'rotation.resume', run: () => controller.resume() }] };
}
