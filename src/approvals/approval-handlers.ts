/**
 * Slack glue for approvals: the Approve / Reject / Break-glass buttons, the reason modals, and
 * the single-use grant button. Each handler acks first, then asks the services, then answers
 * the clicker; a refused click gets an ephemeral explanation and changes nothing.
 */
import { createHash } from 'node:crypto';
import type { ViewSubmitAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Logger } from '../audit/logger.js';
import type { CallerResolver } from '../identity/caller.js';
import type { ResponseUrlPoster } from '../slack/response-url.js';
import type { HideSpec, RevealWindows } from '../reveal/reveal-windows.js';
import { UserError } from '../core/errors.js';
import { notice, type SlackMessage } from '../slack/block-kit.js';
import { type ButtonArgs, dm, teamOf, type ViewArgs } from '../slack/interaction-kit.js';
import { errorReply } from '../slack/reply-errors.js';
import { buildLoadingView, buildReasonView, decisionReasonMeta } from './approval-blocks.js';
import type { ApprovalService } from './approval-service.js';
import type { Grant, GrantService } from './grants.js';
import { BLOCK_REASON, INPUT_REASON, VIEW_DECISION_REASON } from './ids.js';
import { parseDraft } from './request-modal.js';

/** What the approval handlers need of the bot's dependencies (deps.ts's Deps has it). */
export interface ApprovalHandlerDeps {
  logger: Logger;
  callers: CallerResolver;
  reveals: RevealWindows;
  postToResponseUrl: ResponseUrlPoster;
}

/**
 * What a grant unlocks, read at the moment of the click: the window's content and, when it
 * shows a value, its hide (reveal/reveal-windows.ts).
 */
export interface GrantView {
  view: View;
  hide?: Omit<HideSpec, 'user' | 'team' | 'tell'>;
}

/** Builds the modal that shows what a grant unlocks. */
export type GrantConsumer = (grant: Grant) => Promise<GrantView>;

function reasonFrom(view: ViewSubmitAction['view']): string {
  return view.state.values[BLOCK_REASON]?.[INPUT_REASON]?.value?.trim() ?? '';
}

/**
 * A refusal by DM: for clicks that came with no response_url (the App Home) and modals opened
 * from there, where neither an ephemeral reply nor chat.postEphemeral can reach the person.
 */
async function dmClicker(client: ButtonArgs['client'], user: string, text: string): Promise<void> {
  await dm({ slack: client }, user, notice(text));
}

async function tellClicker(args: ButtonArgs, text: string): Promise<void> {
  // Bolt sets `respond` only when the payload has a response_url; a Home tab click has none.
  const responseUrl: string | undefined = args.body.response_url;
  if (!responseUrl) {
    await dmClicker(args.client, args.body.user.id, text).catch((err: Error) =>
      args.logger.warn(`refusal could not be delivered by DM: ${err.message}`),
    );
    return;
  }
  await args
    .respond({ response_type: 'ephemeral', replace_original: false, ...notice(text) })
    .catch(() => {});
}

export function createApproveHandler(service: ApprovalService) {
  return async (args: ButtonArgs) => {
    const { ack, action, body } = args;
    await ack();
    const result = await service.decide({
      approvalId: action.value ?? '',
      clicker: body.user.id,
      teamId: teamOf(body),
      verdict: 'approve',
    });
    if (!result.ok) await tellClicker(args, result.message);
  };
}

/** Reject and Break-glass ask for a reason first, in a modal. */
export function createReasonButtonHandler(service: ApprovalService, mode: 'reject' | 'break-glass') {
  return async (args: ButtonArgs) => {
    const { ack, action, body, client } = args;
    await ack();
    const approvalId = action.value ?? '';
    if (mode === 'break-glass') {
      const a = await service.get(approvalId);
      if (!a || a.requester.slackId !== body.user.id) {
        await tellClicker(args, 'Only the requester can break the glass on their own request.');
        return;
      }
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildReasonView({
        callbackId: VIEW_DECISION_REASON,
        title: mode === 'reject' ? 'Reject request' : 'Break glass',
        intro:
          mode === 'reject'
            ? 'Reject this request. The reason is shown in the channel and to the requester.'
            : ':rotating_light: Approve your own request. Every approver is told at once, with your reason.',
        submit: mode === 'reject' ? 'Reject' : 'Approve my request',
        // `home` marks a modal opened from the App Home: no channel to answer in there.
        privateMetadata: decisionReasonMeta.encode({
          approvalId,
          mode,
          channel: body.channel?.id,
          home: body.view?.type === 'home' || undefined,
        }),
        optional: mode === 'reject',
      }),
    });
  };
}

