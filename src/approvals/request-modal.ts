/**
 * Asking for a reason before a guarded action: opens the modal whose submission posts the
 * approval request. Used by /secret get, /totp and /secret edit on guarded secrets.
 */
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { codec, SLACK_LIMITS } from '../slack/interaction-kit.js';
import { code } from '../slack/mrkdwn.js';
import type { ApprovalKind } from './approval.js';
import { describeKind } from './approval.js';
import { buildReasonView } from './approval-blocks.js';
import { VIEW_REQUEST_REASON } from './ids.js';

/** Everything the submission needs, carried in the modal's private_metadata (no values). */
export interface RequestDraft {
  kind: ApprovalKind;
  target: string;
  /** The role the person chose (or their default), re-checked at submission. */
  role?: string;
  detail: Record<string, string>;
  /** Where to confirm the request to the person: the command's response_url. */
  responseUrl?: string;
}

export async function openRequestModal(
  client: WebClient,
  triggerId: string,
  draft: RequestDraft,
): Promise<void> {
  await client.views.open({
    trigger_id: triggerId,
    view: buildReasonView({
      callbackId: VIEW_REQUEST_REASON,
      title: 'Approval needed',
      intro: `${code(draft.target)} is guarded: to ${describeKind(draft.kind)}, an approver has to agree first. Say why you need it; the reason is posted in the approvals channel.`,
      submit: 'Ask for approval',
      privateMetadata: draftMeta.encode(draft),
    }),
  });
}

/** A request modal's private_metadata: the draft, as {@link openRequestModal} wrote it. */
const draftMeta = codec(
  z.object({
    kind: z.string(),
    target: z.string(),
    role: z.string().optional(),
    detail: z.record(z.string(), z.string()),
    responseUrl: z.string().optional(),
  }),
  SLACK_LIMITS.privateMetadata,
);

export function parseDraft(privateMetadata: string): RequestDraft | undefined {
  return draftMeta.decode(privateMetadata) as RequestDraft | undefined;
}
