import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isUserError } from '../../src/core/errors.js';
import { parseCommandText } from '../../src/slack/command-text.js';
import { NASTY_PIECES, nastyText, nastyTextMaybeHuge, propertyRuns, unescapedControl } from './support.js';

const RUNS = propertyRuns(400);

/** Flag lists as commands declare them (constants in code, so never hostile themselves). */
const allowedFlags = fc.oneof(
  fc.constant<string[]>([]),
  fc.constant(['role']),
  fc.constant(['role', 'field']),
  fc.array(fc.constantFrom('role', 'field', 'x.y', ''), { maxLength: 3 }),
);

/** Command text: hostile words, sometimes with flags in the usual shapes, sometimes huge. */
const commandText = fc.oneof(
  nastyTextMaybeHuge(20_000),
  fc
    .array(
      fc.oneof(
        nastyText(4),
        fc.constantFrom(...NASTY_PIECES),
        fc.constantFrom(
          'get',
          'list',
          'edit',
          'help',
          '2ndline/fastly',
          '--role',
          '--field',
          '--role=2ndline',
        ),
      ),
      { maxLength: 12 },
    )
    .map((words) => words.join(' ')),
);

function check(text: string, flags: readonly string[]): void {
  try {
    const parsed = parseCommandText(text, flags);
    assert.ok(Array.isArray(parsed.args));
    for (const a of parsed.args) assert.equal(typeof a, 'string');
    for (const [k, v] of Object.entries(parsed.flags)) {
      assert.ok(flags.includes(k), `flag ${k} was not allowed`);
      assert.match(v, /^[\w.-]{1,64}$/);
    }
  } catch (err) {
    assert.ok(isUserError(err), `not a UserError: ${String(err)}`);
    assert.equal(err.code, 'bad_command');
    const leak = unescapedControl(err.message);
    assert.equal(leak, undefined, `error message holds unescaped Slack syntax: ${leak}`);
    assert.ok(err.message.length < 1000, 'error message stays short');
  }
}

describe('parseCommandText on any text (property)', () => {
  it('returns args and allowed flags, or throws UserError bad_command with a safe message', () => {
    fc.assert(
      fc.property(commandText, allowedFlags, (text, flags) => {
        check(text, flags);
      }),
      { numRuns: RUNS },
    );
  });

  it('handles full-Unicode and control-character text the same way', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), allowedFlags, (text, flags) => {
        check(text, flags);
      }),
      { numRuns: RUNS },
    );
  });

  it('quotes back no mention, link or entity from an unknown or odd flag', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('--', '--role=', '--role ', '--x'),
        fc.constantFrom(...NASTY_PIECES),
        nastyText(4),
        (prefix, piece, tail) => {
          check(`get x ${prefix}${piece}${tail}`, ['role']);
          check(`get x ${prefix}${piece.replace(/</g, '&lt;').replace(/>/g, '&gt;')}${tail}`, ['role']);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
