/**
 * Slack mrkdwn and plain_text → safe HTML, for the sandbox page that stands in for Slack.
 *
 * Pure string-in/string-out: no imports, no Node and no DOM APIs, so the same file compiles for
 * Node (tests) and is served to the browser as an ES module. Nothing from the input can create
 * markup: every piece of text and every attribute value goes through `escapeHtml`, and links are
 * only made for http:, https: and mailto: URLs.
 *
 * mrkdwn input is Slack-escaped (`&amp;`, `&lt;`, `&gt;`): `<…>` are control sequences (links,
 * mentions, dates), and the three entities are decoded exactly once before escaping for HTML.
 */

export interface RenderContext {
  /** Display name for a Slack user id (for <@U123>), or undefined if unknown. */
  userName(id: string): string | undefined;
  /** Name for a channel id (for <#C123>), or undefined. */
  channelName(id: string): string | undefined;
}

export interface MrkdwnOptions {
  /** Slack's `verbatim: true`: `<…>` sequences are shown as text, not parsed into links or mentions. */
  verbatim?: boolean;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `& < > " '` for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Decodes Slack's three entities exactly once (`&amp;lt;` becomes `&lt;`, not `<`). */
export function decodeSlackEntities(s: string): string {
  return s.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

// ---------------------------------------------------------------------------------------------
// Emoji

/** Shortcode → emoji. Covers every shortcode locksmith writes, and a few common ones. */
const EMOJI = new Map<string, string>([
  ['warning', '⚠️'],
  ['x', '❌'],
  ['white_check_mark', '✅'],
  ['heavy_check_mark', '✔️'],
  ['ballot_box_with_check', '☑️'],
  ['black_square_button', '🔲'],
  ['hourglass_flowing_sand', '⏳'],
  ['hourglass', '⌛'],
  ['information_source', 'ℹ️'],
  ['no_entry', '⛔'],
  ['no_entry_sign', '🚫'],
  ['leftwards_arrow_with_hook', '↩️'],
  ['arrow_backward', '◀️'],
  ['arrow_forward', '▶️'],
  ['key', '🔑'],
  ['old_key', '🗝️'],
  ['lock', '🔒'],
  ['unlock', '🔓'],
  ['gear', '⚙️'],
  ['arrows_counterclockwise', '🔄'],
  ['zzz', '💤'],
  ['mega', '📣'],
  ['loudspeaker', '📢'],
  ['wastebasket', '🗑️'],
  ['rotating_light', '🚨'],
  ['mag', '🔍'],
  ['heavy_minus_sign', '➖'],
  ['heavy_plus_sign', '➕'],
  ['grey_question', '❔'],
  ['question', '❓'],
  ['grey_exclamation', '❕'],
  ['exclamation', '❗'],
  ['envelope', '✉️'],
  ['email', '📧'],
  ['one', '1️⃣'],
  ['two', '2️⃣'],
  ['three', '3️⃣'],
  ['123', '🔢'],
  ['red_circle', '🔴'],
  ['large_yellow_circle', '🟡'],
  ['large_green_circle', '🟢'],
  ['large_blue_circle', '🔵'],
  ['white_circle', '⚪'],
  ['point_right', '👉'],
  ['construction', '🚧'],
  ['pencil2', '✏️'],
  ['memo', '📝'],
  ['link', '🔗'],
  ['bell', '🔔'],
  ['eyes', '👀'],
  ['tada', '🎉'],
  ['+1', '👍'],
  ['thumbsup', '👍'],
  ['-1', '👎'],
  ['thumbsdown', '👎'],
  ['bust_in_silhouette', '👤'],
  ['busts_in_silhouette', '👥'],
  ['calendar', '📅'],
  ['stopwatch', '⏱️'],
  ['clock1', '🕐'],
  ['shield', '🛡️'],
  ['fire', '🔥'],
  ['robot_face', '🤖'],
  ['package', '📦'],
  ['clipboard', '📋'],
  ['bulb', '💡'],
  ['checkered_flag', '🏁'],
]);

/** Custom workspace emoji locksmith uses: shown as a small text badge. */
const CUSTOM_EMOJI = new Map<string, string>([
  ['aws', 'AWS'],
  ['iam', 'IAM'],
  ['secretsmanager', 'Secrets Manager'],
  ['secret', 'secret'],
]);

/**
 * Replaces known `:shortcodes:` in `text` (already HTML-escaped or free of markup) using
 * `render`; unknown shortcodes stay as they are. A colon that closes an unknown code may open
 * the next one (`:02:x:` still finds `:x:`).
 */
function replaceShortcodes(text: string, render: (name: string) => string | undefined): string {
  const re = /:([a-z0-9_+-]+):/g;
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const name = m[1] ?? '';
    const replacement = render(name);
    if (replacement === undefined) {
      re.lastIndex = m.index + 1;
      continue;
    }
    out += text.slice(last, m.index) + replacement;
    last = re.lastIndex;
  }
  return out + text.slice(last);
}

/** Known shortcodes as HTML spans; `text` must already be HTML-escaped. */
function emojiHtml(escaped: string): string {
  return replaceShortcodes(escaped, (name) => {
    const emoji = EMOJI.get(name);
    if (emoji !== undefined) return `<span class="bk-emoji" title=":${escapeHtml(name)}:">${emoji}</span>`;
    const badge = CUSTOM_EMOJI.get(name);
    if (badge !== undefined) {
      return `<span class="bk-emoji bk-emoji-custom" title=":${escapeHtml(name)}:">${escapeHtml(badge)}</span>`;
    }
    return undefined;
  });
}

/** Known shortcodes as bare characters (for `<option>` labels, which can't hold markup). Raw in, raw out. */
export function emojiToText(text: string): string {
  return replaceShortcodes(text, (name) => EMOJI.get(name) ?? CUSTOM_EMOJI.get(name));
}

// ---------------------------------------------------------------------------------------------
// plain_text

/** A plain_text object's text: escaped, newlines as `<br>`, shortcodes as emoji unless `emoji` is false. */
export function plainTextToHtml(text: string, emoji?: boolean): string {
  const escaped = escapeHtml(typeof text === 'string' ? text : '');
  const withEmoji = emoji === false ? escaped : emojiHtml(escaped);
  return withEmoji.replace(/\r?\n/g, '<br>');
}

// ---------------------------------------------------------------------------------------------
// Control sequences: <https://x|label>, <@U1>, <#C1>, <!here>, <!subteam^S1|@h>, <!date^…|fallback>

const SAFE_URL = /^(https?:|mailto:)/i;

/** Whether a (decoded) URL may become an href: only http:, https: and mailto:. */
export function isSafeUrl(url: string): boolean {
  return SAFE_URL.test(url);
}

type Control =
  | { kind: 'user'; id: string; text: string }
  | { kind: 'channel'; id: string; text: string }
  | { kind: 'broadcast'; text: string }
  | { kind: 'usergroup'; id: string; text: string }
  | { kind: 'date'; ts: string; text: string }
  | { kind: 'link'; href: string; text: string }
  | { kind: 'text'; text: string };

function lookup(fn: ((id: string) => string | undefined) | undefined, id: string): string | undefined {
  try {
    const name = typeof fn === 'function' ? fn(id) : undefined;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

function dateFallback(ts: string): string {
  const seconds = Number(ts);
  if (!Number.isFinite(seconds)) return ts;
  const d = new Date(seconds * 1000);
  return Number.isFinite(d.getTime()) ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : ts;
}

/** One `<…>` sequence (without the brackets, still Slack-escaped) as what it shows. Texts are raw. */
function parseControl(content: string, ctx: RenderContext): Control {
  const bar = content.indexOf('|');
  const target = bar >= 0 ? content.slice(0, bar) : content;
  const rawLabel = bar >= 0 ? decodeSlackEntities(content.slice(bar + 1)) : '';
  const label = rawLabel !== '' ? rawLabel : undefined;
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = lookup(ctx?.userName?.bind(ctx), id) ?? label ?? id;
    return { kind: 'user', id, text: `@${name.replace(/^@/, '')}` };
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = lookup(ctx?.channelName?.bind(ctx), id) ?? label ?? id;
    return { kind: 'channel', id, text: `#${name.replace(/^#/, '')}` };
  }
  if (target.startsWith('!')) {
    const [command = '', ...args] = target.slice(1).split('^');
    if (command === 'here' || command === 'channel' || command === 'everyone') {
      return { kind: 'broadcast', text: `@${command}` };
    }
    if (command === 'subteam') {
      const id = args[0] ?? '';
      const handle = label ?? id;
      return { kind: 'usergroup', id, text: `@${handle.replace(/^@/, '')}` };
    }
    if (command === 'date') {
      const ts = args[0] ?? '';
      return { kind: 'date', ts, text: label ?? dateFallback(ts) };
    }
    return { kind: 'text', text: label ?? decodeSlackEntities(target.slice(1)) };
  }
  const url = decodeSlackEntities(target);
  if (isSafeUrl(url)) return { kind: 'link', href: url, text: label ?? url.replace(/^mailto:/i, '') };
  return { kind: 'text', text: label ?? url };
}

function controlHtml(c: Control): string {
  const text = escapeHtml(c.text);
  switch (c.kind) {
    case 'user':
      return `<span class="bk-mention" data-user-id="${escapeHtml(c.id)}">${text}</span>`;
    case 'channel':
      return `<span class="bk-mention bk-channel" data-channel-id="${escapeHtml(c.id)}">${text}</span>`;
    case 'broadcast':
      return `<span class="bk-mention bk-broadcast">${text}</span>`;
    case 'usergroup':
      return `<span class="bk-mention bk-usergroup" data-usergroup-id="${escapeHtml(c.id)}">${text}</span>`;
    case 'date':
      return `<span class="bk-date" data-ts="${escapeHtml(c.ts)}">${text}</span>`;
    case 'link':
      return `<a class="bk-link" href="${escapeHtml(c.href)}" target="_blank" rel="noopener">${text}</a>`;
    case 'text':
      return text;
  }
}

const CONTROL = /<([^<>\n]*)>/y;

/** Slack-escaped text → raw text: entities decoded once, `<…>` sequences as what they show. */
function controlsAsText(content: string, ctx: RenderContext): string {
  return content
    .split(/(<[^<>\n]*>)/)
    .map((part, i) => (i % 2 === 1 ? parseControl(part.slice(1, -1), ctx).text : decodeSlackEntities(part)))
    .join('');
}

/**
 * Code and pre contents: entities decoded once, `<…>` shown as their text (no links, no
 * mentions markup), no formatting, no emoji. Returns escaped HTML.
 */
function codeHtml(content: string, ctx: RenderContext, verbatim: boolean): string {
  if (verbatim) return escapeHtml(decodeSlackEntities(content));
  return escapeHtml(controlsAsText(content, ctx));
}

// ---------------------------------------------------------------------------------------------
// mrkdwn

// Placeholders for already-rendered HTML (code, pre, control sequences) inside text that is
// still to be formatted. Private-use characters; any in the input are replaced first.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

// *bold*, _italic_, ~strike~: the opening marker not after a letter or digit and not before a
// space; the closing marker not after a space and not before a letter or digit; one line only.
const BOLD = /(?<![\p{L}\p{N}\\])\*(?!\s)([^*\n]*?[^*\s])\*(?![\p{L}\p{N}])/gu;
const ITALIC = /(?<![\p{L}\p{N}\\])_(?!\s)([^_\n]*?[^_\s])_(?![\p{L}\p{N}])/gu;
const STRIKE = /(?<![\p{L}\p{N}\\])~(?!\s)([^~\n]*?[^~\s])~(?![\p{L}\p{N}])/gu;

/** One line of text (placeholders allowed), still Slack-escaped → HTML with placeholders. */
function inlineHtml(line: string): string {
  const escaped = escapeHtml(decodeSlackEntities(line));
  const formatted = escaped
    .replace(BOLD, '<b>$1</b>')
    .replace(ITALIC, '<i>$1</i>')
    .replace(STRIKE, '<s>$1</s>');
  return emojiHtml(formatted);
}

/** Slack mrkdwn (Slack-escaped) → safe HTML. */
export function mrkdwnToHtml(text: string, ctx: RenderContext, options: MrkdwnOptions = {}): string {
  const src = (typeof text === 'string' ? text : '').replace(/[\uE000\uE001]/g, '\uFFFD');
  const verbatim = options?.verbatim === true;
  const stash: string[] = [];
  const hold = (html: string): string => {
    stash.push(html);
    return `${OPEN}${stash.length - 1}${CLOSE}`;
  };

  // 1. Left to right: ```pre```, `code` and <control> become placeholders; the rest stays.
  let rest = '';
  let i = 0;
  while (i < src.length) {
    if (src.startsWith('```', i)) {
      const end = src.indexOf('```', i + 3);
      if (end > i + 3) {
        rest += hold(`<pre class="bk-pre">${codeHtml(src.slice(i + 3, end), ctx, verbatim)}</pre>`);
        i = end + 3;
        continue;
      }
    }
    const c = src[i];
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end > i + 1 && !src.slice(i + 1, end).includes('\n')) {
        rest += hold(`<code class="bk-code">${codeHtml(src.slice(i + 1, end), ctx, verbatim)}</code>`);
        i = end + 1;
        continue;
      }
    }
    if (c === '<' && !verbatim) {
      CONTROL.lastIndex = i;
      const m = CONTROL.exec(src);
      if (m) {
        rest += hold(controlHtml(parseControl(m[1] ?? '', ctx)));
        i = CONTROL.lastIndex;
        continue;
      }
    }
    rest += c;
    i++;
  }

