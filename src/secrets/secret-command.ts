/**
 * The /secret listener: ack at once, parse, then either a reveal window (`get`), the edit form
 * (`edit`), or an ephemeral reply (`list`, help, refusals). Thin on purpose; the rules live in
 * identity/, secret-reader.ts and reveal/.
 */
import type { AuditEvent } from '../audit/audit-events.js';
import { audited } from '../audit/audited.js';
import type { Deps } from '../deps.js';
import { UserError } from '../core/errors.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { parseCommandText, safeWord } from '../slack/command-text.js';
import { replyEphemeral } from '../slack/ephemeral-reply.js';
import type { CommandArgs } from '../slack/interaction-kit.js';
import { errorReply } from '../slack/reply-errors.js';
import { buildHelpMessage, buildListMessage } from './reveal-blocks.js';
import { openEditForm } from './edit-handlers.js';
import { requestApprovalIfGuarded } from './guard.js';
import { isReadableName, listSecrets } from './secret-reader.js';
import { isParameterName } from '../aws/secret-names.js';
import { buildSearchMessage } from './search-blocks.js';
import { searchSecrets } from './secret-search.js';
import { revealSecret } from './secret-reveal.js';
import { secretWho } from './who-command.js';

export function createSecretCommandHandler(deps: Deps) {
  const { config, audit, callers, logger } = deps;

  async function list(
    cmd: CommandArgs['command'],
    prefix: string | undefined,
    role: string | undefined,
  ): Promise<SlackMessage> {
    const event: AuditEvent = {
      action: 'secret.list',
      outcome: 'ok',
      person: { slack_id: cmd.user_id, team_id: cmd.team_id },
      target: prefix ?? '*',
    };
    return audited(audit, event, async () => {
      const caller = await callers.resolve(cmd.user_id, cmd.team_id, role);
      event.person.email = caller.person.email;
      event.role = caller.role;
      // Words search names, descriptions and tags as the console does (secret-search.ts);
      // Parameter Store paths and the bare list stay as they were.
      if (prefix !== undefined && !isParameterName(prefix)) {
        const found = await searchSecrets(caller.session, prefix);
        event.count = found.total;
        return buildSearchMessage(found, caller.role.name, prefix, config.secrets.list_limit);
      }
      const result = await listSecrets(caller.session, prefix);
      event.count = result.total;
      return buildListMessage(result, caller.role.name, prefix, config.secrets.list_limit);
    });
  }

  return async ({ command, ack, client }: CommandArgs): Promise<void> => {
    await ack();
    let message: SlackMessage;
    try {
      const { args, flags } = parseCommandText(command.text, ['role', 'days']);
      const [sub, target, extra] = args;
      if (flags.days !== undefined && sub?.toLowerCase() !== 'who')
        throw new UserError('bad_command', '`--days` goes with `/secret who` only.');
      // `/secret list` takes several words (a search); every other subcommand takes one name.
      if (extra !== undefined && sub?.toLowerCase() !== 'list')
        throw new UserError(
          'bad_command',
          `Too many words. Usage: \`/secret ${safeWord(sub ?? 'get')} NAME [--role ROLE]\`.`,
        );
      switch (sub?.toLowerCase()) {
        case 'get':
          if (!target)
            throw new UserError('bad_command', 'Which secret? Usage: `/secret get NAME [--role ROLE]`.');
          // A name that cannot be read never reaches the guard: the reveal below refuses it, in
          // its window and audited (assertNotGuarded).
          if (
            isReadableName(target) &&
            (await requestApprovalIfGuarded(deps, client, {
              userId: command.user_id,
              teamId: command.team_id,
              triggerId: command.trigger_id,
              responseUrl: command.response_url,
              secretName: target,
              roleName: flags.role,
              via: 'secret',
            }))
          ) {
            return; // the reason modal took over
          }
          // The value goes into a window of its own, never into a reply (docs/reveals.md).
          await revealSecret(
            deps,
            {
              user: command.user_id,
              team: command.team_id,
              triggerId: command.trigger_id,
              responseUrl: command.response_url,
              channel: command.channel_id,
            },
            target,
            flags.role,
          );
          return;
        case 'edit':
          if (!target) {
            throw new UserError('bad_command', 'Which secret? Usage: `/secret edit NAME [--role ROLE]`.');
          }
          await openEditForm(deps, client, {
            userId: command.user_id,
            teamId: command.team_id,
            triggerId: command.trigger_id,
            name: target,
            ...(flags.role ? { roleName: flags.role } : {}),
            responseUrl: command.response_url,
            channelId: command.channel_id,
          });
          return; // the edit modal (or the approval's reason modal) took over
        case 'list':
          message = await list(command, args.slice(1).join(' ') || undefined, flags.role);
          break;
        case 'who': // trail/who-command.ts: who read or changed it, from CloudTrail
          message = await secretWho(deps, command, target, flags);
          break;
        case undefined:
        case 'help':
          message = buildHelpMessage(config.reveal.ttl_seconds, { rotation: config.rotation !== undefined });
          break;
        default: {
          const help = buildHelpMessage(config.reveal.ttl_seconds, {
            rotation: config.rotation !== undefined,
          });
          message = {
            ...help,
            blocks: [
              {
                type: 'section',
                text: { type: 'mrkdwn', text: `:grey_question: Unknown subcommand \`${safeWord(sub!)}\`.` },
              },
              ...help.blocks,
            ],
          };
        }
      }
    } catch (err) {
      message = errorReply(err, logger, '/secret').message;
    }
    await replyEphemeral(
      deps,
      { responseUrl: command.response_url, channel: command.channel_id, user: command.user_id },
      message,
      { where: '/secret' },
    );
  };
}
