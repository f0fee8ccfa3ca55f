import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { parseCommandText } from '../../../src/slack/command-text.js';

describe('parseCommandText', () => {
  it('splits words and reads --role in both spellings', () => {
    assert.deepEqual(parseCommandText('  get   2ndline/fastly --role admin ', ['role']), {
      args: ['get', '2ndline/fastly'],
      flags: { role: 'admin' },
    });
    assert.deepEqual(parseCommandText('get x --role=ops', ['role']).flags, { role: 'ops' });
  });

  it('decodes the HTML entities Slack sends', () => {
    assert.deepEqual(parseCommandText('get a&amp;b &lt;x&gt;', []).args, ['get', 'a&b', '<x>']);
  });

  it('refuses unknown flags, missing values and odd values', () => {
    for (const text of ['get x --force', 'get x --role', 'get x --role --role', 'get x --role <!channel>']) {
      assert.throws(
        () => parseCommandText(text, ['role']),
        (err: unknown) => err instanceof UserError && err.code === 'bad_command',
        text,
      );
    }
  });

  it('never quotes an unknown flag back unescaped', () => {
    try {
      parseCommandText('get x --<!channel>', ['role']);
      assert.fail('should refuse');
    } catch (err) {
      assert.ok(err instanceof UserError);
      assert.doesNotMatch(err.message, /<!channel>/);
    }
  });

  it('treats empty text as no words', () => {
    assert.deepEqual(parseCommandText('', ['role']), { args: [], flags: {} });
  });
});
