/**
 * Slack glue for /secret edit: opening the edit modal (from the command, a reveal's Edit button,
 * or an approved grant), the modal's submission, and the confirmation's Undo button. The rules
 * live in secret-writer.ts; the blocks in edit-blocks.ts. New values arrive only in the
 * submission and leave only towards AWS: never into a log line, the store, an audit event or a
 * message.
 */
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { GrantConsumer } from '../approvals/approval-handlers.js';
import { isGuarded } from '../approvals/approval.js';
import { openRequestModal } from '../approvals/request-modal.js';
import type { AuditEvent } from '../audit/audit-events.js';
import type { Deps } from '../deps.js';
import { isUserError, toUserMessage, UserError } from '../core/errors.js';
import type { Caller } from '../identity/caller.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { outcomeOf, reasonOf } from '../audit/audited.js';
import { onButton, onView, teamOf } from '../slack/interaction-kit.js';
import { errorReply } from '../slack/reply-errors.js';
import {
  buildEditConfirmation,
  buildEditConfirmationView,
  buildEditNoticeView,
  buildEditSavingView,
  buildEditView,
  buildUndoneMessage,
  buildUndoneView,
  type EditMeta,
  parseEditButtonRef,
  parseEditMeta,
  parseUndoRef,
  problemsToErrors,
  readEditForm,
} from './edit-blocks.js';
import { callerForApprovedSecret } from './approved-session.js';
import { editFieldBlockId } from './ids.js';
import { assertSecretName } from './secret-reader.js';
import {
  commitEdit,
  editToken,
  type EditPreparation,
  prepareEdit,
  readForEdit,
  undoVersion,
} from './secret-writer.js';

/**
 * How long a submission may spend reading the secret before it must answer Slack (which waits
 * 3 s). Past it the form stays open with "press Save again"; a repeat is safe, see editToken.
 */
const SUBMIT_READ_BUDGET_MS = 2000;

/** Secret-name globs whose edits need an approval (config `approvals.guarded_edits`). */
export function guardedEditGlobs(deps: Pick<Deps, 'config'>): string[] {
  return deps.config.approvals?.guarded_edits ?? [];
}

export interface EditFormRequest {
  userId: string;
  teamId: string;
  triggerId: string;
  name: string;
  roleName?: string;
  /** Where the confirmation goes: the command's or the clicked message's response_url. */
  responseUrl?: string;
  /** The channel the request came from, for chat.postEphemeral when the response_url has lapsed. */
  channelId?: string;
  /**
   * The request came from inside a modal (a reveal window's Edit): the form is pushed onto it,
   * as Slack wants for a trigger from a modal (docs.slack.dev/reference/methods/views.push).
   */
  push?: boolean;
}

function auditBase(
  action: AuditEvent['action'],
  slackId: string,
  teamId: string,
  target: string,
): AuditEvent {
  return { action, outcome: 'ok', person: { slack_id: slackId, team_id: teamId }, target };
}

function withCaller(event: AuditEvent, caller: Caller): void {
  event.person.email = caller.person.email;
  event.role = caller.role;
}

/**
 * Opens the edit form. A guarded secret gets the approval request's reason modal instead. Who
 * may use locksmith is checked before any modal opens (a refusal throws, for the caller to
 * reply with); after that, a loading modal opens at once, because the trigger_id lapses in 3 s,
 * and is replaced by the form or by the reason it can't be edited.
 */
