import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CommandTable,
  commandManifestOf,
  helpLines,
  parseRequest,
} from '../../../src/slack/command-table.js';

const none = async () => undefined;
const table: CommandTable<{ ttl: number }> = {
  command: '/x',
  flags: ['role'],
  subcommands: {
    get: {
      usage: 'get NAME [--role ROLE]',
      help: (d) => `hides after ${d.ttl} s.`,
      words: 'one',
      missing: 'Which secret?',
      run: none,
    },
    list: { usage: 'list [WORDS]', help: 'lists.', words: 'any', run: none },
    who: { usage: 'who NAME [--days N]', words: 'one', flags: ['days'], run: none },
    help: { usage: 'help', help: 'this help.', words: 'none', run: none },
  },
  bare: 'help',
  other: { label: 'unknown', usage: 'get NAME', words: 'optional', run: none },
};

describe('command tables', () => {
  it('picks the sub-command by its first word, in any case, and hands on the rest', () => {
    const got = parseRequest(table, 'GET prod/db --role ops');
    assert.equal(got.sub, table.subcommands.get);
    assert.deepEqual(got.args, ['prod/db']);
    assert.deepEqual(got.flags, { role: 'ops' });
    assert.equal(parseRequest(table, '').sub, table.subcommands.help, 'bare runs `bare`');
    assert.equal(parseRequest(table, 'list a b c').args.length, 3);
  });

  it('sends any other word to `other`, including names of Object.prototype', () => {
    for (const word of ['frobnicate', 'constructor', '__proto__', 'toString']) {
      const got = parseRequest(table, `${word} y`);
      assert.equal(got.sub, table.other, word);
      assert.equal(got.word, word);
    }
  });

  it('refuses with the usage from the table: a missing word, extra words, an option of another sub-command', () => {
    assert.throws(
      () => parseRequest(table, 'get'),
      /^UserError: Which secret\? Usage: `\/x get NAME \[--role ROLE\]`\.$/,
    );
    assert.throws(() => parseRequest(table, 'who'), /Which one\? Usage: `\/x who NAME \[--days N\]`/);
    assert.throws(() => parseRequest(table, 'get a b'), /Too many words\. Usage: `\/x get NAME/);
    assert.throws(() => parseRequest(table, 'help me'), /Too many words\. Usage: `\/x help`/);
    assert.throws(() => parseRequest(table, 'get a --days 3'), /`--days` goes with `\/x who` only/);
    assert.throws(() => parseRequest(table, 'get a --nope 3'), /Unknown option `--nope`/);
    assert.deepEqual(parseRequest(table, 'who a --days 3').flags, { days: '3' });
    assert.equal(parseRequest(table, 'frob').sub, table.other, '`optional`: none');
    assert.equal(parseRequest(table, 'frob a').sub, table.other, '`optional`: one');
    assert.throws(() => parseRequest(table, 'frob a b'), /Too many words\. Usage: `\/x get NAME`/);
  });

  it('lists `other` and an own `bare` first in help when they have help, the bare command by its name alone', () => {
    const rotate: CommandTable<null> = {
      command: '/r',
      flags: [],
      subcommands: { due: { usage: 'due', help: 'the report.', words: 'none', run: none } },
      bare: { usage: '', help: 'pick one.', words: 'none', run: none },
      other: { usage: 'USER', help: 'rotate USER.', words: 'none', run: none },
    };
    assert.deepEqual(helpLines(rotate, null), [
      '`/r USER`: rotate USER.',
      '`/r`: pick one.',
      '`/r due`: the report.',
    ]);
    assert.equal(parseRequest(rotate, 'ci-deploy').sub, rotate.other);
    assert.throws(() => parseRequest(rotate, 'ci-deploy x'), /Too many words\. Usage: `\/r USER`/);
    assert.deepEqual(commandManifestOf(rotate), { command: '/r', subcommands: ['due'] });
  });

  it('derives the help lines and the metrics labels from the same table', () => {
    assert.deepEqual(helpLines(table, { ttl: 7 }), [
      '`/x get NAME [--role ROLE]`: hides after 7 s.',
      '`/x list [WORDS]`: lists.',
      '`/x help`: this help.',
    ]);
    assert.deepEqual(commandManifestOf(table), {
      command: '/x',
      subcommands: ['get', 'list', 'who', 'help'],
      bare: 'help',
      other: 'unknown',
    });
  });
});
