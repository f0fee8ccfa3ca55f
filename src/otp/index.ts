/**
 * The OTP feature: `/totp NAME`. The domain (parse a 2fa-seed, find it in a secret, compute
 * codes) is pure (no Slack, no AWS); `register` wires the /totp listeners into the app.
 */
import type { App } from '@slack/bolt';
import type { Deps, FeatureHandle } from '../deps.js';
import { ACTION_PICK_PATTERN, ACTION_REFRESH, ACTION_TOTP_OPEN, COMMAND_TOTP } from './ids.js';
import {
  createTotpButtonHandler,
  createTotpCommandHandler,
  createTotpGrantConsumer,
  createTotpOpenHandler,
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

/** Registers /totp, its "Refresh", "Open" and seed picker buttons. Its windows' hides are reveal/'s. */
export function register(app: App, deps: Deps): FeatureHandle {
  app.command(COMMAND_TOTP, createTotpCommandHandler(deps));
  const buttons = createTotpButtonHandler(deps);
  app.action(ACTION_REFRESH, buttons);
  app.action(ACTION_PICK_PATTERN, buttons);
  app.action(ACTION_TOTP_OPEN, createTotpOpenHandler(deps));
  deps.grantConsumers.set('totp', createTotpGrantConsumer(deps));
  return {};
}
