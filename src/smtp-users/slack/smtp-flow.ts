/**
 * SES SMTP users (docs/rotation.md, "SES SMTP users"): detected at the start of a rotation by
 * `rotation.smtp_users` (name globs) or `rotation.smtp_user_tag`, they are replaced instead of
 * rotated. Each step is a button on one status message in the requester's DM; each step
 * re-reads IAM to decide what it may do, so there is no state machine in the store:
 *
 * 1. Create `<old>.YYYYMMDD` with the old user's groups and policies and its access key; the
 *    SMTP credentials are shown once in a modal. A second click finds the user (and its key)
 *    made and makes no second one.
 * 2. The person switches the mail senders over.
 * 3. Delete the old user: only after an approval (kind `delete-key`); then its policies,
 *    groups, inline policies, keys and login profile go, then the user.
 *
 * Cancel, until the old user is deleted, deletes the new user again.
 */
import type { Approval } from '../../approvals/approval.js';
import type { Config } from '../../config.js';
import type { Deps } from '../../deps.js';
import { isUserError, UserError } from '../../core/errors.js';
import { type ButtonArgs, dm } from '../../slack/interaction-kit.js';
import type { Caller } from '../../identity/caller.js';
import { notice } from '../../slack/block-kit.js';
import { code } from '../../slack/mrkdwn.js';
import { errorReply } from '../../slack/reply-errors.js';
import { showOnce } from '../../reveal/one-time-reveal.js';
import type { SmtpUsersHandoff } from '../../rotation/slack/rotation-controller.js';
import { ACTION_SMTP_CANCEL, ACTION_SMTP_CREATE, ACTION_SMTP_DELETE_OLD } from '../ids.js';
import { sesSmtpEndpoint, sesSmtpPassword } from '../smtp-password.js';
import {
  buildSmtpCredentialsView,
  buildSmtpMessageView,
  buildSmtpStatus,
  buildSmtpWorkingView,
  decodeSmtpValue,
  type SmtpStage,
  type SmtpValue,
} from './smtp-blocks.js';
import {
  accessKeyIds,
  createReplacement,
  deleteUserCompletely,
  isAccessDenied,
  listTags,
  MAX_USER_NAME,
  matchesSmtpName,
  replacementName,
  tagsMatch,
  userExists,
} from '../iam-steps.js';

type RotationSection = NonNullable<Config['rotation']>;

/**
 * The replacement: what /rotate-key hands over (an SES SMTP user is detected, started, its
 * deletion approval decided: {@link SmtpUsersHandoff}), and the status message's buttons.
 */
export interface SmtpFlow extends SmtpUsersHandoff {
  /** The status message's buttons. */
  button(args: ButtonArgs): Promise<void>;
}

/** The approval of deleting the old user: one per replacement, so a double click asks once. */
export function smtpApprovalId(v: SmtpValue): string {
  return `smtp-delete:${v.r}:${v.o}:${v.n}`;
}

function iamMessage(err: unknown, what: string, role: string): string {
  if (isAccessDenied(err)) return `IAM did not allow role \`${role}\` to ${what}.`;
  const name = (err as { name?: string }).name;
  if (name && /DeleteConflict/.test(name)) {
    return `IAM could not ${what}: the user still has credentials locksmith does not remove (MFA device, signing certificate, SSH key or service credential). Remove them in the console, then press the button again.`;
  }
  return `Could not ${what}: ${(err as Error).message}`;
}

