/**
 * However a guarded secret's name is phrased, the guard holds (issue 14, item 1): every variant
 * (full and partial ARNs in any partition, region and account; other case; spaces around it;
 * Unicode look-alikes) is either guarded before anything is read, refused as a name that cannot
 * exist, or a different secret to AWS, whose read would be refused for not being the one typed
 * and guarded again by the Name AWS returned.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isGuarded } from '../../src/approvals/approval.js';
import { readMatchesTyped } from '../../src/aws/secret-names.js';
import { assertSecretName } from '../../src/secrets/secret-reader.js';
import { parseCommandText } from '../../src/slack/command-text.js';
import { propertyRuns } from './support.js';

const RUNS = propertyRuns(300);
const GLOBS = ['prod/*', 'billing/root'];
const GUARDED = fc.constantFrom('prod/db', 'prod/api/key', 'billing/root');
const SUFFIX = fc.stringMatching(/^[A-Za-z0-9]{6}$/);

const arnOf = fc
  .tuple(
    fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
    fc.constantFrom('eu-west-2', 'us-east-1', 'cn-north-1'),
    fc.stringMatching(/^\d{12}$/),
  )
  .map(([partition, region, account]) => `arn:${partition}:secretsmanager:${region}:${account}:secret:`);

const LOOK_ALIKES: Record<string, string[]> = {
  o: ['\u043e', '\u03bf', '\uff4f'],
  a: ['\u0430', '\uff41'],
  e: ['\u0435'],
  d: ['\u0501'],
  '/': ['\u2215', '\uff0f', '\u2044'],
  i: ['\u0456'],
};

/** A variant of a guarded name a person (or an attacker) might type, with what AWS would answer. */
const variant = fc.oneof(
  fc.tuple(GUARDED, arnOf, SUFFIX).map(([name, prefix, suffix]) => ({
    name,
    typed: `${prefix}${name}-${suffix}`,
    arn: `${prefix}${name}-${suffix}`,
  })),
  fc.tuple(GUARDED, arnOf, SUFFIX).map(([name, prefix, suffix]) => ({
    name,
    typed: `${prefix}${name}`,
    arn: `${prefix}${name}-${suffix}`,
  })),
  fc.tuple(GUARDED, fc.integer({ min: 0, max: 40 })).map(([name, seed]) => {
    const chars = [...name];
    const i = seed % chars.length;
    chars[i] = chars[i] === chars[i]!.toUpperCase() ? chars[i]!.toLowerCase() : chars[i]!.toUpperCase();
    return { name, typed: chars.join(''), arn: undefined };
  }),
  fc.tuple(GUARDED, fc.integer({ min: 0, max: 40 }), fc.nat()).map(([name, seed, pick]) => {
    const chars = [...name];
    const spots = chars.map((c, i) => (LOOK_ALIKES[c] ? i : -1)).filter((i) => i >= 0);
    const i = spots[seed % spots.length]!;
    const options = LOOK_ALIKES[chars[i]!]!;
    chars[i] = options[pick % options.length]!;
    return { name, typed: chars.join(''), arn: undefined };
  }),
  fc
    .tuple(GUARDED, fc.constantFrom(' ', '  ', '\t', '\u00a0'), fc.constantFrom('', ' ', '\n'))
    .map(([name, before, after]) => ({ name, typed: `${before}${name}${after}`, arn: undefined })),
);

describe('guards hold for every phrasing of a guarded name', () => {
  it('a variant is guarded before the read, refused as a name, or not the secret AWS would answer with', () => {
    fc.assert(
      fc.property(variant, ({ name, typed, arn }) => {
        // What the command parser hands on (it splits on white space).
        const { args } = parseCommandText(`get ${typed}`, ['role']);
        const asked = args[1];
        if (asked === undefined) return; // nothing named: the usage message
        let refusedAsName = false;
        try {
          assertSecretName(asked);
        } catch {
          refusedAsName = true;
        }
        const guardedBeforeRead = isGuarded(asked, GLOBS);
        // Were AWS to answer with the guarded secret, would the read be taken as what was asked?
        const readAccepted = readMatchesTyped(asked, { name, ...(arn ? { arn } : {}) });
        assert.ok(
          refusedAsName || guardedBeforeRead || !readAccepted,
          `${JSON.stringify(asked)} reaches ${name} unguarded`,
        );
        // And after any accepted read, the Name AWS returned is guarded.
        assert.ok(isGuarded(name, GLOBS));
      }),
      { numRuns: RUNS },
    );
  });
});
