import type { FeatureManifest } from '../core/manifest.js';
import { VIEW_HOME } from './ids.js';

/** The App Home tab (its Approve / Reject buttons are the approvals feature's). */
export const manifest: FeatureManifest = {
  name: 'home',
  views: [VIEW_HOME],
  events: ['app_home_opened'],
};
