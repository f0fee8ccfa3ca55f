/**
 * The /rotate-key listener: ack at once, parse, start the rotation, answer the person
 * ephemerally. The rotation itself is followed in the status message the controller posts in
 * the person's DM.
 */
import type { Deps } from '../../deps.js';
import { UserError } from '../../core/errors.js';
import { notice, type SlackMessage } from '../../slack/block-kit.js';
import { parseCommandText, safeWord } from '../../slack/command-text.js';
import { replyEphemeral } from '../../slack/ephemeral-reply.js';
import { errorReply } from '../../slack/reply-errors.js';
import { IAM_USER_NAME } from '../core/iam-users.js';
import { createAccountIndex, type AccountIndex } from './index-command.js';
import { buildHelpMessage } from './help-message.js';
import type { RotationController } from './rotation-controller.js';
import { createUserPicker, type UserPicker } from './user-picker.js';
import type { CommandArgs } from '../../slack/interaction-kit.js';

/**
 * Words of /rotate-key that other features answer, handed in by the composition root
 * (features.ts) so rotation imports none of them: `due`, the keys-due report (keys-due/).
 */
export interface RotateSubcommands {
  due?: (request: { userId: string; teamId: string; roleName?: string }) => Promise<SlackMessage>;
}

const USAGE = 'Usage: `/rotate-key USER [--role ROLE]`.';

export function createRotateCommandHandler(
  deps: Deps,
  controller: RotationController | undefined,
  parts: { index?: AccountIndex; picker?: UserPicker; subcommands?: RotateSubcommands } = {},
) {
  const { logger } = deps;
  const index = parts.index ?? (controller ? createAccountIndex(deps, controller) : undefined);
  const keysDue = parts.subcommands?.due;
  const picker = parts.picker ?? (controller ? createUserPicker(deps, controller) : undefined);

  /** The reply to the command; undefined when a modal was opened instead. */
  async function reply(command: CommandArgs['command']): Promise<SlackMessage | undefined> {
    const { args, flags } = parseCommandText(command.text, ['role']);
    const [first, extra] = args;
    if (first === undefined && picker) {
      // Bare /rotate-key: the modal to choose the role and the IAM user.
      await picker.open({ userId: command.user_id, teamId: command.team_id, triggerId: command.trigger_id });
      return undefined;
    }
    if (first === undefined || first.toLowerCase() === 'help') return buildHelpMessage();
    if (!controller) {
      throw new UserError(
        'bad_command',
        `Key rotation is not set up here: locksmith's config has no \`rotation\` section. Ask ${deps.config.access.contact}.`,
      );
    }
    if (first.toLowerCase() === 'index') {
      if (extra !== undefined)
        throw new UserError('bad_command', 'Usage: `/rotate-key index [--role ROLE]`.');
      if (!index) return notice('Indexing is not available here.', ':construction:');
      return index.indexPrompt({
        userId: command.user_id,
        teamId: command.team_id,
        ...(flags.role ? { roleName: flags.role } : {}),
      });
    }
    if (first.toLowerCase() === 'due') {
      if (extra !== undefined) throw new UserError('bad_command', 'Usage: `/rotate-key due [--role ROLE]`.');
      if (!keysDue) return notice('The keys-due report is not available here.', ':construction:');
      return keysDue({
        userId: command.user_id,
        teamId: command.team_id,
        ...(flags.role ? { roleName: flags.role } : {}),
      });
    }
    if (extra !== undefined) throw new UserError('bad_command', `Too many words. ${USAGE}`);
    if (!IAM_USER_NAME.test(first)) {
      throw new UserError('bad_command', `\`${safeWord(first)}\` is not an IAM user name. ${USAGE}`);
    }
    return controller.start({
      userId: command.user_id,
      teamId: command.team_id,
      userName: first,
      ...(flags.role ? { roleName: flags.role } : {}),
    });
  }

  return async ({ command, ack }: CommandArgs): Promise<void> => {
    await ack();
    let message: SlackMessage | undefined;
    try {
      message = await reply(command);
    } catch (err) {
      message = errorReply(err, logger, '/rotate-key').message;
    }
    if (!message) return;
    // These replies hold no secret (a new key is shown only in a window), so any way will do.
    await replyEphemeral(
      deps,
      { responseUrl: command.response_url, channel: command.channel_id, user: command.user_id },
      message,
      { where: '/rotate-key' },
    );
  };
}
