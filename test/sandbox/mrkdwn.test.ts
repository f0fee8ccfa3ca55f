import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  escapeHtml,
  mrkdwnToHtml,
  mrkdwnToText,
  plainTextToHtml,
  type RenderContext,
} from '../../sandbox/web/mrkdwn.js';
import { openTags, parseHtml, textOf } from './html-check.js';

const ctx: RenderContext = {
  userName: (id) => ({ U0ALICE: 'alice', U0BOB: 'bob' })[id],
  channelName: (id) => ({ C0APPROVALS: 'approvals' })[id],
};

const html = (text: string, verbatim = false): string => {
  const out = mrkdwnToHtml(text, ctx, { verbatim });
  parseHtml(out); // every output must pass the strict reader
  return out;
};

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters, & first', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&amp;</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });
});

describe('mrkdwnToHtml: formatting', () => {
  it('renders *bold*, _italic_, ~strike~ and nests them', () => {
    assert.equal(html('*bold* _it_ ~gone~'), '<b>bold</b> <i>it</i> <s>gone</s>');
    assert.equal(html('_*both*_'), '<i><b>both</b></i>');
    assert.equal(html('*Requester:* x'), '<b>Requester:</b> x');
  });

  it('does not format inside words, across lines, or around spaces', () => {
    assert.equal(html('snake_case_name 2*3*4'), 'snake_case_name 2*3*4');
    assert.equal(html('*not\nbold*'), '*not<br>bold*');
    assert.equal(html('* not bold *'), '* not bold *');
  });

  it('renders `code` and ```pre``` without formatting, emoji or mentions markup inside', () => {
    assert.equal(html('`*x* :key: _y_`'), '<code class="bk-code">*x* :key: _y_</code>');
    assert.equal(html('```a *b*\n  c```'), '<pre class="bk-pre">a *b*\n  c</pre>');
    assert.equal(html('`<@U0ALICE>`'), '<code class="bk-code">@alice</code>');
    assert.equal(html('a `b'), 'a `b', 'an unclosed backtick is text');
  });

  it('keeps newlines inside pre and turns the others into <br>', () => {
    assert.equal(
      html('*label*\n```one\ntwo```\nafter'),
      '<b>label</b><br><pre class="bk-pre">one\ntwo</pre>after',
    );
    assert.equal(html('a\n\nb'), 'a<br><br>b');
  });

  it('renders > lines as one blockquote', () => {
    assert.equal(
      html('*Reason:*\n>line one\n>line _two_\nafter'),
      '<b>Reason:</b><blockquote class="bk-quote">line one<br>line <i>two</i></blockquote>after',
    );
    assert.equal(html('a &gt; b'), 'a &gt; b', 'an escaped > is text');
  });

  it('decodes Slack entities exactly once, then escapes for HTML', () => {
    assert.equal(html('&amp;lt;'), '&amp;lt;');
    assert.equal(textOf(html('&amp;lt;')), '&lt;');
    assert.equal(
      html('&lt;script&gt;alert(1)&lt;/script&gt; &amp; "q" \'s'),
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s',
    );
    assert.equal(html('```&lt;b&gt; &amp;amp;```'), '<pre class="bk-pre">&lt;b&gt; &amp;amp;</pre>');
  });

  it('maps known emoji shortcodes, keeps unknown ones, and shows custom ones as a badge', () => {
    const out = html(':warning: :no_such_emoji: 14:02:09 :x::x:');
    assert.equal(textOf(out), '⚠️ :no_such_emoji: 14:02:09 ❌❌');
    assert.match(html(':aws:'), /^<span class="bk-emoji bk-emoji-custom" title=":aws:">AWS<\/span>$/);
    assert.equal(html(':constructor: :hasownproperty:'), ':constructor: :hasownproperty:');
    for (const name of [
      'warning',
      'x',
      'white_check_mark',
      'hourglass_flowing_sand',
      'hourglass',
      'information_source',
      'no_entry',
      'no_entry_sign',
      'leftwards_arrow_with_hook',
      'key',
      'lock',
      'gear',
      'arrows_counterclockwise',
      'zzz',
      'mega',
      'wastebasket',
      'rotating_light',
      'mag',
      'heavy_minus_sign',
      'grey_question',
      'envelope',
      'two',
      'red_circle',
      'large_yellow_circle',
      'point_right',
      'construction',
      'pencil2',
      'black_square_button',
      'ballot_box_with_check',
      'arrow_backward',
      'aws',
      'iam',
      'secretsmanager',
      'secret',
    ]) {
      assert.match(html(`:${name}:`), /^<span class="bk-emoji/, `:${name}: is not mapped`);
    }
  });
});

describe('mrkdwnToHtml: links, mentions and other <…> sequences', () => {
  it('links http(s) and mailto URLs, with or without a label; & in a URL decoded once', () => {
    assert.equal(
      html('<https://x.example/?a=1&amp;b=2|the label>'),
      '<a class="bk-link" href="https://x.example/?a=1&amp;b=2" target="_blank" rel="noopener">the label</a>',
    );
    const [bare] = openTags(html('<https://x.example/p>'), 'a');
    assert.equal(bare?.attrs['href'], 'https://x.example/p');
    assert.equal(textOf(html('<https://x.example/p>')), 'https://x.example/p');
    assert.equal(textOf(html('<mailto:a@b.example|write>')), 'write');
    assert.equal(openTags(html('<mailto:a@b.example>'), 'a')[0]?.attrs['href'], 'mailto:a@b.example');
  });

  it('shows links with other schemes as text, never as an href', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:x',
      'data:text/html,x',
      'vbscript:x',
      '//evil.example',
    ]) {
      const out = html(`<${url}|click> <${url}>`);
      assert.equal(openTags(out, 'a').length, 0, url);
      assert.ok(textOf(out).startsWith('click '), url);
    }
  });

  it('renders user mentions by ctx name, then label, then id', () => {
    assert.equal(html('<@U0ALICE>'), '<span class="bk-mention" data-user-id="U0ALICE">@alice</span>');
    assert.equal(textOf(html('<@U0NEW|newbie>')), '@newbie');
    assert.equal(textOf(html('<@U0ALICE|stale>')), '@alice');
    assert.equal(textOf(html('<@U0NOBODY>')), '@U0NOBODY');
  });

  it('renders channels, broadcasts, user groups and dates', () => {
    assert.equal(textOf(html('<#C0APPROVALS>')), '#approvals');
    assert.equal(textOf(html('<#C0OTHER|ops>')), '#ops');
    for (const b of ['here', 'channel', 'everyone']) {
      assert.equal(html(`<!${b}>`), `<span class="bk-mention bk-broadcast">@${b}</span>`);
    }
    assert.equal(textOf(html('<!subteam^S0ONCALL|@oncall>')), '@oncall');
    const date = html('<!date^1793541729^{date_short_pretty} {time}|2026-11-01 14:02 UTC>');
    assert.equal(textOf(date), '2026-11-01 14:02 UTC');
    assert.equal(openTags(date, 'span')[0]?.attrs['data-ts'], '1793541729');
    assert.equal(textOf(html('<!date^0^{date}>')), '1970-01-01 00:00 UTC');
  });

  it('survives a ctx that throws or answers nonsense', () => {
    const bad = {
      userName: () => {
        throw new Error('boom');
      },
      channelName: () => 42 as unknown as string,
    };
    assert.equal(textOf(mrkdwnToHtml('<@U1|x> <#C1>', bad)), '@x #C1');
  });

  it('escapes names from ctx', () => {
    const evil = { userName: () => '<img src=x onerror=alert(1)>', channelName: () => '"><script>' };
    const out = mrkdwnToHtml('<@U1> <#C1>', evil);
    parseHtml(out);
    assert.equal(textOf(out), '@<img src=x onerror=alert(1)> #"><script>');
  });

  it('verbatim: no links or mentions, only escaping (and formatting)', () => {
    const out = html('<@U0ALICE> <https://x.example|x> *b*', true);
    assert.equal(out, '&lt;@U0ALICE&gt; &lt;https://x.example|x&gt; <b>b</b>');
  });

  it('cannot be tricked by the private placeholder characters', () => {
    const out = html('`code` \uE0000\uE001 <@U0ALICE>');
    assert.equal(openTags(out, 'code').length, 1);
    assert.equal(openTags(out, 'span').length, 1);
  });

  it('never throws on non-strings', () => {
    assert.equal(mrkdwnToHtml(undefined as unknown as string, ctx), '');
    assert.equal(mrkdwnToHtml(42 as unknown as string, ctx), '');
    assert.equal(mrkdwnToHtml('x', undefined as unknown as RenderContext), 'x');
    assert.equal(textOf(mrkdwnToHtml('<@U1|bob>', undefined as unknown as RenderContext)), '@bob');
  });
});

