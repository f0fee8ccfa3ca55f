/**
 * Registers the SES SMTP user replacement's listeners (its manifest: ../manifest.ts): the status
 * message's buttons. Its start (/rotate-key USER for an SES SMTP user) and its deletion approval
 * come through rotation/, handed {@link smtpUsersFor} by the composition root (features.ts).
 */
import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../../deps.js';
import { SMTP_ACTION_PATTERN } from '../ids.js';
import { createSmtpFlow, type SmtpFlow } from './smtp-flow.js';

export { createSmtpFlow, type SmtpFlow } from './smtp-flow.js';

const flows = new WeakMap<Deps, SmtpFlow>();

/**
 * The one replacement flow of a bot (one per Deps): the buttons registered here and the start
 * and approvals handed to rotation share it, so its per-user lock orders a click and an approval
 * on the same replacement. Undefined without a `rotation` section.
 */
export function smtpUsersFor(deps: Deps): SmtpFlow | undefined {
  const section = deps.config.rotation;
  if (!section) return undefined;
  let flow = flows.get(deps);
  if (!flow) {
    flow = createSmtpFlow(deps, section);
    flows.set(deps, flow);
  }
  return flow;
}

/** Without a `rotation` section there is nothing to replace (/rotate-key says rotation is not set up). */
export function register(app: App, deps: Deps): FeatureHandle {
  const flow = smtpUsersFor(deps);
  if (flow) app.action(SMTP_ACTION_PATTERN, flow.button);
  return {};
}
