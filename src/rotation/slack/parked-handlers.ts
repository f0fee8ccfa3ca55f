/**
 * The buttons of a parked rotation: "Take over" (on the approvals-channel post, and as "Resume" in
 * the status message) and "Cancel rotation" on the post. Each acks first, asks the controller
 * (which checks the clicker may use the rotation's role now), and answers: the post is replaced
 * with what happened through the click's response_url (an interaction's response_url may replace
 * the message the click came from: docs.slack.dev, "Modifying messages"); a refusal goes to the
 * clicker only.
 */
import type { Deps } from '../../deps.js';
import { section } from '../../slack/block-kit.js';
import { errorReply } from '../../slack/reply-errors.js';
import { clickEventId, decodeValue } from './ids.js';
import { BLOCK_PARKED_ACTIONS, buildParkedOutcome } from './parked-blocks.js';
import type { ActOutcome, RotationController } from './rotation-controller.js';
import { type ButtonArgs, teamOf } from '../../slack/interaction-kit.js';

export function createParkedHandlers(deps: Pick<Deps, 'logger'>, controller: RotationController) {
  const { logger } = deps;

  async function tell(args: ButtonArgs, mrkdwn: string): Promise<void> {
    await args
      .respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: mrkdwn.replace(/[`*_]/g, '').slice(0, 300),
        blocks: [section(mrkdwn)],
      })
      .catch((err: unknown) =>
        logger.warn({ err: { message: (err as Error).message } }, 'rotation reply not delivered'),
      );
  }

  async function answer(
    args: ButtonArgs,
    outcome: ActOutcome,
    what: 'taken-over' | 'cancelled',
  ): Promise<void> {
    const rotation = outcome.result?.rotation;
    const applied = outcome.result?.outcome === 'applied' || outcome.result?.outcome === 'failed';
    if (applied && rotation && args.action.block_id === BLOCK_PARKED_ACTIONS) {
      await args
        .respond({ replace_original: true, ...buildParkedOutcome(rotation, what, args.body.user.id) })
        .catch((err: unknown) =>
          logger.warn({ err: { message: (err as Error).message } }, 'parked post not updated'),
        );
    }
    if (outcome.message) await tell(args, outcome.message);
  }

  async function handle(
    args: ButtonArgs,
    run: (rotationId: string, eventId: string) => Promise<ActOutcome>,
    what: 'taken-over' | 'cancelled',
  ): Promise<void> {
    await args.ack();
    const value = decodeValue(args.action.value);
    if (!value) return tell(args, ':warning: This button is out of date.');
    try {
      await answer(args, await run(value.r, clickEventId(args.action.action_id, value)), what);
    } catch (err) {
      const reply = errorReply(err, logger, 'rotation parked');
      const first = reply.message.blocks[0];
      await tell(
        args,
        first && first.type === 'section' && first.text ? first.text.text : reply.message.text,
      );
    }
  }

  const clickerOf = (args: ButtonArgs) => ({
    id: args.body.user.id,
    teamId: teamOf(args.body),
  });

  return {
    takeOver: (args: ButtonArgs) =>
      handle(args, (rotationId) => controller.takeOver(rotationId, clickerOf(args)), 'taken-over'),
    cancel: (args: ButtonArgs) =>
      handle(
        args,
        (rotationId, eventId) =>
          controller.act(rotationId, { type: 'cancel', by: args.body.user.id, eventId }, clickerOf(args)),
        'cancelled',
      ),
  };
}
