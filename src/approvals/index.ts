import type { App } from '@slack/bolt';
import type { FeatureHandle } from '../scheduling/scheduler.js';
import type { ApprovalService } from './approval-service.js';
import type { GrantService } from './grants.js';
import {
  type ApprovalHandlerDeps,
  type GrantConsumer,
  createApproveHandler,
  createDecisionReasonSubmitHandler,
  createGrantButtonHandler,
  createReasonButtonHandler,
  createRequestSubmitHandler,
} from './approval-handlers.js';
import {
  ACTION_APPROVE,
  ACTION_BREAK_GLASS,
  ACTION_REJECT,
  ACTION_USE_GRANT,
  VIEW_DECISION_REASON,
  VIEW_REQUEST_REASON,
} from './ids.js';

export { type Approval, type ApprovalKind, isApprover, isGuarded, matchesGlob } from './approval.js';
export type { ApprovalService } from './approval-service.js';
export type { GrantConsumer } from './approval-handlers.js';
export type { Grant, GrantService } from './grants.js';
export { openRequestModal, type RequestDraft } from './request-modal.js';

/** What approvals need of the bot's dependencies (deps.ts's Deps has it). */
export interface ApprovalsDeps extends ApprovalHandlerDeps {
  approvals?: ApprovalService;
  grants?: GrantService;
  grantConsumers: Map<string, GrantConsumer>;
}

/**
 * Registers the approval buttons and modals, and turns approved reveals and edits into
 * single-use DM buttons. Does nothing when config has no `approvals` section.
 */
export function register(app: App, deps: ApprovalsDeps): FeatureHandle {
  const { approvals, grants } = deps;
  if (!approvals || !grants) return {};
  const minutes = approvals.config.reveal_grant_minutes;
  approvals.onApproved('reveal', async (a) => {
    await grants.issue(a, minutes, 'Reveal');
  });
  approvals.onApproved('edit', async (a) => {
    await grants.issue(a, minutes, 'Edit');
  });
  app.action(ACTION_APPROVE, createApproveHandler(approvals, deps));
  app.action(ACTION_REJECT, createReasonButtonHandler(approvals, 'reject', deps));
  app.action(ACTION_BREAK_GLASS, createReasonButtonHandler(approvals, 'break-glass', deps));
  app.view(VIEW_DECISION_REASON, createDecisionReasonSubmitHandler(approvals, deps));
  app.view(VIEW_REQUEST_REASON, createRequestSubmitHandler(approvals, deps));
  app.action(ACTION_USE_GRANT, createGrantButtonHandler(grants, deps.grantConsumers, deps));
  return {
    jobs: [
      { name: 'approvals.expire', run: () => approvals.expireDue() },
      { name: 'grants.expire', run: () => grants.expireDue() },
    ],
  };
}
