/**
 * Slack glue for approvals: the Approve / Reject / Break-glass buttons, the reason modals, and
 * the single-use grant button. Each is a listener of the interaction kit (ack, run, coded-error
 * reply through the one fallback rule); a refused click gets an ephemeral explanation and
 * changes nothing.
 */
import { createHash } from 'node:crypto';
import type { ViewSubmitAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { CallerResolver } from '../identity/caller.js';
import type { HideSpec, RevealWindows } from '../reveal/reveal-windows.js';
import { UserError } from '../core/errors.js';
import { notice } from '../slack/block-kit.js';
import type { ReplyDeps } from '../slack/ephemeral-reply.js';
import { onButton, onView, teamOf } from '../slack/interaction-kit.js';
import { buildLoadingView, buildReasonView, decisionReasonMeta } from './approval-blocks.js';
import type { ApprovalService } from './approval-service.js';
import type { Grant, GrantService } from './grants.js';
import { BLOCK_REASON, INPUT_REASON, VIEW_DECISION_REASON } from './ids.js';
import { parseDraft } from './request-modal.js';

/** What the approval handlers need of the bot's dependencies (deps.ts's Deps has it). */
export interface ApprovalHandlerDeps extends ReplyDeps {
  callers: CallerResolver;
  reveals: RevealWindows;
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

export function createApproveHandler(service: ApprovalService, deps: ApprovalHandlerDeps) {
  return onButton(deps, 'approval decision', async ({ action, body }, i) => {
    const result = await service.decide({
      approvalId: action.value ?? '',
      clicker: body.user.id,
      teamId: teamOf(body),
      verdict: 'approve',
    });
    // From the App Home (no response_url, no channel) the one rule answers by DM.
    if (!result.ok) await i.reply(notice(result.message));
  });
}

/** Reject and Break-glass ask for a reason first, in a modal. */
export function createReasonButtonHandler(
  service: ApprovalService,
  mode: 'reject' | 'break-glass',
  deps: ApprovalHandlerDeps,
) {
  return onButton(deps, `approval ${mode}`, async ({ action, body, client }, i) => {
    const approvalId = action.value ?? '';
    if (mode === 'break-glass') {
      const a = await service.get(approvalId);
      if (!a || a.requester.slackId !== body.user.id) {
        await i.reply(notice('Only the requester can break the glass on their own request.'));
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
  });
}

export function createDecisionReasonSubmitHandler(service: ApprovalService, deps: ApprovalHandlerDeps) {
  const metaOf = (view: ViewSubmitAction['view']) => decisionReasonMeta.decode(view.private_metadata) ?? {};
  return onView(
    deps,
    'approval decision reason',
    async ({ view, body }, i) => {
      const meta = metaOf(view);
      const result = await service.decide({
        approvalId: meta.approvalId ?? '',
        clicker: body.user.id,
        teamId: teamOf(body),
        verdict: meta.mode === 'reject' ? 'reject' : 'approve',
        breakGlass: meta.mode === 'break-glass',
        note: reasonFrom(view),
      });
      // In the channel the buttons were in; from the App Home (no channel), by DM.
      if (!result.ok) await i.reply(notice(result.message));
    },
    {
      check: ({ view }) =>
        metaOf(view).mode === 'break-glass' && !reasonFrom(view)
          ? { [BLOCK_REASON]: 'Break-glass needs a reason.' }
          : undefined,
      channel: ({ view }) => metaOf(view).channel,
    },
  );
}

/** The approval id of the request a reason modal submits: derived from the view's id. */
export function approvalIdForView(viewId: string): string {
  const hex = createHash('sha256').update(`approval-request-view:${viewId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A new request's reason modal: post the approval, confirm to the person. */
export function createRequestSubmitHandler(service: ApprovalService, deps: ApprovalHandlerDeps) {
  return onView(
    deps,
    'approval request',
    async ({ view, body }, i) => {
      const draft = parseDraft(view.private_metadata);
      // The confirmation goes where the command was run; an error, failing that, by DM.
      if (draft?.responseUrl) i.target.responseUrl = draft.responseUrl;
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
        reason: reasonFrom(view),
        detail: draft.detail,
      });
      if (!i.target.responseUrl) return;
      await i.reply(
        notice(
          `Asked for approval in <#${service.config.channel}>. When an approver agrees you get a DM with a button.`,
          ':hourglass_flowing_sand:',
        ),
      );
    },
    {
      check: ({ view }) => (reasonFrom(view) ? undefined : { [BLOCK_REASON]: 'Say why you need it.' }),
    },
  );
}

/** The DM's single-use button: claim it, then show what it unlocks in a modal. */
export function createGrantButtonHandler(
  grants: GrantService,
  consumers: Map<string, GrantConsumer>,
  deps: ApprovalHandlerDeps,
) {
  return onButton(deps, 'grant', async ({ action, body, client }, i) => {
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
            blocks: i.fail(err).message.blocks,
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
  });
}
