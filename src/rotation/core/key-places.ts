/**
 * Where in a secret's value an access key is kept, and how to put a new key in its place. Pure.
 *
 * The rule (also in docs/rotation.md):
 *
 * 1. A JSON object. The object (the top level, or an object nested in it, never inside an array)
 *    with a string field whose value is exactly the old key id holds the key. Its id fields are
 *    every such field. Its secret field is a sibling string field chosen like this, because the
 *    old secret itself is not known and so cannot be searched for:
 *    - the siblings whose name contains "secret" (any case) are the candidates;
 *    - if several, keep those whose name looks like "secret access key" / "secret key";
 *    - if still several, keep those whose value has the shape of an AWS secret access key
 *      (40 characters of A-Z a-z 0-9 / +);
 *    - if still several, keep the one sharing the longest name prefix with the id field
 *      (`primary_key_id` goes with `primary_secret`);
 *    - exactly one must remain, otherwise the secret is listed but not updated automatically.
 * 2. A plain string `AKID:SECRET` or `AKID` newline `SECRET` (surrounding whitespace kept).
 * 3. Anything else that contains the id (the id alone, inside a longer value, in an array, in
 *    two different objects) is reported as found but not updatable: the person updates it by hand
 *    with the one-time reveal of the new pair.
 *
 * Field names are shown as dotted paths (`aws.access_key_id`) but kept as arrays internally.
 */

/** How a secret holds the key, as found by {@link findKeyInSecret}. */
export type KeyLayout =
  | {
      format: 'json';
      /** Keys from the top level down to the object holding the fields; [] = top level. */
      container: string[];
      idFields: string[];
      secretField: string;
    }
  | { format: 'pair'; separator: ':' | '\n' | '\r\n' };

export type KeySearch =
  | { found: false }
  | { found: true; updatable: true; layout: KeyLayout }
  | { found: true; updatable: false; reason: string };

export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A layout no longer matches the secret's value (it was edited since it was located). */
export class LayoutMismatchError extends Error {
  readonly code = 'key_layout_mismatch';
  constructor(message: string) {
    super(message);
    this.name = 'LayoutMismatchError';
  }
}

const AWS_SECRET_SHAPE = /^[A-Za-z0-9/+]{40}$/;
const SECRET_NAME = /secret/i;
const SECRET_KEY_NAME = /secret[\s_.-]*(access[\s_.-]*)?key/i;

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field names for display: `container.field`. */
export function displayFields(layout: KeyLayout): { idFields: string[]; secretFields: string[] } {
  if (layout.format === 'pair') return { idFields: ['(value)'], secretFields: ['(value)'] };
  const prefix = layout.container.length ? `${layout.container.join('.')}.` : '';
  return {
    idFields: layout.idFields.map((f) => prefix + f),
    secretFields: [prefix + layout.secretField],
  };
}

/** Looks for `keyId` in a secret's text and says how (and whether) it can be replaced. */
export function findKeyInSecret(text: string, keyId: string): KeySearch {
  if (!keyId || !text.includes(keyId)) return { found: false };

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isObject(parsed)) return findInJson(parsed, keyId);

  const pair = matchPair(text, keyId);
  if (pair) return { found: true, updatable: true, layout: { format: 'pair', separator: pair.separator } };
  if (text.trim() === keyId) {
    return { found: true, updatable: false, reason: 'it holds only the key id, not its secret' };
  }
  return {
    found: true,
    updatable: false,
    reason: 'the key id is inside text locksmith does not know how to edit',
  };
}

function findInJson(root: JsonObject, keyId: string): KeySearch {
  const holders: Array<{ path: string[]; obj: JsonObject; idFields: string[] }> = [];
  let elsewhere = false;
  const walk = (value: unknown, path: string[]): void => {
    if (isObject(value)) {
      const idFields = Object.keys(value).filter((k) => value[k] === keyId);
      if (idFields.length) holders.push({ path, obj: value, idFields });
      for (const [k, v] of Object.entries(value)) {
        if (typeof v === 'string') {
          if (v !== keyId && v.includes(keyId)) elsewhere = true;
        } else walk(v, [...path, k]);
      }
    } else if (Array.isArray(value)) {
      if (JSON.stringify(value).includes(keyId)) elsewhere = true;
    }
  };
  walk(root, []);

  if (holders.length === 0) {
    return {
      found: true,
      updatable: false,
      reason: 'the key id is inside a longer value or a list, not a field of its own',
    };
  }
  if (holders.length > 1 || elsewhere) {
    return { found: true, updatable: false, reason: 'the key id appears in more than one place in it' };
  }
  const holder = holders[0]!;
  const secretField = pickSecretField(holder.obj, holder.idFields);
  if (secretField === undefined) {
    return {
      found: true,
      updatable: false,
      reason: 'no single field next to the key id looks like its secret',
    };
  }
  return {
    found: true,
    updatable: true,
    layout: { format: 'json', container: holder.path, idFields: holder.idFields, secretField },
  };
}