describe('mrkdwnToHtml: any input', () => {
  const pieces = fc.constantFrom(
    '<',
    '>',
    '&',
    '&amp;',
    '&lt;',
    '&gt;',
    '"',
    "'",
    '*',
    '_',
    '~',
    '`',
    '```',
    '\n',
    '>',
    '|',
    '@',
    '#',
    '!',
    ':x:',
    ':',
    'javascript:',
    'https://a.example',
    'mailto:',
    '<@U0ALICE>',
    '<!here>',
    '<script>',
    ' onerror=',
    '\uE000',
    '\uE001',
    '0',
    'a',
    ' ',
  );
  const text = fc.array(pieces, { maxLength: 40 }).map((p) => p.join(''));

  it('always yields well-formed, safe HTML (strict reader), verbatim or not', () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.string()), fc.boolean(), (t, verbatim) => {
        parseHtml(mrkdwnToHtml(t, ctx, { verbatim }));
        parseHtml(plainTextToHtml(t));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('plainTextToHtml', () => {
  it('escapes, turns newlines into <br> and shortcodes into emoji unless emoji is false', () => {
    assert.equal(
      plainTextToHtml('<b>&amp;</b>\n:key:'),
      '&lt;b&gt;&amp;amp;&lt;/b&gt;<br><span class="bk-emoji" title=":key:">🔑</span>',
    );
    assert.equal(plainTextToHtml(':key: *x*', false), ':key: *x*');
    assert.equal(plainTextToHtml('&lt;'), '&amp;lt;', 'plain_text is not Slack-escaped: nothing decoded');
  });
});

describe('mrkdwnToText', () => {
  it('is the text without markup, for option labels', () => {
    assert.equal(mrkdwnToText('`a` &lt;b&gt; <@U0ALICE> :key:', ctx), '`a` <b> @alice 🔑');
  });
});
