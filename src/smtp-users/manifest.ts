import type { FeatureManifest } from '../core/manifest.js';
import { SMTP_ACTIONS } from './ids.js';

/**
 * SES SMTP users, replaced instead of rotated: the status message's buttons. It is started by
 * /rotate-key USER (rotation's command, which hands an SES SMTP user here: features.ts), and its
 * deletion approval is a `delete-key` approval rotation passes on (one handler per kind).
 */
export const manifest: FeatureManifest = {
  name: 'smtp-users',
  actions: [...SMTP_ACTIONS],
};
