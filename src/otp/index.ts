/**
 * The OTP feature: `/totp NAME`. The domain (parse a 2fa-seed, find it in a secret, compute
 * codes) is pure (no Slack, no AWS); `register` wires the /totp listeners into the app.
 */
import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../deps.js';
import { createAutoHider } from '../secrets/auto-hide.js';
import { ACTION_PICK_PATTERN, ACTION_REFRESH, COMMAND_TOTP } from './ids.js';
import { buildHiddenCodesMessage, type HiddenTotp } from './totp-blocks.js';
import {
  createTotpButtonHandler,
  createTotpCommandHandler,
  createTotpGrantConsumer,
} from './totp-command.js';

export { groupDigits, type TotpCodes, totpCodes } from './codes.js';
export {
  DEFAULT_ALGORITHM,
  DEFAULT_DIGITS,
  DEFAULT_PERIOD,
  looksLikeOtpauthUri,
  MAX_DIGITS,
  MAX_PERIOD,
  MAX_SECRET_BYTES,
  MIN_DIGITS,
  MIN_SECRET_BYTES,
  parseSeed,
  type TotpAlgorithm,
  type TotpSeed,
} from './otpauth.js';
export { findSeed, type SeedFields, type SeedSearch, seedFields } from './seed-finder.js';

/** Registers /totp, its "Refresh" button and the seed picker's buttons. */
export function register(app: App, deps: Deps): FeatureHandle {
  const hider = createAutoHider<HiddenTotp>(deps, 'totp', buildHiddenCodesMessage);
  app.command(COMMAND_TOTP, createTotpCommandHandler(deps, hider));
  const buttons = createTotpButtonHandler(deps, hider);
  app.action(ACTION_REFRESH, buttons);
  app.action(ACTION_PICK_PATTERN, buttons);
  deps.grantConsumers.set('totp', createTotpGrantConsumer(deps, hider));
  return { shutdown: () => hider.flush(), jobs: [hider.job] };
}
