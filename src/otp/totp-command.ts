/**
 * The /totp listeners: ack at once, parse, read the secret under the person's role, find and
 * parse the seed, compute codes with the injected clock, render, reply ephemerally. The buttons
 * ("Refresh", and the seed picker) do the same again at click time and replace their message.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
} from '@slack/bolt';
import type { GrantConsumer } from '../approvals/approval-handlers.js';
import type { AuditEvent } from '../audit/audit-events.js';
import type { Deps } from '../deps.js';
import { isUserError, UserError } from '../errors.js';
import type { AutoHider } from '../secrets/auto-hide.js';
import { callerForApprovedSecret } from '../secrets/approved-session.js';
import { assertNotGuarded, requestApprovalIfGuarded } from '../secrets/guard.js';
import { readSecretText } from '../secrets/secret-reader.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { parseCommandText } from '../slack/command-text.js';
import { code } from '../slack/mrkdwn.js';
import { outcomeOf, reasonOf } from '../audit/audited.js';
import { replyEphemeral } from '../slack/ephemeral-reply.js';
import { errorReply } from '../slack/reply-errors.js';
import { startViewNotice } from '../trail/notify-on-view.js';
import { totpCodes } from './codes.js';
import { parseSeed, type TotpSeed } from './otpauth.js';
import { findSeed } from './seed-finder.js';
import {
  buildCodesMessage,
  buildPickMessage,
  buildTotpHelpMessage,
  buildUndeliveredCodesMessage,
  decodeTarget,
  type HiddenTotp,
  messageIdFromBlockId,
  type TotpTarget,
} from './totp-blocks.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export type TotpHider = AutoHider<HiddenTotp>;

/** Who asked, as Slack names them. */
interface Asker {
  slackId: string;
  teamId: string;
}

/** Where the reply goes: the response_url that can replace it, and the message's stable id. */
interface ReplyPlace {
  responseUrl: string;
  messageId: string;
}

/**
 * One /totp request from start to reply: resolve the person's role, read, find the seed, make
 * codes, schedule the hide, audit. Returns the message to send; throws UserErrors for the person.
 */
function createTotpProducer(deps: Deps, hider: TotpHider) {
  const { config, audit, callers, clock } = deps;

  /**
   * `place` undefined: an approved request's modal, which has no response_url to hide through
   * and may show a guarded secret; every other path refuses guarded secrets.
   */
  return async function produce(
    asker: Asker,
    target: TotpTarget,
    place: ReplyPlace | undefined,
  ): Promise<SlackMessage> {
    const started = performance.now();
    const event: AuditEvent = {
      action: 'otp.code',
      outcome: 'ok',
      person: { slack_id: asker.slackId, team_id: asker.teamId },
      target: target.secretName,
    };
    if (target.field !== undefined) event.field = target.field;
    // A list of seeds to pick from generates no code, so it is not an otp.code event.
    let record = true;
    try {
      if (place) assertNotGuarded(deps, target.secretName);
      // An approved request (no place) reads under a session scoped to its one secret.
      const caller = place
        ? await callers.resolve(asker.slackId, asker.teamId, target.roleName)
        : await callerForApprovedSecret(deps, asker, target.roleName, target.secretName, 'read');
      event.person.email = caller.person.email;
      event.role = caller.role;
      const notice = startViewNotice(deps, caller, target.secretName); // trail/notify-on-view.ts
      const secret = await notice
        .during(readSecretText(caller.session, target.secretName))
        .catch((err: unknown) => {
          if (isUserError(err) && err.code === 'binary_secret') {
            throw new UserError(
              'binary_secret',
              `${code(target.secretName)} holds a binary value, so it has no 2FA seed locksmith can read.`,
            );
          }
          throw err;
        });
      event.target = secret.name;
      event.version_id = secret.versionId;
      const found = findSeed(
        { name: secret.name, text: secret.text },
        { seedFields: config.otp.seed_fields },
        target.field,
      );
      if (found.kind === 'choose') {
        record = false;
        return buildPickMessage(secret.name, found.fields, caller.role.name);
      }
      if (found.field !== undefined) event.field = found.field;
      const seed = parseFound(found.seed, secret.name, found.field);
      const now = clock.now();
      const codes = totpCodes(seed, now);
      // Hide once the next code's period ends: after that, nothing on screen is usable.
      const hideInMs = codes.periodStart + 2 * codes.period * 1000 - now;
      const message = buildCodesMessage({
        secretName: secret.name,
        field: found.field,
        roleName: caller.role.name,
        issuer: seed.issuer,
        account: seed.account,
        codes,
        hidesInSeconds: Math.ceil(hideInMs / 1000),
        messageId: place?.messageId ?? 'approved',
        iteration: randomBytes(4).toString('hex'),
      });
      const hidden: HiddenTotp = { secretName: secret.name };
      if (found.field !== undefined) hidden.field = found.field;
      if (place) hider.schedule(place.messageId, place.responseUrl, hidden, hideInMs);
      await notice.shown({ secretName: secret.name, kind: 'one-time code' });
      return message;
    } catch (err) {
      event.outcome = outcomeOf(err);
      event.reason = reasonOf(err);
      throw err;
    } finally {
      if (record) {
        event.duration_ms = Math.round(performance.now() - started);
        audit.record(event);
      }
    }
  };
}

