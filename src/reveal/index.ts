/**
 * Reveal windows: the one way locksmith shows a value (docs/reveals.md). `register` adds what
 * every window shares: its "Hide now" button, Slack's `view_closed` when the person closes one,
 * the hides at shutdown and the job that applies stored hides after a restart.
 */
import type { App } from '@slack/bolt';
import type { ReplyDeps } from '../slack/ephemeral-reply.js';
import { onButton, type ViewClosedArgs } from '../slack/interaction-kit.js';
import type { FeatureHandle } from '../scheduling/scheduler.js';
import { ACTION_HIDE_WINDOW } from './ids.js';
import type { RevealWindows } from './reveal-windows.js';

export { HEAD_START_MS, type RevealRequest, type Revealed, revealInWindow } from './reveal-flow.js';
export {
  createRevealWindows,
  type HideSpec,
  type RevealWindows,
  type ShowOutcome,
  type WindowRef,
  windowKeys,
} from './reveal-windows.js';
export { buildOpeningView, type HideSubject, windowActions, windowView } from './window-views.js';

/** What the reveal windows need of the bot's dependencies (deps.ts's Deps has it). */
export interface RevealDeps extends ReplyDeps {
  reveals: RevealWindows;
}

export function register(app: App, deps: RevealDeps): FeatureHandle {
  // Each hide is audited by reveal-windows.ts, whoever triggers it: the listener has no event.
  app.action(
    ACTION_HIDE_WINDOW,
    onButton(deps, 'hide now', async ({ body }) => {
      if (body.view) await deps.reveals.hideNow(body.view);
    }),
  );
  // Every window asks for view_closed (notify_on_close); any view's close is looked up here.
  // The person has closed the window: there is no one to answer, so no kit wrapper.
  app.view({ type: 'view_closed' }, async ({ ack, body }: ViewClosedArgs) => {
    await ack();
    await deps.reveals.closed(body.view, body.user.id);
  });
  return { shutdown: () => deps.reveals.flush(), jobs: [deps.reveals.job] };
}
