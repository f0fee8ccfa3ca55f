/**
 * The App Home tab: a person's roles, their open approval requests and, for approvers, the
 * requests waiting for a decision, with the same Approve / Reject buttons as the channel.
 */
import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../deps.js';
import { createHomeOpenedHandler, createHomePublisher, createHomeRefreshMiddleware } from './home-handler.js';

export { buildHomeView, type HomeModel } from './home-blocks.js';
export type { HomePublisher } from './home-handler.js';

/** Publishes the Home on `app_home_opened` and refreshes it after decisions made from it. */
export function register(app: App, deps: Deps): FeatureHandle {
  const home = createHomePublisher(deps);
  app.event('app_home_opened', createHomeOpenedHandler(home));
  if (deps.approvals) app.use(createHomeRefreshMiddleware(home));
  return {};
}
