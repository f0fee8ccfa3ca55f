import type { FeatureManifest } from '../core/manifest.js';
import { DUE_REPORT_JOB } from './due-report-job.js';
import { ACTION_DUE_OPEN } from './ids.js';

/**
 * The keys-due report: the "Open" buttons on its lines and the scheduled post. Its sub-command,
 * `/rotate-key due`, is a word of rotation's /rotate-key (rotation/slack/manifest.ts), which
 * routes it here; its "Start rotation" button starts a rotation and is rotation's.
 */
export const manifest: FeatureManifest = {
  name: 'keys-due',
  actions: [ACTION_DUE_OPEN],
  jobs: [DUE_REPORT_JOB],
};
