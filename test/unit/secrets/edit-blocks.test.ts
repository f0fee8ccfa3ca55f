import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import {
  buildEditConfirmation,
  buildEditView,
  buildUndoneMessage,
  type EditMeta,
  parseEditMeta,
  parseUndoRef,
  problemsToErrors,
  readEditForm,
} from '../../../src/secrets/edit-blocks.js';
import type { EditableSecret } from '../../../src/secrets/secret-writer.js';

const meta: EditMeta = { s: 'edit/app', r: 'editor', b: 'v-base-0000', p: 'U0ALICE', u: 'https://hooks/x' };

const secret: EditableSecret = {
  name: 'edit/app',
  versionId: '0123456789abcdef',
  kind: 'json',
  fields: [
    { key: 'username', seed: false, multiline: false, json: false },
    { key: '2fa-seed', seed: true, multiline: false, json: false },
    { key: 'port', seed: false, multiline: false, json: true },
  ],
};

type Input = {
  type: string;
  block_id: string;
  optional?: boolean;
  label: { text: string };
  hint?: { text: string };
  element: { placeholder?: { text: string }; initial_value?: string; multiline?: boolean };
};

function inputs(blocks: unknown[]): Input[] {
  return (blocks as Input[]).filter((b) => b.type === 'input');
}

describe('buildEditView', () => {
  it('has one optional, empty input per field, the new-field pair, and the metadata', () => {
    const view = buildEditView(secret, { roleName: 'editor', meta });
    const ins = inputs(view.blocks);
    assert.deepEqual(
      ins.map((b) => [b.block_id, b.label.text]),
      [
        ['secret_edit_field:0', 'username'],
        ['secret_edit_field:1', '2fa-seed (2FA seed)'],
        ['secret_edit_field:2', 'port'],
        ['secret_edit_new_name', 'New field name'],
        ['secret_edit_new_value', 'New field value'],
      ],
    );
    for (const b of ins) {
      assert.equal(b.optional, true);
      assert.equal(b.element.initial_value, undefined);
    }
    assert.equal(ins[0]!.element.placeholder?.text, 'leave empty to keep');
    assert.match(ins[1]!.hint!.text, /never shown/);
    assert.match(ins[2]!.hint!.text, /stored as JSON/);
    assert.equal(view.callback_id, 'secret_edit');
    assert.deepEqual(parseEditMeta(view.private_metadata!), meta);
  });

  it('offers no new field for a plain string', () => {
    const plain: EditableSecret = {
      name: 'p',
      versionId: 'v',
      kind: 'string',
      fields: [{ key: 'value', seed: false, multiline: true, json: false }],
    };
    const ins = inputs(buildEditView(plain, { roleName: 'r', meta }).blocks);
    assert.deepEqual(
      ins.map((b) => b.label.text),
      ['value'],
    );
    assert.equal(ins[0]!.element.multiline, true);
  });

  it('escapes the secret name and refuses more fields than a modal holds', () => {
    const odd = { ...secret, name: 'a<!channel>' };
    assert.doesNotMatch(JSON.stringify(buildEditView(odd, { roleName: 'r', meta }).blocks), /<!channel>/);
    const many: EditableSecret = {
      ...secret,
      fields: Array.from({ length: 96 }, (_, i) => ({
        key: `f${i}`,
        seed: false,
        multiline: false,
        json: false,
      })),
    };
    assert.throws(() => buildEditView(many, { roleName: 'r', meta }), UserError);
  });

  it('drops the response_url rather than overflow private_metadata', () => {
    const view = buildEditView(secret, { roleName: 'r', meta: { ...meta, u: 'x'.repeat(3000), c: 'D1' } });
    const back = parseEditMeta(view.private_metadata!);
    assert.equal(back?.u, undefined);
    assert.equal(back?.c, 'D1');
  });
});

describe('readEditForm and problemsToErrors', () => {
  it('takes typed values by position, trims them, and treats blank boxes as "keep"', () => {
    const form = readEditForm({
      'secret_edit_field:0': { value: { value: '  new\n' } },
      'secret_edit_field:1': { value: { value: '   ' } },
      'secret_edit_field:2': { value: { value: null } },
      secret_edit_new_name: { name: { value: null } },
      secret_edit_new_value: { value: { value: '' } },
    });
    assert.deepEqual([...form.byIndex], [[0, 'new']]);
    assert.equal(form.add, undefined);
    const adding = readEditForm({ secret_edit_new_name: { name: { value: ' api_key ' } } });
    assert.deepEqual(adding.add, { name: 'api_key', value: '' });
  });

  it('puts each problem on its input, and form-wide ones on the first', () => {
    const errors = problemsToErrors(
      [
        { at: { field: 'port' }, message: 'too long' },
        { at: 'new-name', message: 'taken' },
        { at: 'form', message: 'nothing' },
      ],
      ['username', '2fa-seed', 'port'],
      'secret_edit_field:0',
    );
    assert.deepEqual(errors, {
      'secret_edit_field:2': 'too long',
      secret_edit_new_name: 'taken',
      'secret_edit_field:0': 'nothing',
    });
  });
});

describe('confirmation and undo messages', () => {
  const outcome = {
    name: 'edit/app',
    roleName: 'editor',
    versionId: 'new-version-id-1234',
    previousVersionId: 'old-version-id-5678',
    changed: ['password'],
    added: 'api_key',
    editorId: 'U0ALICE',
  };

  it('names the new version, the fields and carries an Undo button with ids only', () => {
    const msg = buildEditConfirmation(outcome);
    const json = JSON.stringify(msg.blocks);
    assert.match(json, /version `new-version-id-1234` is now current/);
    assert.match(json, /\*Changed:\* `password`/);
    assert.match(json, /\*Added:\* `api_key`/);
    assert.match(msg.text, /^Saved a new version of edit\/app$/);
    const value = (msg.blocks.at(-1) as { elements: Array<{ value: string }> }).elements[0]!.value;
    assert.deepEqual(parseUndoRef(value), {
      s: 'edit/app',
      r: 'editor',
      p: 'old-version-id-5678',
      n: 'new-version-id-1234',
      e: 'U0ALICE',
    });
  });

  it('caps a long list of field names within a section', () => {
    const names = Array.from({ length: 90 }, (_, i) => `field_${'x'.repeat(60)}_${i}`);
    const msg = buildEditConfirmation({ ...outcome, changed: names });
    const section = msg.blocks[1] as { text: { text: string } };
    assert.ok(section.text.text.length <= 3000);
    assert.match(section.text.text, /and \d+ more/);
  });

  it('says whether Undo moved the version back or found it already back', () => {
    const ids = { name: 'edit/app', previousVersionId: 'old', newVersionId: 'new-1234567890' };
    assert.match(
      JSON.stringify(buildUndoneMessage({ ...ids, already: false }).blocks),
      /Undone: `edit\/app` is back/,
    );
    assert.match(
      JSON.stringify(buildUndoneMessage({ ...ids, already: true }).blocks),
      /already back at version/,
    );
  });

  it('rejects malformed button values and metadata', () => {
    assert.equal(parseUndoRef('not json'), undefined);
    assert.equal(parseUndoRef('{"s":"a","r":"b","p":"c","n":"d"}'), undefined);
    assert.equal(parseEditMeta('[]'), undefined);
    assert.equal(parseEditMeta('{"s":"a","r":"b","b":"c"}'), undefined);
  });
});
