import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import {
  changedFieldNames,
  editableFields,
  editToken,
  type FieldChanges,
  MAX_SECRET_BYTES,
  mergeFields,
  parseSecretBase,
  resolveIndexedChanges,
  type SecretBase,
} from '../../../src/secrets/secret-writer.js';

const seedFields = { seedFields: ['2fa-seed'] };
const app: SecretBase = parseSecretBase('{"username":"app","password":"old","port":5432}', 'edit/app');

function changes(replace: Record<string, string>, add?: { name: string; value: string }): FieldChanges {
  return add
    ? { replace: new Map(Object.entries(replace)), add }
    : { replace: new Map(Object.entries(replace)) };
}

function merged(base: SecretBase, c: FieldChanges): string {
  const r = mergeFields(base, c);
  assert.ok(r.ok, JSON.stringify(r));
  return r.text;
}

function problems(base: SecretBase, c: FieldChanges) {
  const r = mergeFields(base, c);
  assert.ok(!r.ok, 'expected the edit to be refused');
  return r.problems;
}

describe('parseSecretBase', () => {
  it('reads a JSON object as fields and anything else that is not structured JSON as one plain value', () => {
    assert.equal(app.kind, 'json');
    assert.deepEqual(parseSecretBase('hunter2', 'x'), { kind: 'string', text: 'hunter2' });
    assert.deepEqual(parseSecretBase('123456', 'x'), { kind: 'string', text: '123456' }, 'a PIN is text');
    assert.deepEqual(parseSecretBase('{not json', 'x'), { kind: 'string', text: '{not json' });
  });

  it('refuses JSON arrays and JSON strings, naming the secret', () => {
    assert.throws(
      () => parseSecretBase('["a","b"]', 'edit/array'),
      (e: unknown) => e instanceof UserError && /`edit\/array` holds a JSON array/.test(e.message),
    );
    assert.throws(() => parseSecretBase('"quoted"', 'x'), /holds a JSON string/);
  });
});

describe('editableFields', () => {
  it('names fields and their shape, never their values', () => {
    const fields = editableFields(
      parseSecretBase(
        '{"user":"ops","key":"-----BEGIN-----\\nabc\\n-----END-----","n":3,"2fa-seed":"JBSWY3DP","backup":"otpauth://totp/x?secret=AAAA"}',
        'x',
      ),
      seedFields,
    );
    assert.deepEqual(fields, [
      { key: 'user', seed: false, multiline: false, json: false },
      { key: 'key', seed: false, multiline: true, json: false },
      { key: 'n', seed: false, multiline: false, json: true },
      { key: '2fa-seed', seed: true, multiline: false, json: false },
      { key: 'backup', seed: true, multiline: false, json: false },
    ]);
    assert.ok(!JSON.stringify(fields).includes('JBSWY3DP'));
  });

  it('gives a plain string one field called "value", a seed when it is an otpauth URI', () => {
    assert.deepEqual(editableFields(parseSecretBase('otpauth://totp/x?secret=AAAA', 'x'), seedFields), [
      { key: 'value', seed: true, multiline: false, json: false },
    ]);
  });
});

describe('mergeFields', () => {
  it('changes typed fields in place, keeps the others, and adds a new field last', () => {
    const text = merged(app, changes({ password: 'new' }, { name: 'api_key', value: 'k' }));
    assert.equal(text, '{"username":"app","password":"new","port":5432,"api_key":"k"}');
  });

  it('keeps a non-string field typed when the new value is JSON, and a string otherwise', () => {
    assert.deepEqual(JSON.parse(merged(app, changes({ port: '5433' }))), {
      username: 'app',
      password: 'old',
      port: 5433,
    });
    assert.equal(JSON.parse(merged(app, changes({ port: 'five' }))).port, 'five');
    assert.equal(JSON.parse(merged(app, changes({ username: '42' }))).username, '42', 'strings stay strings');
  });

  it('replaces a plain string whole', () => {
    assert.equal(merged(parseSecretBase('old', 'x'), changes({ value: 'new value' })), 'new value');
  });

  it('refuses an edit that changes nothing', () => {
    assert.deepEqual(problems(app, changes({})), [
      { at: 'form', message: 'Nothing to save: type a new value in at least one field.' },
    ]);
  });

  it('refuses a new field whose name exists, is empty, too long or holds a line break', () => {
    assert.match(problems(app, changes({}, { name: 'username', value: 'x' }))[0]!.message, /already a field/);
    assert.deepEqual(problems(app, changes({}, { name: '', value: 'x' }))[0]!.at, 'new-name');
    assert.match(
      problems(app, changes({}, { name: 'n'.repeat(129), value: 'x' }))[0]!.message,
      /at most 128/,
    );
    assert.match(problems(app, changes({}, { name: 'a\nb', value: 'x' }))[0]!.message, /line breaks/);
    assert.deepEqual(problems(app, changes({}, { name: 'extra', value: '' })), [
      { at: 'new-value', message: 'Give the new field a value.' },
    ]);
  });

  it('refuses to add a field to a plain string', () => {
    assert.equal(
      problems(parseSecretBase('x', 'x'), changes({}, { name: 'a', value: 'b' }))[0]!.at,
      'new-name',
    );
  });

  it('refuses a field that is not in the version the form was opened on', () => {
    assert.match(problems(app, changes({ nosuch: 'x' }))[0]!.message, /out of date/);
  });

  it('refuses a new version over 64 KiB, counting bytes, not characters', () => {
    const big = parseSecretBase(JSON.stringify({ blob: 'x'.repeat(MAX_SECRET_BYTES - 40) }), 'x');
    const [p] = problems(big, changes({}, { name: 'more', value: 'é'.repeat(20) }));
    assert.equal(p!.at, 'new-value');
    assert.match(p!.message, /would be 65\d{3} bytes; Secrets Manager takes at most 65536/);
    assert.ok(mergeFields(big, changes({}, { name: 'm', value: 'e' })).ok, 'just under the limit is fine');
  });

  it('keeps a field named __proto__ a field', () => {
    const base = parseSecretBase('{"__proto__":"a","b":"c"}', 'x');
    const viaMap: FieldChanges = { replace: new Map([['__proto__', 'z']]) };
    assert.equal(merged(base, viaMap), '{"__proto__":"z","b":"c"}');
  });
});

describe('resolveIndexedChanges and changedFieldNames', () => {
  it('names fields by their position in the base version and drops unknown positions', () => {
    const resolved = resolveIndexedChanges(app, {
      byIndex: new Map([
        [1, 'new'],
        [7, 'ignored'],
      ]),
      add: { name: 'api_key', value: 'k' },
    });
    assert.deepEqual([...resolved.replace], [['password', 'new']]);
    assert.deepEqual(changedFieldNames(resolved), ['password', 'api_key']);
    const plain = resolveIndexedChanges(parseSecretBase('p', 'x'), { byIndex: new Map([[0, 'q']]) });
    assert.deepEqual([...plain.replace], [['value', 'q']]);
  });
});

describe('editToken', () => {
  it('is a UUID-shaped token, the same for the same form and secret, different otherwise', () => {
    const t = editToken('V0123ABC', 'edit/app');
    assert.match(t, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(editToken('V0123ABC', 'edit/app'), t);
    assert.notEqual(editToken('V0123ABD', 'edit/app'), t);
    assert.notEqual(editToken('V0123ABC', 'edit/app2'), t);
  });
});
