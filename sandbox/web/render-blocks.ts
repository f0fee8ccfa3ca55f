/**
 * Block Kit → HTML strings, for the sandbox page that stands in for Slack.
 *
 * Pure string-in/string-out (no Node, no DOM), compiled for Node and served to the browser as an
 * ES module. Inputs are JSON from the wire, so everything is checked: a malformed block or
 * element never throws, it renders as a visible `bk-unknown` placeholder. Every text and every
 * attribute value is escaped; links and images only get http(s) (links also mailto:) URLs.
 *
 * The page's client binds to the markup: interactive elements carry `data-type`,
 * `data-action-id` and `data-block-id` (buttons also `data-value` and `data-confirm`), options
 * carry `data-option` (the option object as JSON, to send back as `selected_option`), and input
 * blocks are `div.bk-input[data-block-id]` with a `[data-error-for]` slot for errors.
 */
import {
  emojiToText,
  escapeHtml,
  isSafeUrl,
  mrkdwnToHtml,
  mrkdwnToText,
  plainTextToHtml,
  type RenderContext,
} from './mrkdwn.js';

export type { RenderContext } from './mrkdwn.js';

type Json = Record<string, unknown>;

const BLOCK_TYPES = ['section', 'header', 'context', 'divider', 'actions', 'input', 'image'] as const;
const ELEMENT_TYPES = [
  'button',
  'static_select',
  'multi_static_select',
  'external_select',
  'checkboxes',
  'radio_buttons',
  'overflow',
  'plain_text_input',
  'image',
] as const;
const TEXT_TYPES = ['plain_text', 'mrkdwn'] as const;

/** Every Block Kit `type` value the renderer knows: block types, element types, text/composition types. */
export const RENDERED_TYPES: ReadonlySet<string> = new Set<string>([
  ...BLOCK_TYPES,
  ...ELEMENT_TYPES,
  ...TEXT_TYPES,
]);

/** View types: not Block Kit content, so not in RENDERED_TYPES and skipped by blockKitTypesIn at the top. */
const VIEW_TYPES: ReadonlySet<string> = new Set(['modal', 'home', 'message', 'workflow_step']);

