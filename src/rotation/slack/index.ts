import type { App } from '@slack/bolt';
import type { ApprovalKind } from '../../approvals/approval.js';
import type { Deps, FeatureHandle } from '../../deps.js';
import { actionPattern, COMMAND_ROTATE_KEY, STATUS_ACTIONS, VIEW_PLACES, VIEW_PROCEED } from './ids.js';
import { createRotateCommandHandler } from './rotate-command.js';
import { createRotationController } from './rotation-controller.js';
import { createRotationHandlers } from './rotation-handlers.js';

export { buildStatusMessage, type StatusContext } from './rotation-blocks.js';
export {
  createRotationController,
  type RotationController,
  toRotationConfig,
} from './rotation-controller.js';

/** The approval kinds rotation steps are filed under. */
const ROTATION_APPROVALS: ApprovalKind[] = ['deactivate-key', 'delete-key', 'skip-wait'];

/**
 * Registers /rotate-key, the status message's buttons and modals, the approval hooks and the
 * scheduler job that drives the waits. Without a `rotation` section only the command is
 * registered, and it says rotation is not set up.
 */
export function register(app: App, deps: Deps): FeatureHandle {
  const section = deps.config.rotation;
  const controller = section ? createRotationController(deps, section) : undefined;
  app.command(COMMAND_ROTATE_KEY, createRotateCommandHandler(deps, controller));
  if (!controller) return {};

  const handlers = createRotationHandlers(deps, controller);
  for (const id of STATUS_ACTIONS) app.action(actionPattern(id), handlers.button);
  app.view(VIEW_PLACES, handlers.placesSubmit);
  app.view(VIEW_PROCEED, handlers.proceedSubmit);

  if (deps.approvals) {
    for (const kind of ROTATION_APPROVALS) {
      deps.approvals.onApproved(kind, (a) => controller.approvalDecided(a));
      deps.approvals.onRejected(kind, (a) => controller.approvalDecided(a));
    }
  }
  return { jobs: [{ name: 'rotation.resume', run: () => controller.resume() }] };
}