export async function openEditForm(deps: Deps, client: WebClient, req: EditFormRequest): Promise<void> {
  assertSecretName(req.name);
  if (isGuarded(req.name, guardedEditGlobs(deps))) {
    if (!deps.approvals) {
      throw new UserError(
        'bad_command',
        `\`${req.name}\` is guarded: it can only be edited after an approval.`,
      );
    }
    const { role } = await deps.callers.authorize(req.userId, req.teamId, req.roleName);
    await openRequestModal(client, req.triggerId, {
      kind: 'edit',
      target: req.name,
      role: role.name,
      detail: { via: 'edit' },
      ...(req.responseUrl ? { responseUrl: req.responseUrl } : {}),
    });
    return;
  }
  await deps.callers.authorize(req.userId, req.teamId, req.roleName);
  const opened = req.push
    ? await client.views.push({ trigger_id: req.triggerId, view: buildEditNoticeView() })
    : await client.views.open({ trigger_id: req.triggerId, view: buildEditNoticeView() });
  const viewId = opened.view?.id;
  if (!viewId) return;
  // Opening the form reads the secret (its field names and version): audited as a read that
  // showed no value (issue 14, item 8); the save is its own secret.edit event.
  const event = auditBase('secret.read', req.userId, req.teamId, req.name);
  event.note = 'edit form: field names read, no value shown';
  let view;
  try {
    const caller = await deps.callers.resolve(req.userId, req.teamId, req.roleName);
    withCaller(event, caller);
    const secret = await readForEdit(caller.session, req.name, { seedFields: deps.config.otp.seed_fields });
    // Guarded and audited by the Name AWS returned (issue 14, item 1), whatever was typed.
    event.target = secret.name;
    if (isGuarded(secret.name, guardedEditGlobs(deps))) {
      throw new UserError(
        'bad_command',
        `\`${secret.name}\` is guarded: it can only be edited after an approval.`,
      );
    }
    const meta: EditMeta = { s: secret.name, r: caller.role.name, b: secret.versionId, p: req.userId };
    if (req.responseUrl) meta.u = req.responseUrl;
    if (req.channelId) meta.c = req.channelId;
    view = buildEditView(secret, { roleName: caller.role.name, meta });
  } catch (err) {
    view = buildEditNoticeView(errorReply(err, deps.logger, 'secret edit form').message.blocks);
    event.outcome = outcomeOf(err);
    event.reason = reasonOf(err);
    event.note = 'the edit form could not open';
  }
  deps.audit.record(event);
  await client.views.update({ view_id: viewId, view });
}

/** "Edit" on a reveal: the same form, for the revealed secret and the role it was read under. */
export function createEditButtonHandler(deps: Deps) {
  return onButton(deps, 'secret edit button', async ({ action, body, client }) => {
    const ref = parseEditButtonRef(action.value ?? '');
    if (!ref) throw new UserError('bad_command', 'That button was not understood. Run `/secret edit NAME`.');
    await openEditForm(deps, client, {
      userId: body.user.id,
      teamId: teamOf(body),
      triggerId: body.trigger_id,
      name: ref.s,
      roleName: ref.r,
      ...(body.response_url ? { responseUrl: body.response_url } : {}),
      ...(body.channel?.id ? { channelId: body.channel.id } : {}),
      ...(body.view ? { push: true } : {}),
    });
  });
}

/**
 * An approved edit's DM button: the form for the guarded secret, read now under the
 * requester's approved role. Its submission is checked against the approval again.
 */
export function createEditGrantConsumer(deps: Deps): GrantConsumer {
  return async (grant) => {
    const { slackId, teamId } = grant.requester;
    const event = auditBase('secret.read', slackId, teamId, grant.approval.target);
    event.note = 'approved edit form: field names read, no value shown';
    event.approval_id = grant.approvalId;
    try {
      const caller = await callerForApprovedSecret(
        deps,
        { slackId, teamId },
        grant.approval.role.name,
        grant.approval.target,
        'edit',
      );
      withCaller(event, caller);
      const secret = await readForEdit(caller.session, grant.approval.target, {
        seedFields: deps.config.otp.seed_fields,
      });
      const meta: EditMeta = {
        s: secret.name,
        r: caller.role.name,
        b: secret.versionId,
        p: slackId,
        a: grant.approvalId,
      };
      if (grant.dm?.channel) meta.c = grant.dm.channel;
      event.target = secret.name;
      deps.audit.record(event);
      // The form holds no value (its inputs start empty), so it has no hide.
      return {
        view: buildEditView(secret, {
          roleName: caller.role.name,
          meta,
          ...(grant.approval.decision?.by ? { approvedBy: grant.approval.decision.by } : {}),
        }),
      };
    } catch (err) {
      event.outcome = outcomeOf(err);
      event.reason = reasonOf(err);
      event.note = 'the edit form could not open';
      deps.audit.record(event);
      throw err;
    }
  };
}

