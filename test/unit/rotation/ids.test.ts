/**
 * The codecs of what rotation's buttons and modals carry (rotation/slack/ids.ts): what Slack hands
 * back is text anyone could have forged, so anything malformed, of another shape or over Slack's
 * size limit decodes to undefined (the handlers then refuse the click as before).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeDueStart,
  decodeHomeMeta,
  decodeHomeRef,
  decodeIndexStart,
  decodeModalMeta,
  decodeValue,
  encodeDueStart,
  encodeHomeRef,
  encodeIndexStart,
  encodeModalMeta,
  encodeValue,
} from '../../../src/rotation/slack/ids.js';

/** Not ours: not JSON, JSON of another kind, or empty. */
const MALFORMED = [undefined, '', '{', 'null', '[]', '"x"', '5', 'true'];
/** Well-formed JSON, longer than Slack lets a button value (2,000) or private_metadata (3,000) be. */
const oversized = (o: Record<string, unknown>) => JSON.stringify({ ...o, pad: 'x'.repeat(3001) });

describe('rotation ids: the status message button value', () => {
  it('round-trips, with its key and place only when there', () => {
    assert.deepEqual(decodeValue(encodeValue({ r: 'rot-1', v: 3 })), { r: 'rot-1', v: 3 });
    assert.deepEqual(decodeValue(encodeValue({ r: 'rot-1', v: 3, k: 'AKIA1', p: '2' })), {
      r: 'rot-1',
      v: 3,
      k: 'AKIA1',
      p: '2',
    });
  });

  it('is undefined for a malformed, misshapen or oversized value', () => {
    for (const raw of [
      ...MALFORMED,
      '{"r":"x"}',
      '{"r":1,"v":1}',
      '{"r":"x","v":"1"}',
      oversized({ r: 'x', v: 1 }),
    ])
      assert.equal(decodeValue(raw), undefined, String(raw));
  });

  it('drops a key or place that is not text, as before', () => {
    assert.deepEqual(decodeValue('{"r":"x","v":1,"k":5,"p":null}'), { r: 'x', v: 1 });
  });
});

describe('rotation ids: a modal private_metadata', () => {
  it('round-trips', () => {
    assert.deepEqual(decodeModalMeta(encodeModalMeta({ r: 'rot-1', v: 9 })), { r: 'rot-1', v: 9 });
  });

  it('is undefined for a malformed, misshapen or oversized value', () => {
    for (const raw of [...MALFORMED, '{"r":"x"}', '{"v":1}', oversized({ r: 'x', v: 1 })])
      assert.equal(decodeModalMeta(raw), undefined, String(raw));
  });
});

describe('rotation ids: the keys-due Open / Start rotation value', () => {
  it('round-trips; an empty role counts as none', () => {
    assert.deepEqual(decodeDueStart(encodeDueStart({ u: 'alice', r: 'ops' })), { u: 'alice', r: 'ops' });
    assert.deepEqual(decodeDueStart(encodeDueStart({ u: 'alice' })), { u: 'alice' });
    assert.deepEqual(decodeDueStart('{"u":"alice","r":""}'), { u: 'alice' });
    assert.deepEqual(decodeDueStart('{"u":"alice","r":7}'), { u: 'alice' });
  });

  it('is undefined for a malformed, misshapen or oversized value', () => {
    for (const raw of [...MALFORMED, '{"u":""}', '{"u":5}', '{"r":"ops"}', oversized({ u: 'alice' })])
      assert.equal(decodeDueStart(raw), undefined, String(raw));
  });
});

describe('rotation ids: where the key lives (button and window)', () => {
  it('round-trips through the button and the window', () => {
    const ref = { u: 'alice', r: 'ops', rot: 'rot-1' };
    assert.deepEqual(decodeHomeRef(encodeHomeRef(ref)), ref);
    assert.deepEqual(decodeHomeMeta(encodeHomeRef(ref)), ref);
    assert.deepEqual(decodeHomeRef(encodeHomeRef({ u: 'alice', r: 'ops' })), { u: 'alice', r: 'ops' });
  });

  it('is undefined for a malformed, misshapen or oversized value, or a name IAM would refuse', () => {
    for (const raw of [
      ...MALFORMED,
      '{"u":"alice"}',
      '{"u":"a b","r":"ops"}',
      '{"u":"","r":"ops"}',
      oversized({ u: 'alice', r: 'ops' }),
    ]) {
      assert.equal(decodeHomeRef(raw), undefined, String(raw));
      assert.equal(decodeHomeMeta(raw), undefined, String(raw));
    }
  });
});

describe('rotation ids: Index this account', () => {
  it('round-trips the role; anything else is the default role (undefined)', () => {
    assert.equal(decodeIndexStart(encodeIndexStart('ops')), 'ops');
    for (const raw of [...MALFORMED, '{}', '{"r":5}', oversized({ r: 'ops' })])
      assert.equal(decodeIndexStart(raw), undefined, String(raw));
  });
});
