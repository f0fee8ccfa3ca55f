import type { FeatureManifest } from '../core/manifest.js';
import { ACTION_HIDE_WINDOW, VIEW_REVEAL_WINDOW } from './ids.js';

/** The reveal windows: "Hide now", the closes of every window, the stored-hides job. */
export const manifest: FeatureManifest = {
  name: 'reveal',
  actions: [ACTION_HIDE_WINDOW],
  views: [VIEW_REVEAL_WINDOW],
  jobs: ['hides.windows'],
};