// ---------------------------------------------------------------------------------------------
// Small helpers

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A non-negative integer (Slack's lengths and counts), or undefined. */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** ` name="value"` with the value escaped; nothing when the value is undefined. */
function attr(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : ` ${name}="${escapeHtml(String(value))}"`;
}

/** JSON for a data attribute (escaped by attr); undefined when it can't be serialised. */
function json(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function describeType(value: unknown): string {
  if (isRecord(value)) return typeof value['type'] === 'string' ? value['type'] : '';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** The visible placeholder for anything not rendered. */
function unknown(value: unknown, what: 'block' | 'element' | 'text' | 'view' | 'blocks'): string {
  const type = describeType(value);
  const shown = type === '' ? `${what} without a type` : `unsupported ${what}: ${type}`;
  return `<div class="bk-unknown"${attr('data-unknown-type', type)}>[${escapeHtml(shown)}]</div>`;
}

/** Interactive element attributes: data-type, data-action-id, data-block-id. */
function dataAttrs(type: string, el: Json, blockId: string): string {
  return (
    attr('data-type', type) +
    attr('data-action-id', str(el['action_id']) ?? '') +
    attr('data-block-id', blockId)
  );
}

// ---------------------------------------------------------------------------------------------
// Text objects

/** A text object (plain_text or mrkdwn) as HTML; '' when absent, a placeholder when malformed. */
function textHtml(value: unknown, ctx: RenderContext): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (!isRecord(value)) return unknown(value, 'text');
  const text = str(value['text']) ?? '';
  if (value['type'] === 'plain_text') return plainTextToHtml(text, value['emoji'] !== false);
  if (value['type'] === 'mrkdwn') return mrkdwnToHtml(text, ctx, { verbatim: value['verbatim'] === true });
  return unknown(value, 'text');
}

/** A text object as plain text (not escaped): for `<option>` labels and `label=""` attributes. */
function textPlain(value: unknown, ctx: RenderContext): string {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return '';
  const text = str(value['text']) ?? '';
  if (value['type'] === 'mrkdwn') return mrkdwnToText(text, ctx);
  return value['emoji'] === false ? text : emojiToText(text);
}

// ---------------------------------------------------------------------------------------------
// Options

interface OptionLike {
  raw: Json;
  value: string;
}

function optionsOf(value: unknown): OptionLike[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((raw) => ({ raw, value: str(raw['value']) ?? '' }));
}

/** Values of initial_option / initial_options. */
function initialValues(el: Json): Set<string> {
  const values = new Set<string>();
  const one = el['initial_option'];
  if (isRecord(one) && typeof one['value'] === 'string') values.add(one['value']);
  for (const o of optionsOf(el['initial_options'])) values.add(o.value);
  return values;
}

function optionTag(o: OptionLike, selected: boolean, ctx: RenderContext): string {
  return (
    `<option${attr('value', o.value)}${attr('data-option', json(o.raw))}${selected ? ' selected' : ''}>` +
    `${escapeHtml(textPlain(o.raw['text'], ctx))}</option>`
  );
}

function optionTags(el: Json, selected: Set<string>, ctx: RenderContext): string {
  let html = optionsOf(el['options'])
    .map((o) => optionTag(o, selected.has(o.value), ctx))
    .join('');
  const groups = el['option_groups'];
  if (Array.isArray(groups)) {
    for (const g of groups) {
      if (!isRecord(g)) continue;
      const inner = optionsOf(g['options'])
        .map((o) => optionTag(o, selected.has(o.value), ctx))
        .join('');
      html += `<optgroup${attr('label', textPlain(g['label'], ctx))}>${inner}</optgroup>`;
    }
  }
  return html;
}

// ---------------------------------------------------------------------------------------------
// Elements

function renderButton(el: Json, ctx: RenderContext, blockId: string): string {
  const style = el['style'] === 'primary' ? ' bk-primary' : el['style'] === 'danger' ? ' bk-danger' : '';
  const confirm = isRecord(el['confirm']) ? json(el['confirm']) : undefined;
  const attrs =
    attr('class', `bk-button${style}`) +
    dataAttrs('button', el, blockId) +
    attr('data-value', str(el['value'])) +
    attr('data-confirm', confirm) +
    attr('aria-label', str(el['accessibility_label']));
  const label = textHtml(el['text'], ctx);
  const url = str(el['url']);
  if (url !== undefined && isSafeUrl(url)) {
    return `<a${attrs}${attr('href', url)} target="_blank" rel="noopener">${label}</a>`;
  }
  return `<button type="button"${attrs}>${label}</button>`;
}

function renderSelect(el: Json, ctx: RenderContext, blockId: string, multi: boolean): string {
  const type = multi ? 'multi_static_select' : 'static_select';
  const placeholder = textPlain(el['placeholder'], ctx);
  const first = multi ? '' : `<option value="">${escapeHtml(placeholder || 'Select an item')}</option>`;
  return (
    `<select${attr('class', multi ? 'bk-select bk-multi-select' : 'bk-select')}${dataAttrs(type, el, blockId)}` +
    `${multi ? ' multiple' : ''}${attr('data-placeholder', placeholder || undefined)}` +
    `${attr('data-max-selected-items', count(el['max_selected_items']))}>` +
    `${first}${optionTags(el, initialValues(el), ctx)}</select>`
  );
}

function renderExternalSelect(el: Json, ctx: RenderContext, blockId: string): string {
  const min = count(el['min_query_length']) ?? 3;
  const initial = el['initial_option'];
  const selected = isRecord(initial)
    ? optionTag({ raw: initial, value: str(initial['value']) ?? '' }, true, ctx)
    : '';
  return (
    `<span class="bk-external"${dataAttrs('external_select', el, blockId)}${attr('data-min-query-length', min)}>` +
    `<input type="search" class="bk-external-query"${attr('placeholder', textPlain(el['placeholder'], ctx))}>` +
    `<select class="bk-external-options"><option value="">…</option>${selected}</select></span>`
  );
}

function renderChoices(el: Json, ctx: RenderContext, blockId: string, radio: boolean): string {
  const type = radio ? 'radio_buttons' : 'checkboxes';
  const selected = initialValues(el);
  const name = radio ? attr('name', `${blockId}/${str(el['action_id']) ?? ''}`) : '';
  const options = optionsOf(el['options'])
    .map((o) => {
      const description = o.raw['description'];
      const small = description === undefined ? '' : ` <small>${textHtml(description, ctx)}</small>`;
      return (
        `<label class="bk-option"><input type="${radio ? 'radio' : 'checkbox'}"${name}${attr('value', o.value)}` +
        `${attr('data-option', json(o.raw))}${selected.has(o.value) ? ' checked' : ''}> ` +
        `${textHtml(o.raw['text'], ctx)}${small}</label>`
      );
    })
    .join('');
  return `<fieldset${attr('class', `bk-${type.replace('_', '-')}`)}${dataAttrs(type, el, blockId)}>${options}</fieldset>`;
}

function renderOverflow(el: Json, ctx: RenderContext, blockId: string): string {
  return (
    `<select class="bk-overflow"${dataAttrs('overflow', el, blockId)}>` +
    `<option value="">⋯</option>${optionTags(el, new Set(), ctx)}</select>`
  );
}

function renderTextInput(el: Json, ctx: RenderContext, blockId: string): string {
  const attrs =
    ' class="bk-text-input"' +
    dataAttrs('plain_text_input', el, blockId) +
    attr('placeholder', textPlain(el['placeholder'], ctx) || undefined) +
    attr('maxlength', count(el['max_length'])) +
    attr('minlength', count(el['min_length']));
  const initial = str(el['initial_value']) ?? '';
  if (el['multiline'] === true) return `<textarea${attrs}>${escapeHtml(initial)}</textarea>`;
  return `<input type="text"${attrs}${attr('value', initial)}>`;
}

function renderImage(el: Json, className: string): string {
  const url = str(el['image_url']);
  const alt = str(el['alt_text']) ?? '';
  if (url !== undefined && /^https?:/i.test(url)) {
    return `<img${attr('class', className)}${attr('src', url)}${attr('alt', alt)}>`;
  }
  return `<span${attr('class', `${className} bk-image-missing`)}>[image${alt ? `: ${escapeHtml(alt)}` : ''}]</span>`;
}

/** One block element; `blockId` is the enclosing block's block_id ('' if none). */
function renderElement(el: unknown, ctx: RenderContext, blockId: string): string {
  if (!isRecord(el)) return unknown(el, 'element');
  switch (el['type']) {
    case 'button':
      return renderButton(el, ctx, blockId);
    case 'static_select':
      return renderSelect(el, ctx, blockId, false);
    case 'multi_static_select':
      return renderSelect(el, ctx, blockId, true);
    case 'external_select':
      return renderExternalSelect(el, ctx, blockId);
    case 'checkboxes':
      return renderChoices(el, ctx, blockId, false);
    case 'radio_buttons':
      return renderChoices(el, ctx, blockId, true);
    case 'overflow':
      return renderOverflow(el, ctx, blockId);
    case 'plain_text_input':
      return renderTextInput(el, ctx, blockId);
    case 'image':
      return renderImage(el, 'bk-image-element');
    default:
      return unknown(el, 'element');
  }
}

// ---------------------------------------------------------------------------------------------
// Blocks

function wrap(type: string, blockId: string, inner: string): string {
  return `<div${attr('class', `bk-block bk-${type}`)}${attr('data-block-id', blockId)}>${inner}</div>`;
}

function renderSection(block: Json, ctx: RenderContext, blockId: string): string {
  let inner = '';
  if (block['text'] !== undefined)
    inner += `<div class="bk-section-text">${textHtml(block['text'], ctx)}</div>`;
  const fields = block['fields'];
  if (Array.isArray(fields) && fields.length > 0) {
    inner += `<div class="bk-fields">${fields.map((f) => `<div class="bk-field">${textHtml(f, ctx)}</div>`).join('')}</div>`;
  }
  if (block['accessory'] !== undefined) {
    inner += `<div class="bk-accessory">${renderElement(block['accessory'], ctx, blockId)}</div>`;
  }
  return wrap('section', blockId, inner);
}

function renderContext(block: Json, ctx: RenderContext, blockId: string): string {
  const elements = Array.isArray(block['elements']) ? block['elements'] : [];
  const inner = elements
    .map((el) => {
      if (isRecord(el) && (el['type'] === 'mrkdwn' || el['type'] === 'plain_text')) {
        return `<span class="bk-context-text">${textHtml(el, ctx)}</span>`;
      }
      if (isRecord(el) && el['type'] === 'image') return renderImage(el, 'bk-context-image');
      return unknown(el, 'element');
    })
    .join('');
  return wrap('context', blockId, inner);
}

function renderInput(block: Json, ctx: RenderContext, blockId: string): string {
  const optional = block['optional'] === true ? ' <span class="bk-optional">(optional)</span>' : '';
  const hint =
    block['hint'] !== undefined ? `<div class="bk-hint">${textHtml(block['hint'], ctx)}</div>` : '';
  return (
    `<div class="bk-input"${attr('data-block-id', blockId)}>` +
    `<label class="bk-label">${textHtml(block['label'], ctx)}${optional}</label>` +
    `${renderElement(block['element'], ctx, blockId)}${hint}` +
    `<div class="bk-input-error"${attr('data-error-for', blockId)}></div></div>`
  );
}

function renderImageBlock(block: Json, ctx: RenderContext, blockId: string): string {
  const title =
    block['title'] !== undefined ? `<div class="bk-image-title">${textHtml(block['title'], ctx)}</div>` : '';
  return wrap('image', blockId, title + renderImage(block, 'bk-image-img'));
}

function renderBlock(block: unknown, ctx: RenderContext): string {
  if (!isRecord(block)) return unknown(block, 'block');
  const blockId = str(block['block_id']) ?? '';
  switch (block['type']) {
    case 'section':
      return renderSection(block, ctx, blockId);
    case 'header':
      return wrap('header', blockId, `<h2 class="bk-header-text">${textHtml(block['text'], ctx)}</h2>`);
    case 'context':
      return renderContext(block, ctx, blockId);
    case 'divider':
      return wrap('divider', blockId, '<hr>');
    case 'actions': {
      const elements = Array.isArray(block['elements']) ? block['elements'] : [];
      return wrap('actions', blockId, elements.map((el) => renderElement(el, ctx, blockId)).join(''));
    }
    case 'input':
      return renderInput(block, ctx, blockId);
    case 'image':
      return renderImageBlock(block, ctx, blockId);
    default:
      return unknown(block, 'block');
  }
}

/** A message's blocks; '' for none, a placeholder when `blocks` is not a list. */
export function renderBlocks(blocks: unknown, ctx: RenderContext): string {
  if (blocks === undefined || blocks === null) return '';
  if (!Array.isArray(blocks)) return unknown(blocks, 'blocks');
  return blocks
    .map((b) => {
      try {
        return renderBlock(b, ctx);
      } catch {
        // Defence in depth: a block that still manages to throw shows as unknown, not a blank page.
        return unknown(b, 'block');
      }
    })
    .join('');
}

/** A message: its blocks when it has any, otherwise its `text` as mrkdwn. */
export function renderMessage(message: { text?: string; blocks?: unknown }, ctx: RenderContext): string {
  if (!isRecord(message)) return unknown(message, 'blocks');
  const blocks = message['blocks'];
  if (Array.isArray(blocks) && blocks.length > 0) return renderBlocks(blocks, ctx);
  const text = str(message['text']) ?? '';
  const malformed = blocks !== undefined && blocks !== null && !Array.isArray(blocks);
  return (
    (malformed ? unknown(blocks, 'blocks') : '') +
    `<div class="bk-message-text">${mrkdwnToHtml(text, ctx)}</div>`
  );
}

/** A modal (title, blocks, close and submit labels) or a Home tab (`type: "home"`: just its blocks). */
export function renderView(view: unknown, ctx: RenderContext): string {
  if (!isRecord(view)) return unknown(view, 'view');
  const type = view['type'];
  if (type === 'home') return renderBlocks(view['blocks'] ?? [], ctx);
  const prefix = type === 'modal' || type === undefined ? '' : unknown(view, 'view');
  const title = `<div class="bk-modal-title">${textHtml(view['title'], ctx)}</div>`;
  const closeText = isRecord(view['close']) ? textHtml(view['close'], ctx) : 'Cancel';
  const submit = isRecord(view['submit'])
    ? `<button type="button" class="bk-modal-submit bk-button bk-primary">${textHtml(view['submit'], ctx)}</button>`
    : '';
  const buttons =
    `<div class="bk-modal-buttons"><button type="button" class="bk-modal-close">${closeText}</button>` +
    `${submit}</div>`;
  return prefix + title + renderBlocks(view['blocks'] ?? [], ctx) + buttons;
}

// ---------------------------------------------------------------------------------------------
// Types used

/** Keys under which Block Kit nests blocks, elements, text and composition objects. */
const NESTED_KEYS = [
  'blocks',
  'accessory',
  'elements',
  'element',
  'fields',
  'text',
  'label',
  'hint',
  'title',
  'submit',
  'close',
  'options',
  'option_groups',
  'initial_option',
  'initial_options',
  'description',
  'placeholder',
  'confirm',
  'deny',
] as const;

/**
 * Every `type` of a block, block element or text object anywhere inside a message, view or list
 * of blocks. The top-level `type` of a view or message (`modal`, `home`, `message`) is not one.
 */
export function blockKitTypesIn(value: unknown): Set<string> {
  const types = new Set<string>();
  const seen = new Set<object>();
  const walk = (node: unknown, depth: number, top: boolean): void => {
    if (depth > 64 || typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1, false);
      return;
    }
    const record = node as Json;
    const type = record['type'];
    if (typeof type === 'string' && !(top && VIEW_TYPES.has(type))) types.add(type);
    for (const key of NESTED_KEYS) walk(record[key], depth + 1, false);
  };
  walk(value, 0, true);
  return types;
}