/** parseSeed, with the secret and field named in its refusal (which never holds the seed). */
function parseFound(seed: string, secretName: string, field: string | undefined): TotpSeed {
  try {
    return parseSeed(seed);
  } catch (err) {
    if (isUserError(err)) {
      const where =
        field === undefined ? code(secretName) : `the ${code(field)} field of ${code(secretName)}`;
      throw new UserError(err.code, `No codes from ${where}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

export type TotpProducer = ReturnType<typeof createTotpProducer>;

/** /totp NAME [FIELD] [--role ROLE]; bare or `help`: usage. */
export function createTotpCommandHandler(deps: Deps, hider: TotpHider) {
  const produce = createTotpProducer(deps, hider);
  const { config, logger } = deps;
  return async ({ command, ack, client }: CommandArgs): Promise<void> => {
    await ack();
    let message: SlackMessage;
    let codes: { messageId: string; secretName: string } | undefined;
    try {
      const { args, flags } = parseCommandText(command.text, ['role']);
      const [name, ...rest] = args;
      if (name === undefined || (name.toLowerCase() === 'help' && rest.length === 0)) {
        message = buildTotpHelpMessage(config.otp.seed_fields);
      } else if (
        await requestApprovalIfGuarded(deps, client, {
          userId: command.user_id,
          teamId: command.team_id,
          triggerId: command.trigger_id,
          responseUrl: command.response_url,
          secretName: name,
          roleName: flags.role,
          via: 'totp',
          field: rest.length > 0 ? rest.join(' ') : undefined,
        })
      ) {
        return; // the reason modal took over
      } else {
        // Field names may hold spaces; the command text splits on them, so the rest is rejoined.
        const target: TotpTarget = { secretName: name };
        if (rest.length > 0) target.field = rest.join(' ');
        if (flags.role !== undefined) target.roleName = flags.role;
        const messageId = randomUUID();
        message = await produce({ slackId: command.user_id, teamId: command.team_id }, target, {
          responseUrl: command.response_url,
          messageId,
        });
        codes = { messageId, secretName: name };
      }
    } catch (err) {
      message = errorReply(err, logger, '/totp').message;
    }
    const delivered = await replyEphemeral(
      deps,
      { responseUrl: command.response_url, channel: command.channel_id, user: command.user_id },
      message,
      { where: '/totp', ...(codes ? { fallback: buildUndeliveredCodesMessage(codes.secretName) } : {}) },
    );
    // Codes that were never shown have nothing to hide.
    if (codes && delivered !== 'response_url') hider.cancel(codes.messageId);
  };
}

/**
 * "Refresh" and the seed picker's buttons: new codes for the button's secret, field and role,
 * read again under the clicker's role now, replacing the message they were clicked in.
 */
export function createTotpButtonHandler(deps: Deps, hider: TotpHider) {
  const produce = createTotpProducer(deps, hider);
  const { logger } = deps;
  return async ({ ack, action, respond, body }: ButtonArgs): Promise<void> => {
    await ack();
    // A refresh keeps its message's id, so the new hide replaces the old one; a pick starts one.
    const messageId = messageIdFromBlockId(action.block_id) ?? randomUUID();
    let message: SlackMessage;
    try {
      const target = decodeTarget(action.value);
      if (!target) {
        throw new UserError('bad_command', 'This button no longer works. Run `/totp NAME` again.');
      }
      const teamId = body.user.team_id ?? body.team?.id ?? '';
      message = await produce({ slackId: body.user.id, teamId }, target, {
        responseUrl: body.response_url,
        messageId,
      });
    } catch (err) {
      // The error replaces the codes, so their hide has nothing left to do.
      hider.cancel(messageId);
      message = errorReply(err, logger, 'totp button').message;
    }
    try {
      await respond({ replace_original: true, ...message });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'totp refresh could not be delivered');
    }
  };
}

/** What an approved /totp request's button opens: the codes, computed at the click, in a modal. */
export function createTotpGrantConsumer(deps: Deps, hider: TotpHider): GrantConsumer {
  const produce = createTotpProducer(deps, hider);
  return async (grant) => {
    const target: TotpTarget = { secretName: grant.approval.target, roleName: grant.approval.role.name };
    if (grant.approval.detail.field !== undefined) target.field = grant.approval.detail.field;
    const message = await produce(
      { slackId: grant.requester.slackId, teamId: grant.requester.teamId },
      target,
      undefined,
    );
    return {
      type: 'modal',
      callback_id: 'totp_codes_view',
      title: { type: 'plain_text', text: 'One-time password' },
      close: { type: 'plain_text', text: 'Close' },
      // Buttons need a message to replace; in a modal the person asks again instead.
      blocks: message.blocks.filter((b) => b.type !== 'actions'),
    };
  };
}
