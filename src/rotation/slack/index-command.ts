/**
 * `/rotate-key index [--role R]`: what indexing does and the button that starts it; "Index this
 * account" reads every value once and tags each place that holds a key.
 */
import type { AuditEvent } from '../../audit/audit-events.js';
import { audited } from '../../audit/audited.js';
import type { Deps } from '../../deps.js';
import { notice, type SlackMessage } from '../../slack/block-kit.js';
import { errorReply } from '../../slack/reply-errors.js';
import { guardedPlaces } from '../core/guarded-places.js';
import { indexAccount } from '../core/locate.js';
import { decodeIndexStart } from './ids.js';
import { buildIndexPrompt, buildIndexResult } from './index-blocks.js';
import type { RotationController } from './rotation-controller.js';
import { type ButtonArgs, teamOf } from '../../slack/interaction-kit.js';

export interface AccountIndex {
  /** `/rotate-key index [--role R]`: what indexing does, and the button that starts it. */
  indexPrompt(request: { userId: string; teamId: string; roleName?: string }): Promise<SlackMessage>;
  /** "Index this account": reads every value once and tags each place that holds a key. */
  indexButton(args: ButtonArgs): Promise<void>;
}

export function createAccountIndex(deps: Deps, controller: RotationController): AccountIndex {
  const { logger, clock, callers } = deps;

  async function indexPrompt(request: { userId: string; teamId: string; roleName?: string }) {
    // Checks the person may use the role before offering anything (no AWS call).
    const { role } = await callers.authorize(request.userId, request.teamId, request.roleName);
    return buildIndexPrompt(role.name, role.arn.split(':')[4] ?? '');
  }

  async function indexButton(args: ButtonArgs): Promise<void> {
    const { ack, body, action, respond } = args;
    await ack();
    const teamId = teamOf(body);
    const reply = async (message: SlackMessage) =>
      respond({ response_type: 'ephemeral', replace_original: true, ...message }).catch((err: unknown) =>
        logger.warn({ err: { message: (err as Error).message } }, 'index reply not delivered'),
      );
    const roleName = decodeIndexStart(action.value);
    const started = clock.now();
    await reply(
      notice(
        'Indexing: reading every secret and parameter your role can read, 20 secrets a call. I will replace this message with the result.',
        ':hourglass_flowing_sand:',
      ),
    );
    const event: AuditEvent = {
      action: 'rotation.action',
      outcome: 'ok',
      person: { slack_id: body.user.id, team_id: teamId },
      target: 'account index',
      note: 'index',
    };
    const message = await audited(deps.audit, event, async () => {
      const caller = await callers.resolve(body.user.id, teamId, roleName);
      event.person.email = caller.person.email;
      event.role = caller.role;
      const role = { name: caller.role.name, arn: caller.role.arn };
      // Secrets guarded for reveals are not asked for (the session's policy denies them anyway).
      const notRead = guardedPlaces(deps.config.approvals, 'read');
      const result = await indexAccount(caller.session.clients, {
        limits: controller.configFor({ role }).scan,
        now: started,
        ...(notRead ? { notRead } : {}),
      });
      event.count = result.tagged;
      return buildIndexResult(role.name, result, clock.now() - started);
    }).catch((err: unknown) => errorReply(err, logger, 'rotation index').message);
    await reply(message);
  }

  return { indexPrompt, indexButton };
}
