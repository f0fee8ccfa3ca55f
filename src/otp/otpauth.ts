/**
 * Parsing of a "2fa-seed": the value stored in a secret from which `/totp NAME` computes codes.
 *
 * Accepted forms:
 * - a Key URI (https://github.com/google/google-authenticator/wiki/Key-Uri-Format):
 *   `otpauth://totp/LABEL?secret=BASE32&issuer=...&algorithm=...&digits=...&period=...`
 * - a bare base32 secret (what many sites show under "can't scan the QR code?"), which gets the
 *   defaults SHA1 / 6 digits / 30 seconds.
 *
 * Pure: no I/O. Every refusal is a {@link UserError} with code `bad_seed` whose message is shown
 * in Slack, so messages name positions and parameter names but never echo the secret or any part
 * of the seed's value (a mistyped character of a secret is still most of a secret).
 */

import { UserError } from '../core/errors.js';
import { ordinal } from '../core/text.js';

/** The HMAC hash functions RFC 6238 allows and authenticator apps understand. */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** A parsed, validated 2fa-seed. Holds the secret key: never log or display it. */
export interface TotpSeed {
  /** The URI's label, decoded (e.g. `ACME Co:alice@example.com`); absent for a bare seed. */
  label?: string;
  /** Who issued the seed: the `issuer` parameter, else the label's `Issuer:` prefix. */
  issuer?: string;
  /** The account part of the label (after `Issuer:` if present). */
  account?: string;
  /** The decoded key bytes (base32-decoded). */
  secret: Uint8Array;
  /** HMAC hash function. */
  algorithm: TotpAlgorithm;
  /** Number of digits in a code, 6–8. */
  digits: number;
  /** Time step in seconds. */
  period: number;
}

/** Defaults from the Key URI Format, which is also what every authenticator app assumes. */
export const DEFAULT_ALGORITHM: TotpAlgorithm = 'SHA1';
export const DEFAULT_DIGITS = 6;
export const DEFAULT_PERIOD = 30;

/** RFC 4226 allows 6–8 digits (the truncation only has about 9 decimal digits of entropy). */
export const MIN_DIGITS = 6;
export const MAX_DIGITS = 8;

/**
 * Longest period accepted. Real services use 30 s (a few use 60 s); a period of minutes means
 * a code stays valid that long, and anything beyond 5 minutes is far more likely a typo than
 * a real setting.
 */
export const MAX_PERIOD = 300;

/**
 * Shortest key accepted, in bytes. RFC 4226 asks for 16, but 80-bit keys (16 base32 characters,
 * e.g. `JBSWY3DPEHPK3PXP`) are common in the wild and locksmith only reads seeds that a service
 * already issued, so refusing them would just lock people out. Anything shorter is much more
 * likely a truncated paste than a real key.
 */
export const MIN_SECRET_BYTES = 10;

/**
 * Longest key accepted, in bytes. 64 bytes is the RFC 6238 SHA512 test key and otplib's own
 * upper bound; longer values are not something any service issues.
 */
export const MAX_SECRET_BYTES = 64;

const ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Whether a value looks like an `otpauth://` URI (trimmed, scheme case-insensitive). Used by the
 * secrets feature to decide that a value is a 2fa-seed and must be hidden, so it deliberately
 * does not validate anything beyond the prefix.
 */
export function looksLikeOtpauthUri(value: string): boolean {
  return value.trim().toLowerCase().startsWith('otpauth://');
}

/**
 * Parses a 2fa-seed: an `otpauth://totp/...` Key URI or a bare base32 secret.
 *
 * - Type must be `totp`; `hotp` is refused (see message) and so is anything else.
 * - `secret` (required): base32, case-insensitive; spaces and trailing `=` padding are ignored.
 * - `issuer`: optional; when both the parameter and a label prefix are present the parameter wins
 *   (the format says they should agree, but the issuer is only cosmetic here, and refusing would
 *   keep someone from a code they need).
 * - `algorithm`: SHA1 (default), SHA256 or SHA512, case-insensitive.
 * - `digits`: 6 (default), 7 or 8.
 * - `period`: whole seconds, 1–{@link MAX_PERIOD}, default 30.
 * - Other parameters (e.g. `image`, `counter`) are ignored; a repeated known parameter is refused
 *   because it is ambiguous which one the issuer meant.
 *
 * @throws {UserError} code `bad_seed`, with a message safe to show (never contains the secret).
 */