export function createSmtpFlow(deps: Deps, section: RotationSection): SmtpFlow {
  const { clock, logger, slack, callers, sessions, approvals, audit, config } = deps;
  // SMTP passwords are per region; without a configured one, SES's original region.
  const region = config.awsRegion ?? config.aws.region ?? 'us-east-1';
  /** In-process lock per new user: two clicks at once run one after the other. */
  const locks = new Map<string, Promise<unknown>>();

  function locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(fn);
    locks.set(key, next);
    void next
      .catch(() => {})
      .finally(() => {
        if (locks.get(key) === next) locks.delete(key);
      });
    return next;
  }

  async function render(ref: { channel: string; ts: string }, v: SmtpValue, stage: SmtpStage): Promise<void> {
    const message = buildSmtpStatus(v, stage);
    try {
      await slack.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
      });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'smtp status update failed');
    }
  }

  function record(v: SmtpValue, note: string, outcome: 'ok' | 'error' | 'refused', by = v.q): void {
    audit.record({
      action: 'rotation.action',
      outcome,
      person: { slack_id: by, team_id: v.t },
      target: v.o,
      note: `smtp ${note} (new user ${v.n}, role ${v.r})`,
    });
  }

  async function tell(args: ButtonArgs, text: string): Promise<void> {
    try {
      await args.respond({ response_type: 'ephemeral', replace_original: false, ...notice(text, '') });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'smtp reply not delivered');
    }
  }

  async function create(args: ButtonArgs, v: SmtpValue, ref: { channel: string; ts: string }): Promise<void> {
    const { body, client } = args;
    const opened = await client.views.open({
      trigger_id: body.trigger_id,
      view: buildSmtpWorkingView(`Creating ${code(v.n)} like ${code(v.o)}…`),
    });
    const viewId = opened.view?.id;
    const show = async (view: Parameters<typeof client.views.update>[0]['view']) => {
      if (!viewId) return false;
      try {
        await client.views.update({ view_id: viewId, view });
        return true;
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message } }, 'smtp modal update failed');
        return false;
      }
    };
    await locked(v.n, async () => {
      let caller: Caller;
      try {
        caller = await callers.resolve(v.q, v.t, v.r);
      } catch (err) {
        await show(buildSmtpMessageView(`:x: ${errorReply(err, logger, 'smtp create').message.text}`));
        return;
      }
      const iam = caller.session.clients.iam;
      try {
        if (!(await userExists(iam, v.o))) {
          await show(buildSmtpMessageView(`:warning: ${code(v.o)} no longer exists: nothing to replace.`));
          return;
        }
        const made = await createReplacement(iam, v.o, v.n);
        const copied = {
          groups: made.setup.groups,
          attached: made.setup.attached.map((a) => a.split('/').pop() ?? a),
          inline: made.setup.inline.map((p) => p.name),
        };
        if (made.key) {
          const credentials = buildSmtpCredentialsView(v.n, {
            username: made.key.accessKeyId,
            password: sesSmtpPassword(made.key.secretAccessKey, region),
            region,
            endpoint: sesSmtpEndpoint(region),
          });
          await showOnce(deps, viewId, credentials, {
            user: v.q,
            team: v.t,
            target: v.n,
            role: caller.role,
            title: 'SMTP credentials',
            note: `smtp credentials of new user ${v.n} (access key ${made.key.accessKeyId})`,
          });
          await render(ref, v, { stage: 'created', copied });
        } else {
          await show(
            buildSmtpMessageView(
              `:information_source: ${code(v.n)} already exists with an access key: its SMTP credentials were shown when it was made and cannot be shown again. If they were lost, cancel (which deletes ${code(v.n)}) and start again.`,
            ),
          );
          await render(ref, v, {
            stage: 'created',
            copied,
            note: `${v.n} was already made; its credentials were shown once then.`,
          });
        }
        record(v, made.createdUser ? 'create' : 'create (already made)', 'ok');
      } catch (err) {
        const message = iamMessage(err, `create ${v.n} and its key`, v.r);
        record(v, 'create', 'error');
        await show(buildSmtpMessageView(`:x: ${message}`));
        await render(ref, v, { stage: 'failed', message, retry: 'create' });
      }
    });
  }

  /**
   * The current deletion request of a replacement: the first id (`smtpApprovalId`, then
   * `…:2`, `…:3`) that is unused, pending or approved. A rejected or expired request leaves
   * its id behind, so asking again files a new one, and a double click finds the pending one.
   */
  async function currentApproval(v: SmtpValue): Promise<{ id: string; approval?: Approval }> {
    const base = smtpApprovalId(v);
    for (let i = 1; i <= 50; i++) {
      const id = i === 1 ? base : `${base}:${i}`;
      const a = await approvals?.get(id);
      if (!a || a.state === 'pending' || a.state === 'approved') return { id, ...(a ? { approval: a } : {}) };
    }
    throw new UserError(
      'bad_command',
      'Too many deletion requests for this replacement; cancel and start again.',
    );
  }

  /** Deletes the old user under the requester's session (the approver only decided). */
  async function deleteOld(
    v: SmtpValue,
    ref: { channel: string; ts: string } | undefined,
    approver: string,
  ): Promise<void> {
    await locked(v.n, async () => {
      try {
        // An approved step runs later: the requester must still be allowed to use the role now
        // (policy file and what Slack says of them, asked afresh), as for a command.
        const { person, role } = await callers
          .authorize(v.q, v.t, v.r, { fresh: true })
          .catch((err: unknown) => {
            if (!isUserError(err)) throw err;
            throw new UserError(
              err.code,
              `<@${v.q}>, who started this replacement, may no longer use the role \`${v.r}\` (${err.code}), so locksmith does not act in their name. Someone who may use it can delete \`${v.o}\` in the console, or ask for it again.`,
            );
          });
        const arn = config.roles[v.r];
        if (!arn || role.arn !== arn) {
          throw new UserError('unknown_role', `The role \`${v.r}\` is not configured any more.`);
        }
        const session = await sessions.sessionFor(person, { name: v.r, arn });
        await deleteUserCompletely(session.clients.iam, v.o);
        record(v, `old user deleted, approved by ${approver}`, 'ok');
        if (ref) {
          await render(ref, v, { stage: 'done' });
          await slack.chat
            .postMessage({
              channel: ref.channel,
              thread_ts: ref.ts,
              ...notice(`${code(v.o)} was deleted; ${code(v.n)} replaces it.`, ':white_check_mark:'),
            })
            .catch(() => {});
        }
      } catch (err) {
        const message = isUserError(err) ? err.message : iamMessage(err, `delete ${v.o}`, v.r);
        record(v, 'delete old user', isUserError(err) ? 'refused' : 'error');
        if (isUserError(err) && approvals) {
          // The approvers hear that their approval was not carried out, and why.
          await slack.chat
            .postMessage({ channel: approvals.config.channel, ...notice(message, ':parking:') })
            .catch(() => {});
        }
        if (ref) await render(ref, v, { stage: 'failed', message, retry: 'delete' });
      }
    });
  }

  async function askDelete(
    args: ButtonArgs,
    v: SmtpValue,
    ref: { channel: string; ts: string },
  ): Promise<void> {
    if (!approvals) {
      await tell(
        args,
        ':no_entry: Deleting the old user needs an approval, and locksmith has no `approvals` section in its config. Delete it in the console, or ask the operators.',
      );
      return;
    }
    const caller = await callers.resolve(v.q, v.t, v.r);
    const iam = caller.session.clients.iam;
    if (!(await userExists(iam, v.o))) {
      await render(ref, v, { stage: 'done' });
      return;
    }
    if (!(await userExists(iam, v.n)) || (await accessKeyIds(iam, v.n)).length === 0) {
      await tell(args, `:warning: ${code(v.n)} is not there (with a key) yet: create it first.`);
      return;
    }
    const { id, approval } = await currentApproval(v);
    if (approval?.state === 'approved') {
      // Approved before, but the deletion failed (or a retry): it needs no second approval.
      await deleteOld(v, ref, approval.decision?.by ?? '?');
      return;
    }
    if (approval?.state === 'pending') {
      await tell(args, ':information_source: An approver was already asked; waiting for the decision.');
      return;
    }
    const oldKeys = await accessKeyIds(iam, v.o);
    await approvals.request({
      id,
      kind: 'delete-key',
      requester: caller.person,
      role: caller.role,
      target: v.o,
      reason: `Delete SES SMTP user ${v.o} (keys ${oldKeys.join(', ') || 'none'}), replaced by ${v.n}; mail senders were switched over.`,
      detail: {
        smtp: 'replace',
        oldUser: v.o,
        newUser: v.n,
        roleName: v.r,
        channel: ref.channel,
        ts: ref.ts,
        team: v.t,
      },
    });
    record(v, 'delete requested', 'ok');
    await render(ref, v, { stage: 'awaiting-approval', approvalsChannel: approvals.config.channel });
  }

  async function cancel(args: ButtonArgs, v: SmtpValue, ref: { channel: string; ts: string }): Promise<void> {
    await locked(v.n, async () => {
      const caller = await callers.resolve(v.q, v.t, v.r);
      const iam = caller.session.clients.iam;
      if (!(await userExists(iam, v.o))) {
        await tell(args, `:information_source: ${code(v.o)} is already deleted: there is nothing to cancel.`);
        await render(ref, v, { stage: 'done' });
        return;
      }
      const pending = approvals ? await currentApproval(v) : undefined;
      if (pending?.approval?.state === 'pending') {
        await approvals?.withdraw(pending.id, { by: v.q, why: 'the replacement was cancelled' });
      }
      let deleted: boolean;
      try {
        deleted = await deleteUserCompletely(iam, v.n);
      } catch (err) {
        const message = iamMessage(err, `delete ${v.n}`, v.r);
        record(v, 'cancel', 'error');
        await tell(args, `:x: ${message}`);
        return;
      }
      record(v, 'cancel', 'ok');
      await render(ref, v, { stage: 'cancelled', newDeleted: deleted });
    });
  }

  return {
    async isSmtpUser(iam, userName) {
      if (matchesSmtpName(userName, section.smtp_users)) return true;
      const rule = section.smtp_user_tag;
      if (!rule) return false;
      try {
        return tagsMatch(await listTags(iam, userName), rule);
      } catch (err) {
        // Without iam:ListUserTags the tag cannot mark the user; the rotation reads the keys
        // next and reports its own denials.
        logger.warn({ userName, err: { message: (err as Error).message } }, 'smtp tag check failed');
        return false;
      }
    },

    async start(caller, request) {
      const newName = replacementName(request.userName, clock.now());
      if (newName.length > MAX_USER_NAME) {
        throw new UserError(
          'bad_command',
          `\`${request.userName}\` is an SES SMTP user, but \`${newName}\` is longer than IAM allows (64): replace it by hand.`,
        );
      }
      const v: SmtpValue = {
        o: request.userName,
        n: newName,
        r: caller.role.name,
        q: request.userId,
        t: request.teamId,
      };
      await dm({ slack }, request.userId, buildSmtpStatus(v, { stage: 'start' }));
      return notice(
        `\`${request.userName}\` is an SES SMTP user: its key is not rotated, the user is replaced by \`${newName}\`. Follow the steps in my DM.`,
        ':envelope:',
      );
    },

    async button(args) {
      await args.ack();
      const { body } = args;
      const action = body.actions[0];
      const v = decodeSmtpValue(action?.value);
      const channel = body.channel?.id ?? body.container?.channel_id;
      const ts = body.message?.ts ?? body.container?.message_ts;
      if (!action || !v || !channel || !ts) return;
      if (body.user.id !== v.q) {
        await tell(args, `:no_entry: Only <@${v.q}>, who started this replacement, can act on it.`);
        return;
      }
      const ref = { channel, ts };
      try {
        if (action.action_id === ACTION_SMTP_CREATE) await create(args, v, ref);
        else if (action.action_id === ACTION_SMTP_DELETE_OLD) await askDelete(args, v, ref);
        else if (action.action_id === ACTION_SMTP_CANCEL) await cancel(args, v, ref);
      } catch (err) {
        const { message } = errorReply(err, logger, 'smtp step');
        await tell(args, message.text);
      }
    },

    async approvalDecided(a) {
      const d = a.detail;
      if (d['smtp'] !== 'replace' || !d['oldUser'] || !d['newUser'] || !d['roleName']) return;
      const v: SmtpValue = {
        o: d['oldUser'],
        n: d['newUser'],
        r: d['roleName'],
        q: a.requester.slackId,
        t: d['team'] ?? '',
      };
      const ref = d['channel'] && d['ts'] ? { channel: d['channel'], ts: d['ts'] } : undefined;
      if (a.state !== 'approved') {
        const why = a.state === 'expired' ? 'the request expired' : 'an approver rejected it';
        if (ref) {
          await render(ref, v, {
            stage: 'created',
            note: `Deleting ${v.o} was not approved (${why}). Ask again when ready, or cancel.`,
          });
        }
        return;
      }
      await deleteOld(v, ref, a.decision?.by ?? '?');
    },
  };
}
