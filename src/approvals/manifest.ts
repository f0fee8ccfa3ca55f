import type { FeatureManifest } from '../core/manifest.js';
import {
  ACTION_APPROVE,
  ACTION_BREAK_GLASS,
  ACTION_REJECT,
  ACTION_USE_GRANT,
  VIEW_DECISION_REASON,
  VIEW_GRANT,
  VIEW_REQUEST_REASON,
} from './ids.js';

/** Approvals: the decision buttons and modals, the grant's single-use button and window. */
export const manifest: FeatureManifest = {
  name: 'approvals',
  actions: [ACTION_APPROVE, ACTION_REJECT, ACTION_BREAK_GLASS, ACTION_USE_GRANT],
  views: [VIEW_DECISION_REASON, VIEW_REQUEST_REASON, VIEW_GRANT],
  jobs: ['approvals.expire', 'grants.expire'],
};
