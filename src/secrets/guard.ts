/**
 * Guarded secrets (config `approvals.guarded_secrets`): a reveal or a /totp on such a secret
 * first asks for a reason and an approval. This is the one check both commands share; the
 * reading paths call `assertNotGuarded` as well, so no button or retry can skip it.
 */
import type { WebClient } from '@slack/web-api';
import { isGuarded } from '../approvals/approval.js';
import { openRequestModal } from '../approvals/request-modal.js';
import type { Deps } from '../deps.js';
import { UserError } from '../core/errors.js';
import { assertReadableName } from './secret-reader.js';

export function guardedGlobs(deps: Pick<Deps, 'config'>): string[] {
  return deps.config.approvals?.guarded_secrets ?? [];
}

export function assertNotGuarded(deps: Pick<Deps, 'config'>, name: string): void {
  assertReadableName(name);
  if (isGuarded(name, guardedGlobs(deps))) {
    throw new UserError('bad_command', `\`${name}\` is guarded: it can only be shown after an approval.`);
  }
}

export interface GuardRequest {
  userId: string;
  teamId: string;
  triggerId: string;
  responseUrl: string;
  secretName: string;
  roleName?: string;
  via: 'secret' | 'totp';
  field?: string;
}

/**
 * When the secret is guarded: checks the person may use locksmith at all (no AWS call), then
 * opens the reason modal. Returns true when it took over the request.
 */
export async function requestApprovalIfGuarded(
  deps: Deps,
  client: WebClient,
  req: GuardRequest,
): Promise<boolean> {
  // A name is checked before the guard reads it: text that cannot be a secret name (`prod/<!channel>`)
  // would otherwise match `prod/*` and be posted in the approvals channel (issue 14, item 10).
  assertReadableName(req.secretName);
  if (!deps.approvals || !isGuarded(req.secretName, guardedGlobs(deps))) return false;
  const { role } = await deps.callers.authorize(req.userId, req.teamId, req.roleName);
  const detail: Record<string, string> = { via: req.via };
  if (req.field !== undefined) detail.field = req.field;
  await openRequestModal(client, req.triggerId, {
    kind: 'reveal',
    target: req.secretName,
    role: role.name,
    detail,
    responseUrl: req.responseUrl,
  });
  return true;
}