  // 2. Line by line: `>` quotes, inline formatting, emoji; lines joined with <br>.
  let html = '';
  let quote: string[] = [];
  let pendingBreak = false;
  const flushQuote = (): void => {
    if (quote.length === 0) return;
    html += `<blockquote class="bk-quote">${quote.join('<br>')}</blockquote>`;
    quote = [];
    pendingBreak = false;
  };
  for (const line of rest.split('\n')) {
    if (line.startsWith('>')) {
      quote.push(inlineHtml(line.slice(line.startsWith('> ') ? 2 : 1)));
      continue;
    }
    const hadQuote = quote.length > 0;
    flushQuote();
    if (pendingBreak) html += '<br>';
    html += inlineHtml(line);
    // After a blockquote the line starts on its own; an empty line there adds no extra break.
    pendingBreak = true;
    if (hadQuote && line === '') pendingBreak = false;
  }
  flushQuote();

  // 3. Placeholders back, and no stray break right after a pre block.
  return html
    .replace(PLACEHOLDER, (_, n: string) => stash[Number(n)] ?? '')
    .replace(/<\/pre><br>/g, '</pre>');
}

/** Slack mrkdwn → plain text (no markup, not escaped): for `<option>` labels and titles. */
export function mrkdwnToText(text: string, ctx: RenderContext): string {
  return emojiToText(controlsAsText(typeof text === 'string' ? text : '', ctx));
}
