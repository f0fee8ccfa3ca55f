/**
 * The OTP domain for `/totp NAME`: parse a 2fa-seed, compute codes. Pure (no Slack, no AWS).
 */

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
