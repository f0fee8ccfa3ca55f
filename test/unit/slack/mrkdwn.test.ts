import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { code, escapeMrkdwn, slackDate, splitEscaped } from '../../../src/slack/mrkdwn.js';

describe('escapeMrkdwn', () => {
  it('escapes the three control characters so nothing can ping or link', () => {
    assert.equal(
      escapeMrkdwn('<!channel> & <https://evil|bank>'),
      '&lt;!channel&gt; &amp; &lt;https://evil|bank&gt;',
    );
  });

  it('escapes & first so entities are not double-decoded', () => {
    assert.equal(escapeMrkdwn('&lt;'), '&amp;lt;');
  });

  it('code() wraps in backticks and cannot be closed early', () => {
    assert.equal(code('a`b<c'), "`a'b&lt;c`");
  });
});

describe('splitEscaped', () => {
  it('never cuts an entity in half', () => {
    const text = escapeMrkdwn('aaaa<bbbb<'.repeat(50));
    for (const max of [5, 7, 9, 13, 50]) {
      const parts = splitEscaped(text, max);
      assert.equal(parts.join(''), text);
      for (const p of parts) {
        assert.ok(p.length <= max, `chunk of ${p.length} > ${max}`);
        assert.doesNotMatch(p, /&[a-z]{0,3}$/, `chunk ends inside an entity: ${p}`);
      }
    }
  });
});

describe('slackDate', () => {
  it('renders a date token with a UTC fallback', () => {
    assert.equal(
      slackDate(new Date('2026-11-01T14:02:09Z')),
      '<!date^1793541729^{date_short_pretty} {time}|2026-11-01 14:02 UTC>',
    );
  });
});
