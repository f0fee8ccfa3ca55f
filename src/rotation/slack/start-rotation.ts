/**
 * Starting a rotation for an IAM user named by a click: "Start rotation" in the detail of a user
 * opened from the keys-due report (keys-due/), and the user picker's submit. The same checks as
 * `/rotate-key USER --role R`, then the controller's start.
 */
import type { Deps } from '../../deps.js';
import { UserError } from '../../core/errors.js';
import type { SlackMessage } from '../../slack/block-kit.js';
import { safeWord } from '../../slack/command-text.js';
import { errorReply } from '../../slack/reply-errors.js';
import { IAM_USER_NAME } from '../core/iam-users.js';
import { decodeDueStart } from './ids.js';
import type { RotationController } from './rotation-controller.js';
import { type ButtonArgs, teamOf } from '../../slack/interaction-kit.js';

export interface StartFor {
  userId: string;
  teamId: string;
  userName: string;
  roleName?: string;
}

/**
 * Starts a rotation as `/rotate-key USER --role R` does (the same checks, then the
 * controller's start); returns the reply for the person.
 */
export async function startRotationFor(
  deps: Deps,
  controller: RotationController,
  request: StartFor,
): Promise<SlackMessage> {
  const { userName } = request;
  if (!IAM_USER_NAME.test(userName)) {
    throw new UserError('bad_command', `\`${safeWord(userName)}\` is not an IAM user name.`);
  }
  // SES SMTP users (by name or tag) are recognised by the controller's start.
  return controller.start(request);
}

/**
 * A button on a user from the keys-due report (keys-due/'s "Open", rotation's "Start rotation"):
 * its value names the IAM user and the role; `run` makes the clicker's answer (or throws), given
 * as an ephemeral reply beside the message. `what` names the click in logs.
 */
export function createDueUserButton(
  deps: Pick<Deps, 'logger'>,
  what: 'open' | 'start',
  run: (request: StartFor) => Promise<SlackMessage>,
) {
  const { logger } = deps;
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, respond } = args;
    await ack();
    let message: SlackMessage;
    try {
      const value = decodeDueStart(action.value);
      if (!value) throw new UserError('bad_command', 'That button is broken: run `/rotate-key due` again.');
      message = await run({
        userId: body.user.id,
        teamId: teamOf(body),
        userName: value.u,
        ...(value.r ? { roleName: value.r } : {}),
      });
    } catch (err) {
      message = errorReply(err, logger, `rotation due ${what}`).message;
    }
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, ...message });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, `keys-due ${what} reply not delivered`);
    }
  };
}

/** A "Start rotation" click in a user's detail opened from the keys-due report. */
export function createDueStartButton(deps: Deps, controller: RotationController) {
  return createDueUserButton(deps, 'start', (request) => startRotationFor(deps, controller, request));
}
