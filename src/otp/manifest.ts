import type { FeatureManifest } from '../core/manifest.js';
import { ACTION_PICK_PREFIX, ACTION_REFRESH, ACTION_TOTP_OPEN, COMMAND_TOTP } from './ids.js';

/** /totp NAME (the word after it is a secret's name, never a label); Refresh, the seed picker, Open. */
export const manifest: FeatureManifest = {
  name: 'otp',
  commands: [{ command: COMMAND_TOTP, subcommands: [] }],
  actions: [ACTION_REFRESH, ACTION_PICK_PREFIX, ACTION_TOTP_OPEN],
};