export function parseSeed(input: string): TotpSeed {
  const value = input.trim();
  if (value === '') throw badSeed('The 2fa-seed is empty.');

  if (/^otpauth:/i.test(value)) return parseUri(value);

  // Base32 has no ':' so anything with a scheme is a link of some other kind, not a bare seed.
  // Say that rather than "character 6 is not allowed", which would be true but unhelpful.
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    throw badSeed(
      'The 2fa-seed is a link but not an `otpauth://` one. Expected `otpauth://totp/...?secret=...` or a bare base32 secret.',
    );
  }

  return {
    secret: decodeBase32Secret(value, 'The 2fa-seed'),
    algorithm: DEFAULT_ALGORITHM,
    digits: DEFAULT_DIGITS,
    period: DEFAULT_PERIOD,
  };
}

/** Parameters whose repetition is refused; everything else in the query is ignored. */
const KNOWN_PARAMS = ['secret', 'issuer', 'algorithm', 'digits', 'period'] as const;
type KnownParam = (typeof KNOWN_PARAMS)[number];

function parseUri(value: string): TotpSeed {
  // Parsed by hand rather than with `new URL`: for a non-special scheme like otpauth the WHATWG
  // parser's handling of the "host" (the type) and of odd labels is surprising, and we want to
  // point at exactly which part is wrong.
  const match = /^otpauth:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?(?:#.*)?$/is.exec(value);
  if (!match) {
    throw badSeed(
      'The 2fa-seed is not a valid `otpauth://` URI. Expected `otpauth://totp/LABEL?secret=...`.',
    );
  }
  const type = (match[1] ?? '').toLowerCase();
  const rawLabel = match[2] ?? '';
  const query = match[3] ?? '';

  if (type === 'hotp') {
    throw badSeed(
      'The 2fa-seed is for HOTP (counter-based codes), but locksmith only shows time-based (TOTP) codes. ' +
        'HOTP needs a counter that would have to be stored and advanced on every use, and a copy shared ' +
        'through locksmith would drift out of step with the service. Ask the service for a TOTP seed.',
    );
  }
  if (type !== 'totp') {
    throw badSeed(
      'The 2fa-seed is not a TOTP URI: it must start with `otpauth://totp/` (locksmith only shows time-based codes).',
    );
  }

  const params = readParams(query);
  const { label, issuer: labelIssuer, account } = parseLabel(rawLabel);
  const issuerParam = params.issuer?.trim();
  const issuer = issuerParam ? issuerParam : labelIssuer;

  if (params.secret === undefined || params.secret.trim() === '') {
    throw badSeed('The 2fa-seed has no `secret` parameter, so there is nothing to compute codes from.');
  }

  const seed: TotpSeed = {
    secret: decodeBase32Secret(params.secret, "The 2fa-seed's `secret` parameter"),
    algorithm: parseAlgorithm(params.algorithm),
    digits: parseDigits(params.digits),
    period: parsePeriod(params.period),
  };
  if (label !== undefined) seed.label = label;
  if (issuer !== undefined) seed.issuer = issuer;
  if (account !== undefined) seed.account = account;
  return seed;
}

function readParams(query: string): Partial<Record<KnownParam, string>> {
  const out: Partial<Record<KnownParam, string>> = {};
  // URLSearchParams decodes %XX and '+' (as space) the way the URIs' generators encode them, and
  // never throws on malformed escapes.
  for (const [rawName, paramValue] of new URLSearchParams(query)) {
    const name = rawName.toLowerCase();
    if (!isKnownParam(name)) continue;
    if (out[name] !== undefined) {
      throw badSeed(`The 2fa-seed has the \`${name}\` parameter more than once; it must appear once.`);
    }
    out[name] = paramValue;
  }
  return out;
}

function isKnownParam(name: string): name is KnownParam {
  return (KNOWN_PARAMS as readonly string[]).includes(name);
}

function parseLabel(rawLabel: string): { label?: string; issuer?: string; account?: string } {
  let label: string;
  try {
    label = decodeURIComponent(rawLabel).trim();
  } catch {
    throw badSeed("The 2fa-seed's label (the part after `otpauth://totp/`) is not valid URL encoding.");
  }
  if (label === '') return {};
  // Format: `Issuer:account` or `Issuer: account` (optional spaces), or just `account`. Neither
  // part may contain a colon, so the first one separates them.
  const colon = label.indexOf(':');
  if (colon === -1) return { label, account: label };
  const issuer = label.slice(0, colon).trim();
  const account = label.slice(colon + 1).trim();
  const out: { label?: string; issuer?: string; account?: string } = { label };
  if (issuer !== '') out.issuer = issuer;
  if (account !== '') out.account = account;
  return out;
}

function parseAlgorithm(raw: string | undefined): TotpAlgorithm {
  if (raw === undefined) return DEFAULT_ALGORITHM;
  const upper = raw.trim().toUpperCase();
  const found = ALGORITHMS.find((a) => a === upper);
  if (found === undefined) {
    // The value is not echoed: it is not secret in principle, but a garbled URI can shift parts
    // of the secret into other parameters.
    throw badSeed("The 2fa-seed's `algorithm` is not supported; it must be SHA1, SHA256 or SHA512.");
  }
  return found;
}

function parseDigits(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_DIGITS;
  const n = parseWholeNumber(raw);
  if (n === undefined || n < MIN_DIGITS || n > MAX_DIGITS) {
    throw badSeed(`The 2fa-seed's \`digits\` must be a whole number from ${MIN_DIGITS} to ${MAX_DIGITS}.`);
  }
  return n;
}

function parsePeriod(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PERIOD;
  const n = parseWholeNumber(raw);
  if (n === undefined || n < 1 || n > MAX_PERIOD) {
    throw badSeed(`The 2fa-seed's \`period\` must be a whole number of seconds from 1 to ${MAX_PERIOD}.`);
  }
  return n;
}

/** Plain decimal digits only: `Number()` would also accept '', ' ', '1e1', '0x1e' and '30.0'. */
function parseWholeNumber(raw: string): number | undefined {
  const trimmed = raw.trim();
  if (!/^[0-9]{1,6}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/**
 * Decodes a base32 (RFC 4648) secret. Case-insensitive; whitespace anywhere (sites show seeds in
 * groups of four) and trailing `=` padding are ignored. Refusals give the 1-based position within
 * `raw` but never the character itself.
 */
function decodeBase32Secret(raw: string, what: string): Uint8Array {
  let end = raw.length;
  while (end > 0 && /[\s=]/.test(raw[end - 1] ?? '')) end--;

  const values: number[] = [];
  for (let i = 0; i < end; i++) {
    const ch = raw[i] ?? '';
    if (/\s/.test(ch)) continue;
    const v = BASE32_ALPHABET.indexOf(ch.toUpperCase());
    if (v === -1) {
      throw badSeed(
        `${what} is not valid base32: the ${ordinal(i + 1)} character is not allowed (only letters A–Z and digits 2–7 are).`,
      );
    }
    values.push(v);
  }

  if (values.length === 0) throw badSeed(`${what} is empty.`);

  // 8 characters carry 5 bytes; a final group of 1, 3 or 6 characters cannot come from encoding
  // whole bytes, so the seed was almost certainly cut short when copied.
  const rest = values.length % 8;
  if (rest === 1 || rest === 3 || rest === 6) {
    throw badSeed(`${what} is not valid base32: its length is impossible, so it looks cut short.`);
  }

  const bytes = new Uint8Array(Math.floor((values.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const v of values) {
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits (< 8) are encoder padding; like authenticator apps, we ignore their value.

  if (bytes.length < MIN_SECRET_BYTES) {
    throw badSeed(
      `${what} is too short to be a real key (at least ${Math.ceil((MIN_SECRET_BYTES * 8) / 5)} base32 characters are needed), so it looks cut short.`,
    );
  }
  if (bytes.length > MAX_SECRET_BYTES) {
    throw badSeed(
      `${what} is too long (at most ${Math.ceil((MAX_SECRET_BYTES * 8) / 5)} base32 characters are supported).`,
    );
  }
  return bytes;
}

function badSeed(message: string): UserError {
  return new UserError('bad_seed', message);
}
