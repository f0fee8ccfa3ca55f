import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  displayFields,
  findKeyInSecret,
  LayoutMismatchError,
  readPairFromSecret,
  replaceKeyInSecret,
} from '../../src/rotation/core/key-places.js';

const OLD = 'AKIAOLDKEYEXAMPLE001';
const OLD_SECRET = 'oldSecretoldSecretoldSecretoldSecret0123';
const NEW = {
  accessKeyId: 'AKIANEWKEYEXAMPLE002',
  secretAccessKey: 'newSecret/newSecret+newSecretnewSecret99',
};

function layoutOf(text: string) {
  const found = findKeyInSecret(text, OLD);
  assert.ok(found.found && found.updatable, `updatable: ${JSON.stringify(found)}`);
  return found.layout;
}

describe('finding a key in a secret', () => {
  it('does not match a secret without the id', () => {
    assert.deepEqual(findKeyInSecret('{"password":"x"}', OLD), { found: false });
  });

  it('finds the id field and the sibling secret field at the top level of JSON', () => {
    const layout = layoutOf(
      JSON.stringify({ aws_access_key_id: OLD, aws_secret_access_key: OLD_SECRET, region: 'x' }),
    );
    assert.deepEqual(layout, {
      format: 'json',
      container: [],
      idFields: ['aws_access_key_id'],
      secretField: 'aws_secret_access_key',
    });
    assert.deepEqual(displayFields(layout), {
      idFields: ['aws_access_key_id'],
      secretFields: ['aws_secret_access_key'],
    });
  });

  it('finds the pair in a nested object and names the fields by path', () => {
    const layout = layoutOf(
      JSON.stringify({ name: 'x', aws: { AccessKeyId: OLD, SecretAccessKey: OLD_SECRET } }),
    );
    assert.deepEqual(displayFields(layout), {
      idFields: ['aws.AccessKeyId'],
      secretFields: ['aws.SecretAccessKey'],
    });
  });

  it('narrows several "secret" siblings: secret-access-key names, then the AWS secret shape, then the id prefix', () => {
    let layout = layoutOf(
      JSON.stringify({
        key_id: OLD,
        webhook_secret: 'abc',
        secret_access_key: OLD_SECRET,
        client_secret: 'x',
      }),
    );
    assert.equal(layout.format === 'json' && layout.secretField, 'secret_access_key');
    layout = layoutOf(JSON.stringify({ key: OLD, secret: OLD_SECRET, other_secret: 'short' }));
    assert.equal(layout.format === 'json' && layout.secretField, 'secret');
    layout = layoutOf(
      JSON.stringify({
        primary_key_id: OLD,
        primary_secret: OLD_SECRET,
        backup_key_id: 'AKIAOTHEREXAMPLE0003',
        backup_secret: OLD_SECRET.replace('old', 'bak'),
      }),
    );
    assert.equal(layout.format === 'json' && layout.secretField, 'primary_secret');
  });

  it('lists but does not edit JSON where the secret field is ambiguous or missing', () => {
    const ambiguous = findKeyInSecret(
      JSON.stringify({ id: OLD, a_secret: OLD_SECRET, b_secret: OLD_SECRET }),
      OLD,
    );
    assert.equal(ambiguous.found && !ambiguous.updatable, true);
    const missing = findKeyInSecret(JSON.stringify({ id: OLD, region: 'eu' }), OLD);
    assert.deepEqual(missing, {
      found: true,
      updatable: false,
      reason: 'no single field next to the key id looks like its secret',
    });
  });

  it('lists but does not edit an id inside a longer value, in a list, or in two objects', () => {
    for (const text of [
      JSON.stringify({ url: `https://${OLD}@example.com` }),
      JSON.stringify({ keys: [OLD, OLD_SECRET] }),
      JSON.stringify({ a: { id: OLD, secret: OLD_SECRET }, b: { id: OLD, secret: OLD_SECRET } }),
      `[default]\naws_access_key_id = ${OLD}\n`,
      OLD,
    ]) {
      const found = findKeyInSecret(text, OLD);
      assert.equal(found.found && !found.updatable, true, text);
    }
  });

  it('recognises plain "id:secret" and "id<newline>secret" strings', () => {
    assert.deepEqual(layoutOf(`${OLD}:${OLD_SECRET}`), { format: 'pair', separator: ':' });
    assert.deepEqual(layoutOf(`${OLD}\n${OLD_SECRET}\n`), { format: 'pair', separator: '\n' });
    assert.deepEqual(layoutOf(`${OLD}\r\n${OLD_SECRET}`), { format: 'pair', separator: '\r\n' });
  });
});

describe('replacing a key in a secret', () => {
  it('replaces the id and the secret in the same JSON fields and keeps the rest and the indentation', () => {
    const text = `${JSON.stringify({ region: 'eu', aws: { id: OLD, id_copy: OLD, secret: OLD_SECRET } }, null, 4)}\n`;
    const layout = layoutOf(text);
    const out = replaceKeyInSecret(text, layout, OLD, NEW);
    assert.equal(
      out,
      `${JSON.stringify({ region: 'eu', aws: { id: NEW.accessKeyId, id_copy: NEW.accessKeyId, secret: NEW.secretAccessKey } }, null, 4)}\n`,
    );
    assert.deepEqual(readPairFromSecret(out, layout), NEW);
  });

  it('keeps compact JSON compact', () => {
    const text = JSON.stringify({ k: OLD, secret: OLD_SECRET });
    assert.equal(
      replaceKeyInSecret(text, layoutOf(text), OLD, NEW),
      JSON.stringify({ k: NEW.accessKeyId, secret: NEW.secretAccessKey }),
    );
  });

  it('replaces a plain pair with the same separator and surrounding whitespace', () => {
    const text = `  ${OLD}\n${OLD_SECRET}\n`;
    const layout = layoutOf(text);
    const out = replaceKeyInSecret(text, layout, OLD, NEW);
    assert.equal(out, `  ${NEW.accessKeyId}\n${NEW.secretAccessKey}\n`);
    assert.deepEqual(readPairFromSecret(out, layout), NEW);
  });

  it('refuses to write when the secret no longer holds the old key where it was found', () => {
    const text = JSON.stringify({ k: OLD, secret: OLD_SECRET });
    const layout = layoutOf(text);
    assert.throws(
      () => replaceKeyInSecret(JSON.stringify({ k: 'AKIAOTHER', secret: 'x' }), layout, OLD, NEW),
      LayoutMismatchError,
    );
    assert.throws(() => replaceKeyInSecret('not json', layout, OLD, NEW), LayoutMismatchError);
    assert.throws(
      () => replaceKeyInSecret(`AKIAOTHER:${OLD_SECRET}`, { format: 'pair', separator: ':' }, OLD, NEW),
      LayoutMismatchError,
    );
  });
});
