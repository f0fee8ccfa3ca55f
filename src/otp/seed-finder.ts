/**
 * Which part of a secret holds its 2fa-seed. Pure: takes the secret's text, returns field names,
 * and hands out a seed's value only once exactly one seed has been chosen.
 *
 * Where a seed is looked for, in order:
 * 1. fields named in config (`otp.seed_fields`, default `2fa-seed`), in config order;
 * 2. otherwise, any field whose value is an `otpauth://` URI, in the secret's order;
 * 3. a secret that is not a JSON object counts when its whole value is an `otpauth://` URI.
 *
 * These are the same fields /secret hides, so what /secret says "use /totp" for is what /totp finds.
 */
import { UserError } from '../core/errors.js';
import { code, escapeMrkdwn } from '../slack/mrkdwn.js';
import { looksLikeOtpauthUri } from './otpauth.js';
import { isSeedFieldName } from '../secrets/seed-fields.js';

export interface SeedFinderOptions {
  /** Field names that hold seeds whatever their value looks like (`otp.seed_fields`). */
  seedFields: readonly string[];
}

/** A secret as read for the OTP path. `text` holds the seed: never show or log it. */
export interface SeedSource {
  name: string;
  text: string;
}

/** Where seeds are in a secret: field names only, never values. */
export type SeedFields =
  /** A JSON object. `preferred`: the fields a bare `/totp NAME` offers; `all`: every seed field. */
  | { kind: 'json'; preferred: string[]; all: string[] }
  /** Not a JSON object: the whole value is the seed, or there is none. */
  | { kind: 'string'; isSeed: boolean };

/** The outcome of a search: one seed (with its value), or several to choose from (names only). */
export type SeedSearch =
  /** `field` is undefined when the whole secret is the seed. */
  { kind: 'found'; field: string | undefined; seed: string } | { kind: 'choose'; fields: string[] };

type Parsed = { kind: 'json'; entries: Array<[string, unknown]> } | { kind: 'string' };

function parse(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'string' };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { kind: 'json', entries: Object.entries(value as Record<string, unknown>) };
  }
  return { kind: 'string' };
}

function jsonFields(
  entries: Array<[string, unknown]>,
  options: SeedFinderOptions,
): { preferred: string[]; all: string[] } {
  // Config order first; a field matches its configured name trimmed and case-insensitively
  // (`2FA-Seed` is the `2fa-seed` a person meant), as the reveal's hiding does (seed-fields.ts).
  const named: string[] = [];
  for (const wanted of options.seedFields)
    for (const [key] of entries) if (isSeedFieldName(key, [wanted]) && !named.includes(key)) named.push(key);
  const uris = entries
    .filter(([key, value]) => !named.includes(key) && typeof value === 'string' && looksLikeOtpauthUri(value))
    .map(([key]) => key);
  return { preferred: named.length > 0 ? named : uris, all: [...named, ...uris] };
}

/** Names the fields of `text` that hold 2fa-seeds. Never returns a value. */
export function seedFields(text: string, options: SeedFinderOptions): SeedFields {
  const parsed = parse(text);
  if (parsed.kind === 'string') return { kind: 'string', isSeed: looksLikeOtpauthUri(text) };
  return { kind: 'json', ...jsonFields(parsed.entries, options) };
}

/**
 * Finds the seed to make codes from.
 *
 * @param wanted - the field the person named (`/totp NAME FIELD`); any seed field may be named,
 *   not only the preferred ones.
 * @returns the seed when exactly one is meant, else the names of the preferred fields.
 * @throws {UserError} `no_seed` when there is no seed (or none under `wanted`); `bad_seed` when a
 *   configured seed field is not text. Messages name fields, never values.
 */
export function findSeed(secret: SeedSource, options: SeedFinderOptions, wanted?: string): SeedSearch {
  const parsed = parse(secret.text);
  const name = code(secret.name);

  if (parsed.kind === 'string') {
    if (!looksLikeOtpauthUri(secret.text)) throw noSeed(secret.name, options);
    if (wanted !== undefined) {
      throw new UserError(
        'no_seed',
        `${name} holds a single value, not named fields. Run \`/totp ${escapeMrkdwn(secret.name)}\` without a field.`,
      );
    }
    return { kind: 'found', field: undefined, seed: secret.text };
  }

  const fields = jsonFields(parsed.entries, options);
  if (fields.all.length === 0) throw noSeed(secret.name, options);

  let field: string;
  if (wanted !== undefined) {
    if (!fields.all.includes(wanted)) {
      throw new UserError(
        'no_seed',
        `${name} has no 2FA seed in a field named ${code(wanted)}. Its seeds are in: ${fields.all.map(code).join(', ')}.`,
      );
    }
    field = wanted;
  } else if (fields.preferred.length === 1) {
    field = fields.preferred[0]!;
  } else {
    return { kind: 'choose', fields: fields.preferred };
  }

  const value = parsed.entries.find(([key]) => key === field)?.[1];
  if (typeof value !== 'string') {
    throw new UserError(
      'bad_seed',
      `The ${code(field)} field of ${name} is not text, so it cannot hold a 2FA seed.`,
    );
  }
  return { kind: 'found', field, seed: value };
}

function noSeed(secretName: string, options: SeedFinderOptions): UserError {
  const named =
    options.seedFields.length > 0
      ? `a field named ${options.seedFields.map(code).join(' or ')} (config \`otp.seed_fields\`), then for `
      : '';
  return new UserError(
    'no_seed',
    `${code(secretName)} holds no 2FA seed. locksmith looks for ${named}any field whose value is an ` +
      '`otpauth://totp/...` link, or a secret that is just such a link.',
  );
}
