/**
 * Shared pieces of the property tests: run counts and the arbitraries for hostile text.
 * Runs are kept small by default so `npm test` stays fast; set LOCKSMITH_PROPERTY_RUNS for a
 * heavier run (e.g. LOCKSMITH_PROPERTY_RUNS=5000 node scripts/run-tests.mjs test/property).
 */
import fc from 'fast-check';

/** Runs per property: `fallback` unless LOCKSMITH_PROPERTY_RUNS is a positive whole number. */
export function propertyRuns(fallback: number): number {
  const raw = process.env['LOCKSMITH_PROPERTY_RUNS'];
  const n = raw ? Number(raw) : NaN;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Pieces of text that mean something to Slack, mrkdwn, shells or our own parsers. */
export const NASTY_PIECES = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S123|@team>',
  '<@U123>',
  '<@U123|bob>',
  '<#C123>',
  '<#C123|general>',
  '<https://x|y>',
  '<http://evil.example/|click>',
  '<mailto:a@b.c|mail>',
  '&lt;!channel&gt;',
  '&lt;@U123&gt;',
  '&amp;lt;!here&amp;gt;',
  '&amp;',
  '&lt;',
  '&gt;',
  '&',
  '<',
  '>',
  '`',
  '```',
  '*bold*',
  '_it_',
  '~s~',
  '> quote',
  '$(rm -rf /)',
  '`id`',
  '; ls',
  '| cat',
  '\'"',
  '\\',
  '--',
  '--role',
  '--role=',
  '--role=x',
  '--role <!channel>',
  '--<!channel>',
  '--<@U123>',
  '--<https://x|y>',
  '--=',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  '\u001b[31m',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udc00',
  '\ud83d\ude00',
  'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP',
  '{"a":1}',
  '%00',
  '%3C!channel%3E',
] as const;

/** A lone UTF-16 surrogate: invalid Unicode that still is a JS string. */
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** One unit of hostile text: a nasty piece, any code point, a control character or a lone surrogate. */
export const nastyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_PIECES) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: loneSurrogate },
);

/** Hostile text of up to `maxUnits` units (each a few characters). */
export function nastyText(maxUnits = 40): fc.Arbitrary<string> {
  return fc.array(nastyUnit, { maxLength: maxUnits }).map((parts) => parts.join(''));
}

/** Hostile text, sometimes very long (a short piece repeated up to ~`maxLength` characters). */
export function nastyTextMaybeHuge(maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: nastyText() },
    {
      weight: 1,
      arbitrary: fc
        .tuple(nastyText(6), fc.integer({ min: 1, max: maxLength }))
        .map(([piece, n]) => (piece === '' ? 'x' : piece).repeat(Math.ceil(n / Math.max(1, piece.length)))),
    },
  );
}

/**
 * Where mrkdwn would act on `<`: a ping, a channel link or a URL link. `<!date^...>` is the one
 * token locksmith writes itself (slackDate), so it is removed before looking.
 */
export function unescapedControl(text: string): string | undefined {
  const cleaned = text.replace(/<!date\^\d+\^[^|>]*\|[^>]*>/g, '');
  const m = /<[!@#]|<https?:|<mailto:/i.exec(cleaned);
  return m ? cleaned.slice(Math.max(0, m.index - 20), m.index + 30) : undefined;
}
