/**
 * The /rotate-key listener: ack at once, parse, start the rotation, answer the person
 * ephemerally. The rotation itself is followed in the status message the controller posts in
 * the person's DM.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { matchesGlob } from '../../approvals/approval.js';
import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { notice, type SlackMessage } from '../../slack/block-kit.js';
import { parseCommandText, safeWord } from '../../slack/command-text.js';
import { errorReply } from '../../slack/reply-errors.js';
import { buildHelpMessage, buildSmtpGuidance } from './rotation-blocks.js';
import type { RotationController } from './rotation-controller.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** IAM user names: up to 64 of letters, digits and `+=,.@_-`. */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

const USAGE = 'Usage: `/rotate-key USER [--role ROLE]`.';

/** `YYYYMMDD` (UTC), the suffix the SMTP runbook gives a replacement user. */
function dateSuffix(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

export function createRotateCommandHandler(deps: Deps, controller: RotationController | undefined) {
  const { logger, clock } = deps;

  async function reply(command: CommandArgs['command']): Promise<SlackMessage> {
    const { args, flags } = parseCommandText(command.text, ['role']);
    const [first, extra] = args;
    if (first === undefined || first.toLowerCase() === 'help') return buildHelpMessage();
    if (!controller) {
      throw new UserError(
        'bad_command',
        `Key rotation is not set up here: locksmith's config has no \`rotation\` section. Ask ${deps.config.access.contact}.`,
      );
    }
    if (first.toLowerCase() === 'due') {
      return notice('The keys-due report (`/rotate-key due`) is not available yet.', ':construction:');
    }
    if (extra !== undefined) throw new UserError('bad_command', `Too many words. ${USAGE}`);
    if (!IAM_USER_NAME.test(first)) {
      throw new UserError('bad_command', `\`${safeWord(first)}\` is not an IAM user name. ${USAGE}`);
    }
    if (controller.section.smtp_users.some((glob) => matchesGlob(first, glob))) {
      return buildSmtpGuidance(first, dateSuffix(clock.now()));
    }
    return controller.start({
      userId: command.user_id,
      teamId: command.team_id,
      userName: first,
      ...(flags.role ? { roleName: flags.role } : {}),
    });
  }

  return async ({ command, ack, respond }: CommandArgs): Promise<void> => {
    await ack();
    let message: SlackMessage;
    try {
      message = await reply(command);
    } catch (err) {
      message = errorReply(err, logger, '/rotate-key').message;
    }
    try {
      await respond({ response_type: 'ephemeral', ...message });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, '/rotate-key reply could not be delivered');
    }
  };
}
