/**
 * What counts as a 2FA seed, wherever it sits in a secret (issue 14, item 7). Pure.
 *
 * A seed is never shown, so this errs on the side of hiding:
 * - a field whose name, trimmed and compared case-insensitively, is one of `otp.seed_fields`
 *   (`2FA-Seed`, ` 2fa-seed` and `2fa-seed` are one name to a person, so they are one here);
 * - any text that holds `otpauth://` anywhere (not only at its start: a note that pastes a
 *   Key URI after a word still carries the seed);
 * - at any depth: inside nested objects and arrays.
 */

/** Shown in place of a seed inside a nested value. */
export const HIDDEN_SEED = '(2FA seed, hidden: use /totp)';

const normalise = (name: string) => name.trim().toLowerCase();

/** True when `key` names a configured seed field, however it is spaced or cased. */
export function isSeedFieldName(key: string, seedFields: readonly string[]): boolean {
  const wanted = normalise(key);
  return seedFields.some((f) => normalise(f) === wanted);
}

/** True when text holds an otpauth:// URI anywhere. */
export function holdsOtpauth(text: string): boolean {
  // Anywhere, so also at the start (otp/otpauth.ts's looksLikeOtpauthUri): secrets/ imports no otp/.
  return text.toLowerCase().includes('otpauth://');
}

/** True when a field (its name and its value, at any depth) holds a seed. */
export function holdsSeed(key: string, value: unknown, seedFields: readonly string[]): boolean {
  if (isSeedFieldName(key, seedFields)) return true;
  return nestedHoldsSeed(value, seedFields);
}

function nestedHoldsSeed(value: unknown, seedFields: readonly string[]): boolean {
  if (typeof value === 'string') return holdsOtpauth(value);
  if (Array.isArray(value)) return value.some((v) => nestedHoldsSeed(v, seedFields));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => holdsSeed(k, v, seedFields));
  return false;
}

/** A copy of a nested value with every seed in it replaced by {@link HIDDEN_SEED}. */
export function redactSeeds(value: unknown, seedFields: readonly string[]): unknown {
  if (typeof value === 'string') return holdsOtpauth(value) ? HIDDEN_SEED : value;
  if (Array.isArray(value)) return value.map((v) => redactSeeds(v, seedFields));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        isSeedFieldName(k, seedFields) ? HIDDEN_SEED : redactSeeds(v, seedFields),
      ]),
    );
  return value;
}