/**
 * A guarded secret's edit must carry an approval of exactly this edit: same secret, same
 * person, same role, approved, and not stale. Defense in depth: only an approved grant opens
 * such a form, but the submission is where the write happens.
 */
async function assertEditAllowed(deps: Deps, meta: EditMeta, userId: string): Promise<void> {
  if (!isGuarded(meta.s, guardedEditGlobs(deps))) return;
  const refuse = () =>
    new UserError(
      'bad_command',
      `\`${meta.s}\` is guarded: it can only be edited after an approval. Run \`/secret edit ${meta.s}\` to ask for one.`,
    );
  if (!meta.a || !deps.approvals) throw refuse();
  const a = await deps.approvals.get(meta.a);
  if (
    !a ||
    a.kind !== 'edit' ||
    a.state !== 'approved' ||
    a.target !== meta.s ||
    a.requester.slackId !== userId ||
    a.role.name !== meta.r
  ) {
    throw refuse();
  }
  const cfg = deps.approvals.config;
  const usableUntil = (a.decision?.at ?? 0) + (cfg.reveal_grant_minutes + cfg.expiry_minutes.edit) * 60_000;
  if (deps.clock.now() > usableUntil) {
    throw new UserError('expired', `This approval to edit \`${meta.s}\` has lapsed. Ask again.`);
  }
}

const TIMED_OUT = Symbol('timed out');

function withinBudget<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  // The late result is dropped; its error is caught so it can't become an unhandled rejection.
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The form's submission. Everything that can be refused is refused before the answer to Slack,
 * with the form still open (`response_action: errors`): nothing to save, a field name taken, a
 * version too large, the secret changed meanwhile, no approval. Then the form closes, the new
 * version is written, and the person gets the confirmation with Undo.
 */
export function createEditSubmitHandler(deps: Deps) {
  return onView(
    deps,
    'secret edit',
    async ({ ack, view, body }, i) => {
      const firstInput =
        (view.blocks as Array<{ type?: string; block_id?: string }>).find((b) => b.type === 'input')
          ?.block_id ?? editFieldBlockId(0);
      const refuse = (message: string) =>
        ack({ response_action: 'errors', errors: { [firstInput]: message.slice(0, 1000) } });
      const meta = parseEditMeta(view.private_metadata);
      if (!meta || meta.p !== body.user.id) {
        await refuse('This form was not understood. Close it and run /secret edit again.');
        return;
      }
      // The confirmation goes where the form was opened from: response_url, then the channel.
      if (meta.u) i.target.responseUrl = meta.u;
      if (meta.c) i.target.channel = meta.c;
      const userId = body.user.id;
      const teamId = teamOf(body);
      const token = editToken(view.id, meta.s);
      const event = i.audit(auditBase('secret.edit', userId, teamId, meta.s));
      if (meta.a) event.approval_id = meta.a;

      let outcome: { caller: Caller; prepared: EditPreparation } | typeof TIMED_OUT;
      try {
        await assertEditAllowed(deps, meta, userId);
        const changes = readEditForm(view.state.values);
        outcome = await withinBudget(
          (async () => {
            // An approved edit saves under a session scoped to its one secret (approved-session.ts).
            const caller = meta.a
              ? await callerForApprovedSecret(deps, { slackId: userId, teamId }, meta.r, meta.s, 'edit')
              : await deps.callers.resolve(userId, teamId, meta.r);
            withCaller(event, caller);
            const prepared = await prepareEdit(caller.session, meta.s, changes, {
              token,
              expectedVersionId: meta.b,
            });
            return { caller, prepared };
          })(),
          SUBMIT_READ_BUDGET_MS,
        );
      } catch (err) {
        const { ref } = i.fail(err);
        await refuse(isUserError(err) ? err.message : toUserMessage(err, ref ?? 'unknown'));
        return;
      }
      if (outcome === TIMED_OUT) {
        i.unaudited(); // nothing was written: the repeat is audited
        await refuse('AWS is slow to answer. Press Save again: a repeat never saves twice.');
        return;
      }
      const { caller, prepared } = outcome;
      if (!prepared.ok) {
        i.unaudited(); // the form went back with its problems: nothing was written
        await ack({
          response_action: 'errors',
          errors: problemsToErrors(prepared.problems, prepared.fieldNames, firstInput),
        });
        return;
      }
      // The form gives way to "Saving…" in the same window; the confirmation follows there.
      await ack({ response_action: 'update', view: buildEditSavingView() });

      const plan = prepared.plan;
      let message: SlackMessage;
      let confirmation: View | undefined;
      try {
        const versionId = await commitEdit(caller.session, plan, token);
        event.version_id = versionId;
        event.fields = plan.fields;
        if (plan.retried) event.note = 'a repeated submission: no new version';
        const added = readEditForm(view.state.values).add?.name;
        const outcome = {
          name: plan.name,
          roleName: caller.role.name,
          versionId,
          previousVersionId: plan.previousVersionId,
          changed: plan.fields.filter((f) => f !== added),
          ...(added !== undefined ? { added } : {}),
          editorId: userId,
        };
        message = buildEditConfirmation(outcome);
        confirmation = buildEditConfirmationView(outcome);
      } catch (err) {
        message = i.fail(err).message;
        event.fields = plan.fields;
      }
      // In the window if it is still open; a message only if the person closed it meanwhile.
      const shown = await deps.reveals.update(
        { key: view.id, viewId: view.id },
        confirmation ?? buildEditNoticeView(message.blocks),
      );
      if (shown !== 'shown') await i.reply(message);
    },
    { acksItself: true },
  );
}

