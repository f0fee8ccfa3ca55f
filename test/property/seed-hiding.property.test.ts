/**
 * Seeds are never shown, wherever they sit (issue 14, item 7): a seed planted at any depth of a
 * secret (nested objects, arrays), under any spelling of a configured seed field (case, spaces
 * around it), or as an otpauth:// URI anywhere in a text, never reaches what /secret get shows
 * or what the edit form offers. Pure: the same functions the reveal and the form are built from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { interpretSecretString } from '../../src/secrets/secret-reader.js';
import { editableFields, parseSecretBase } from '../../src/secrets/secret-writer.js';
import { propertyRuns } from './support.js';

const RUNS = propertyRuns(200);
const SEED_FIELDS = ['2fa-seed', 'totp'];
/** A base32 secret unique enough to be searched for in the output. */
const SEED = 'JBSWY3DPEHPK3PXPQZ7KCANARY2345';

/** Spellings a person might give a configured seed field. */
const seedKey = fc
  .tuple(
    fc.constantFrom(...SEED_FIELDS),
    fc.constantFrom('', ' ', '  ', '\t'),
    fc.constantFrom('', ' ', '\n'),
    fc.boolean(),
  )
  .map(
    ([name, before, after, upper]) =>
      before + (upper ? name.toUpperCase() : name.replace(/^./, (c) => c.toUpperCase())) + after,
  );

/** A seed as a value: a bare base32 under a seed field, or an otpauth:// URI anywhere. */
const seedValueUnderSeedKey = fc.constantFrom(SEED, `otpauth://totp/x?secret=${SEED}`);
const uriAnywhere = fc.constantFrom(
  `otpauth://totp/acme:ops?secret=${SEED}&issuer=acme`,
  `OTPAUTH://TOTP/x?secret=${SEED}`,
  `  otpauth://totp/x?secret=${SEED}`,
  `backup code for ops: otpauth://totp/x?secret=${SEED}`,
);

const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
const plainKey = fc
  .string({ minLength: 1, maxLength: 10 })
  .filter((k) => !SEED_FIELDS.includes(k.trim().toLowerCase()));

/** Some JSON with one seed planted somewhere inside it. */
const planted: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.tuple(seedKey, seedValueUnderSeedKey).map(([k, v]) => ({ [k]: v })),
      uriAnywhere,
      uriAnywhere.map((u) => [u]),
    ),
    fc
      .tuple(plainKey, tie('node'), fc.dictionary(plainKey, leaf, { maxKeys: 3 }))
      .map(([k, inner, rest]) => ({
        ...rest,
        [k]: inner,
      })),
    fc.tuple(tie('node'), fc.array(leaf, { maxLength: 3 })).map(([inner, rest]) => [...rest, inner]),
  ),
})).node;

/** A whole secret: a JSON object with the seed at some depth, or plain text holding a URI. */
const secretText = fc.oneof(
  fc
    .tuple(plainKey, planted, fc.dictionary(plainKey, leaf, { maxKeys: 3 }))
    .map(([k, inner, rest]) => JSON.stringify({ ...rest, [k]: inner })),
  fc.tuple(seedKey, seedValueUnderSeedKey).map(([k, v]) => JSON.stringify({ user: 'ops', [k]: v })),
  uriAnywhere,
);

describe('seeds are never shown, wherever they sit', () => {
  it('/secret get shows no seed: nested, in arrays, any spelling of the field, a URI anywhere', () => {
    fc.assert(
      fc.property(secretText, (text) => {
        const { fields } = interpretSecretString(text, { seedFields: SEED_FIELDS });
        const shown = (f: (typeof fields)[number]) => (f.hiddenSeed ? '' : f.value);
        for (const field of fields) {
          assert.ok(!shown(field).includes(SEED), `field ${JSON.stringify(field.key)} shows the seed`);
          assert.ok(!shown(field).toLowerCase().includes('otpauth://'));
        }
        assert.ok(
          fields.some((f) => f.hiddenSeed || shown(f).includes('2FA seed, hidden')),
          'says a seed is hidden',
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('the edit form treats any field holding a seed as a seed (replace only, never shown)', () => {
    fc.assert(
      fc.property(secretText, (text) => {
        const base = parseSecretBase(text, 'x');
        const fields = editableFields(base, { seedFields: SEED_FIELDS });
        if (base.kind === 'string') {
          assert.equal(fields[0]?.seed, true);
          return;
        }
        for (const field of fields) {
          const raw = JSON.stringify(base.object[field.key]) ?? '';
          if (raw.includes(SEED))
            assert.equal(field.seed, true, `field ${JSON.stringify(field.key)} holds the seed`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
