/**
 * The /secret listener: ack at once, parse, call the domain, render, reply ephemerally.
 * Thin on purpose; the rules live in identity/ and secret-reader.ts.
 */
import { randomUUID } from 'node:crypto';
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
} from '@slack/bolt';
import type { AuditEvent } from '../audit/audit-events.js';
import { audited } from '../audit/audited.js';
import type { Deps } from '../deps.js';
import { UserError } from '../errors.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { parseCommandText, safeWord } from '../slack/command-text.js';
import { replyEphemeral } from '../slack/ephemeral-reply.js';
import { errorReply } from '../slack/reply-errors.js';
import type { AutoHider } from './auto-hide.js';
import {
  buildHelpMessage,
  buildHiddenMessage,
  buildListMessage,
  buildRevealMessage,
  buildUndeliveredRevealMessage,
} from './reveal-blocks.js';
import { openEditForm } from './edit-handlers.js';
import { assertNotGuarded, requestApprovalIfGuarded } from './guard.js';
import { listSecrets, readSecret } from './secret-reader.js';
import { isParameterName } from './parameter-reader.js';
import { buildSearchMessage } from './search-blocks.js';
import { searchSecrets } from './secret-search.js';
import { startViewNotice } from '../trail/notify-on-view.js';
import { secretWho } from '../trail/who-command.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function createSecretCommandHandler(deps: Deps, hider: AutoHider) {
  const { config, audit, callers, logger } = deps;

  async function get(
    cmd: CommandArgs['command'],
    name: string | undefined,
    role: string | undefined,
  ): Promise<{ message: SlackMessage; reveal: { id: string; name: string } }> {
    if (!name) throw new UserError('bad_command', 'Which secret? Usage: `/secret get NAME [--role ROLE]`.');
    const event: AuditEvent = {
      action: 'secret.reveal',
      outcome: 'ok',
      person: { slack_id: cmd.user_id, team_id: cmd.team_id },
      target: name,
    };
    return audited(audit, event, async () => {
      assertNotGuarded(deps, name);
      const caller = await callers.resolve(cmd.user_id, cmd.team_id, role);
      event.person.email = caller.person.email;
      event.role = caller.role;
      const notice = startViewNotice(deps, caller, name); // trail/notify-on-view.ts
      const secret = await notice.during(
        readSecret(caller.session, name, { seedFields: config.otp.seed_fields }),
      );
      event.version_id = secret.versionId;
      await notice.shown({ secretName: secret.name, kind: 'reveal' });
      const revealId = randomUUID();
      const message = buildRevealMessage(secret, {
        roleName: caller.role.name,
        ttlSeconds: config.reveal.ttl_seconds,
        revealId,
      });
      return { message, reveal: { id: revealId, name: secret.name } };
    });
  }

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
    let reveal: { id: string; name: string } | undefined;
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
          if (
            target &&
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
          ({ message, reveal } = await get(command, target, flags.role));
          break;
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
    // The hide is saved while the reply is on its way, not after: a process killed just after
    // the value reached the person would otherwise leave it on screen for good.
    if (reveal)
      hider.schedule(reveal.id, command.response_url, reveal.name, config.reveal.ttl_seconds * 1000);
    const delivered = await replyEphemeral(
      deps,
      { responseUrl: command.response_url, channel: command.channel_id, user: command.user_id },
      message,
      { where: '/secret', ...(reveal ? { fallback: buildUndeliveredRevealMessage(reveal.name) } : {}) },
    );
    // Only a reveal shown through its response_url can be hidden through it; anything else
    // (a fallback notice, nothing delivered) has nothing to hide.
    if (reveal && delivered !== 'response_url') hider.cancel(reveal.id);
  };
}

/** "Hide now": replaces the reveal through the button's own response_url. */
export function createHideButtonHandler(deps: Deps, hider: AutoHider) {
  return async ({ ack, action, respond, body }: ButtonArgs): Promise<void> => {
    await ack();
    // After a restart the timer is gone; the header still names the secret.
    const header = body.message?.blocks?.find((b: { type?: string }) => b.type === 'header') as
      { text?: { text?: string } } | undefined;
    const name =
      hider.cancel(action.value ?? '') ?? header?.text?.text?.replace(/^🔑\s*/, '') ?? 'the secret';
    deps.audit.record({
      action: 'secret.hide',
      outcome: 'ok',
      person: { slack_id: body.user.id, team_id: body.user.team_id },
      target: name,
    });
    try {
      await respond({ replace_original: true, ...buildHiddenMessage(name, 'hidden') });
    } catch (err) {
      deps.logger.warn({ err: { message: (err as Error).message } }, 'hide could not be delivered');
    }
  };
}