/**
 * "Undo" on the confirmation: AWSCURRENT back to the version before the edit, under the
 * clicker's role, by the editor only. The confirmation is replaced in place; a repeat click
 * finds the edit already undone and says so.
 */
export function createUndoButtonHandler(deps: Deps) {
  return onButton(
    deps,
    'secret undo',
    async ({ action, body, respond }, i) => {
      const userId = body.user.id;
      const teamId = teamOf(body);
      const ref = parseUndoRef(action.value ?? '');
      const event = i.event!;
      let undone: Parameters<typeof buildUndoneView>[0] | undefined;
      let reply: SlackMessage;
      try {
        if (!ref)
          throw new UserError('bad_command', 'That Undo button was not understood. Nothing was changed.');
        event.version_id = ref.p;
        if (ref.e !== userId) {
          event.requester = ref.e;
          throw new UserError(
            'bad_command',
            'Only the person who made this edit can undo it. Nothing was changed.',
          );
        }
        const caller = await deps.callers.resolve(userId, teamId, ref.r);
        withCaller(event, caller);
        const result = await undoVersion(caller.session, ref.s, {
          previousVersionId: ref.p,
          newVersionId: ref.n,
        });
        if (result === 'already-undone') event.note = 'already undone';
        undone = {
          name: ref.s,
          previousVersionId: ref.p,
          newVersionId: ref.n,
          already: result === 'already-undone',
        };
        reply = buildUndoneMessage(undone);
      } catch (err) {
        reply = i.fail(err).message;
      }
      // The confirmation is in a window (or, from before windows, an ephemeral message). Someone
      // other than the editor is answered on their own, and the editor's window is left alone.
      if (body.view) {
        if (ref && ref.e !== userId) {
          await i.reply(reply);
          return;
        }
        await deps.reveals.update(
          { key: body.view.id, viewId: body.view.id },
          undone ? buildUndoneView(undone) : buildEditNoticeView(reply.blocks),
        );
        return;
      }
      if (!undone) {
        await i.reply(reply);
        return;
      }
      // The undone edit takes the confirmation's place (a click's response_url can replace it).
      await respond({ replace_original: true, ...reply }).catch((err: Error) =>
        deps.logger.warn({ err: { message: err.message } }, 'undo reply could not be delivered'),
      );
    },
    {
      audit: ({ action, body }) =>
        auditBase(
          'secret.undo',
          body.user.id,
          teamOf(body),
          parseUndoRef(action.value ?? '')?.s ?? 'unknown',
        ),
    },
  );
}
