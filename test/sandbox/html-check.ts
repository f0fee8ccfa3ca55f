/**
 * A strict little HTML reader for the sandbox renderer's tests (no DOM library): it accepts only
 * text and tags of the shape the renderer writes, so anything the input managed to inject
 * (a tag, an attribute breakout, an event handler, a `javascript:` href) fails loudly.
 */
import assert from 'node:assert/strict';

export interface Tag {
  name: string;
  closing: boolean;
  /** Attribute values, HTML-unescaped (so they compare equal to the original input). */
  attrs: Record<string, string>;
  /** Where the tag starts in the HTML. */
  at: number;
}

const TAG_NAMES = new Set([
  'a',
  'b',
  'blockquote',
  'br',
  'button',
  'code',
  'div',
  'fieldset',
  'h2',
  'hr',
  'i',
  'img',
  'input',
  'label',
  'optgroup',
  'option',
  'pre',
  's',
  'select',
  'small',
  'span',
  'textarea',
]);

const ATTR_NAMES = new Set([
  'alt',
  'aria-label',
  'checked',
  'class',
  'href',
  'label',
  'maxlength',
  'minlength',
  'multiple',
  'name',
  'placeholder',
  'rel',
  'selected',
  'src',
  'target',
  'title',
  'type',
  'value',
]);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

export function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e] ?? '');
}

const TOKEN = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<>']*")?)*)\s*>|([^<]+)/y;
const ATTR = /\s+([a-z][a-z0-9-]*)(?:="([^"<>']*)")?/g;

/**
 * Every tag in `html`, after checking the whole string is made only of known tags, known
 * attributes and text that holds no `<`, `>`, `"` or `'`, with http(s)/mailto links only.
 */
export function parseHtml(html: string): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  while (i < html.length) {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(html);
    assert.ok(m, `unexpected markup at ${i}: ${JSON.stringify(html.slice(i, i + 80))}`);
    if (m[4] !== undefined) {
      assert.doesNotMatch(m[4], /[>"']/, `raw > " or ' in text: ${JSON.stringify(m[4].slice(0, 80))}`);
      assert.doesNotMatch(m[4], /&(?!(amp|lt|gt|quot|#39);)/, `bare & in text: ${m[4].slice(0, 80)}`);
    } else {
      const name = m[2] ?? '';
      assert.ok(TAG_NAMES.has(name), `unexpected tag <${name}>`);
      const attrs: Record<string, string> = {};
      for (const a of (m[3] ?? '').matchAll(ATTR)) {
        const attrName = a[1] ?? '';
        assert.ok(
          ATTR_NAMES.has(attrName) || /^data-[a-z-]+$/.test(attrName),
          `unexpected attribute ${attrName} on <${name}>`,
        );
        assert.ok(!(attrName in attrs), `duplicate attribute ${attrName} on <${name}>`);
        attrs[attrName] = unescapeHtml(a[2] ?? '');
      }
      for (const urlAttr of ['href', 'src']) {
        const url = attrs[urlAttr];
        if (url !== undefined) assert.match(url, /^(https?:|mailto:)/i, `unsafe ${urlAttr}: ${url}`);
      }
      tags.push({ name, closing: m[1] === '/', attrs, at: m.index });
    }
    i = TOKEN.lastIndex;
  }
  return tags;
}

/** Opening tags only, optionally of one name. */
export function openTags(html: string, name?: string): Tag[] {
  return parseHtml(html).filter((t) => !t.closing && (name === undefined || t.name === name));
}

/** The single opening tag carrying `data-type="type"`. */
export function byDataType(html: string, type: string): Tag {
  const found = openTags(html).filter((t) => t.attrs['data-type'] === type);
  assert.equal(found.length, 1, `expected one element with data-type=${type}, found ${found.length}`);
  return found[0]!;
}

/** The visible text: tags dropped, entities decoded. */
export function textOf(html: string): string {
  parseHtml(html);
  return unescapeHtml(html.replace(/<[^>]*>/g, ''));
}

/** The HTML between the opening tag at `tag.at` and its matching closing tag (same name). */
export function innerOf(html: string, tag: Tag): string {
  const tags = parseHtml(html);
  const start = html.indexOf('>', tag.at) + 1;
  let depth = 0;
  for (const t of tags) {
    if (t.at < start || t.name !== tag.name) continue;
    if (!t.closing) depth++;
    else if (depth === 0) return html.slice(start, t.at);
    else depth--;
  }
  assert.fail(`no closing </${tag.name}>`);
}

export function hasClass(tag: Tag, cls: string): boolean {
  return (tag.attrs['class'] ?? '').split(/\s+/).includes(cls);
}