function pickSecretField(obj: JsonObject, idFields: string[]): string | undefined {
  let candidates = Object.keys(obj).filter(
    (k) => !idFields.includes(k) && typeof obj[k] === 'string' && SECRET_NAME.test(k),
  );
  const narrow = (keep: (k: string) => boolean): void => {
    if (candidates.length <= 1) return;
    const kept = candidates.filter(keep);
    if (kept.length) candidates = kept;
  };
  narrow((k) => SECRET_KEY_NAME.test(k));
  narrow((k) => AWS_SECRET_SHAPE.test(String(obj[k])));
  if (candidates.length > 1 && idFields.length === 1) {
    const idField = idFields[0]!.toLowerCase();
    const scores = candidates.map((k) => commonPrefix(k.toLowerCase(), idField));
    const best = Math.max(...scores);
    const winners = candidates.filter((_, i) => scores[i] === best);
    if (best > 0 && winners.length === 1) candidates = winners;
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function matchPair(
  text: string,
  keyId: string,
): { separator: ':' | '\n' | '\r\n'; secret: string; whole: string } | undefined {
  const trimmed = text.trim();
  for (const separator of ['\r\n', '\n', ':'] as const) {
    const head = keyId + separator;
    if (!trimmed.startsWith(head)) continue;
    const secret = trimmed.slice(head.length);
    if (secret.length > 0 && !/[\s:]/.test(secret)) return { separator, secret, whole: trimmed };
  }
  return undefined;
}

function containerOf(root: unknown, container: string[]): JsonObject | undefined {
  let node: unknown = root;
  for (const key of container) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return isObject(node) ? node : undefined;
}

/** The indentation a JSON text was written with, so a rewrite keeps its look. */
function indentOf(text: string): string | undefined {
  const m = /^\{\s*?\n([ \t]+)"/.exec(text.trimStart());
  return m?.[1];
}

/**
 * The secret's text with the old key id and its secret replaced by `pair` in the same places.
 *
 * @throws LayoutMismatchError if the text no longer holds `oldKeyId` where the layout says.
 */
export function replaceKeyInSecret(text: string, layout: KeyLayout, oldKeyId: string, pair: KeyPair): string {
  if (layout.format === 'pair') {
    const found = matchPair(text, oldKeyId);
    if (!found || found.separator !== layout.separator) {
      throw new LayoutMismatchError('the secret no longer holds the old key as "id:secret"');
    }
    const start = text.indexOf(found.whole);
    return (
      text.slice(0, start) +
      pair.accessKeyId +
      layout.separator +
      pair.secretAccessKey +
      text.slice(start + found.whole.length)
    );
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    throw new LayoutMismatchError('the secret is no longer JSON');
  }
  const obj = containerOf(root, layout.container);
  if (
    !obj ||
    !layout.idFields.every((f) => obj[f] === oldKeyId) ||
    typeof obj[layout.secretField] !== 'string'
  ) {
    throw new LayoutMismatchError('the secret no longer holds the old key id in the same fields');
  }
  for (const f of layout.idFields) obj[f] = pair.accessKeyId;
  obj[layout.secretField] = pair.secretAccessKey;
  const indent = indentOf(text);
  const trailing = /\s*$/.exec(text)?.[0] ?? '';
  return JSON.stringify(root, null, indent) + trailing;
}

/** Reads a key pair back out of a secret written with `layout` (crash recovery). */
export function readPairFromSecret(text: string, layout: KeyLayout): KeyPair | undefined {
  if (layout.format === 'pair') {
    const trimmed = text.trim();
    const at = trimmed.indexOf(layout.separator);
    if (at <= 0) return undefined;
    const accessKeyId = trimmed.slice(0, at);
    const secretAccessKey = trimmed.slice(at + layout.separator.length);
    return secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  const obj = containerOf(root, layout.container);
  const id = obj?.[layout.idFields[0] ?? ''];
  const secret = obj?.[layout.secretField];
  return typeof id === 'string' && typeof secret === 'string'
    ? { accessKeyId: id, secretAccessKey: secret }
    : undefined;
}