export function createDecisionReasonSubmitHandler(service: ApprovalService, deps: ApprovalHandlerDeps) {
  return async ({ ack, view, body, client }: ViewArgs) => {
    const meta = decisionReasonMeta.decode(view.private_metadata) ?? {};
    const note = reasonFrom(view);
    if (meta.mode === 'break-glass' && !note) {
      await ack({ response_action: 'errors', errors: { [BLOCK_REASON]: 'Break-glass needs a reason.' } });
      return;
    }
    await ack();
    const result = await service.decide({
      approvalId: meta.approvalId ?? '',
      clicker: body.user.id,
      teamId: teamOf(body),
      verdict: meta.mode === 'reject' ? 'reject' : 'approve',
      breakGlass: meta.mode === 'break-glass',
      note,
    });
    if (!result.ok && meta.channel) {
      await client.chat
        .postEphemeral({ channel: meta.channel, user: body.user.id, ...notice(result.message) })
        .catch((err: Error) =>
          deps.logger.warn({ err: { message: err.message } }, 'refusal could not be delivered'),
        );
    } else if (!result.ok) {
      await dmClicker(client, body.user.id, result.message).catch((err: Error) =>
        deps.logger.warn({ err: { message: err.message } }, 'refusal could not be delivered'),
      );
    }
  };
}

/** The approval id of the request a reason modal submits: derived from the view's id. */
export function approvalIdForView(viewId: string): string {
  const hex = createHash('sha256').update(`approval-request-view:${viewId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A new request's reason modal: post the approval, confirm to the person. */
export function createRequestSubmitHandler(service: ApprovalService, deps: ApprovalHandlerDeps) {
  return async ({ ack, view, body }: ViewArgs) => {
    const draft = parseDraft(view.private_metadata);
    const reason = reasonFrom(view);
    if (!reason) {
      await ack({ response_action: 'errors', errors: { [BLOCK_REASON]: 'Say why you need it.' } });
      return;
    }
    await ack();
    let reply: SlackMessage;
    try {
      if (!draft)
        throw new UserError('bad_command', 'That request form was not understood. Run the command again.');
      const teamId = teamOf(body);
      const { person, role } = await deps.callers.authorize(body.user.id, teamId, draft.role);
      await service.request({
        // One request per submitted form: a second submission of the same view (a double
        // click, a replay signed anew) finds the first request instead of posting another.
        id: approvalIdForView(view.id),
        kind: draft.kind,
        requester: person,
        role,
        target: draft.target,
        reason,
        detail: draft.detail,
      });
      reply = notice(
        `Asked for approval in <#${service.config.channel}>. When an approver agrees you get a DM with a button.`,
        ':hourglass_flowing_sand:',
      );
    } catch (err) {
      reply = errorReply(err, deps.logger, 'approval request').message;
    }
    if (draft?.responseUrl) {
      await deps
        .postToResponseUrl(draft.responseUrl, {
          response_type: 'ephemeral',
          replace_original: false,
          ...reply,
        })
        .catch((err: Error) =>
          deps.logger.warn({ err: { message: err.message } }, 'request confirmation not delivered'),
        );
    }
  };
}

/** The DM's single-use button: claim it, then show what it unlocks in a modal. */
export function createGrantButtonHandler(
  grants: GrantService,
  consumers: Map<string, GrantConsumer>,
  deps: ApprovalHandlerDeps,
) {
  return async ({ ack, action, body, client }: ButtonArgs) => {
    await ack();
    // The trigger_id lapses in 3 s, so the window opens first and is filled in after the read.
    const opened = await client.views.open({
      trigger_id: body.trigger_id,
      view: buildLoadingView('locksmith'),
    });
    const viewId = opened.view?.id;
    if (!viewId) return;
    let shown: GrantView;
    const result = await grants.use(action.value ?? '', body.user.id);
    if (!result.ok) {
      shown = { view: { ...buildLoadingView('locksmith'), blocks: notice(result.message).blocks } };
    } else {
      const consumer = consumers.get(result.grant.approval.detail.via ?? '');
      try {
        if (!consumer) throw new Error(`no consumer for grant ${result.grant.approval.detail.via}`);
        shown = await consumer(result.grant);
      } catch (err) {
        shown = {
          view: {
            ...buildLoadingView('locksmith'),
            blocks: errorReply(err, deps.logger, 'grant').message.blocks,
          },
        };
      }
    }
    if (!shown.hide) {
      await client.views.update({ view_id: viewId, view: shown.view });
      return;
    }
    // A value: its hide is stored before it is shown, like every reveal window's.
    const tell: HideSpec['tell'] = {};
    if (body.response_url) tell.responseUrl = body.response_url;
    if (body.channel?.id) tell.channel = body.channel.id;
    await deps.reveals.show({ key: viewId, viewId }, shown.view, {
      ...shown.hide,
      user: body.user.id,
      team: teamOf(body),
      tell,
    });
  };
}
