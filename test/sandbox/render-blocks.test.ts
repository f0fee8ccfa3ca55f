import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Approval } from '../../src/approvals/approval.js';
import {
  buildGrantMessage,
  buildReasonView,
  buildRequestMessage,
} from '../../src/approvals/approval-blocks.js';
import { buildHomeView } from '../../src/home/home-blocks.js';
import { type KeysDueReport, sortKeysDue, type UserKeysRead } from '../../src/keys-due/report.js';
import { buildKeysDueMessage } from '../../src/keys-due/slack/keys-due-blocks.js';
import { rotationIdFor } from '../../src/rotation/slack/ids.js';
import {
  buildPlacesView,
  buildProceedView,
  buildRevealView as buildKeyRevealView,
} from '../../src/rotation/slack/rotation-modals.js';
import { buildStatusMessage, type StatusContext } from '../../src/rotation/slack/status-message.js';
import { buildPickerView } from '../../src/rotation/slack/user-picker.js';
import { type Rotation, rotationConfig } from '../../src/rotation/core/workflow/index.js';
import { buildEditView } from '../../src/secrets/edit-blocks.js';
import { buildListMessage, buildRevealView } from '../../src/secrets/reveal-blocks.js';
import { buildCodesView, buildPickView } from '../../src/otp/totp-blocks.js';
import type { RenderContext } from '../../sandbox/web/mrkdwn.js';
import {
  blockKitTypesIn,
  RENDERED_TYPES,
  renderBlocks,
  renderMessage,
  renderView,
} from '../../sandbox/web/render-blocks.js';
import { byDataType, hasClass, innerOf, openTags, parseHtml, type Tag, textOf } from './html-check.js';

const ctx: RenderContext = {
  userName: (id) => ({ U0ALICE: 'alice', U0BOB: 'bob' })[id],
  channelName: (id) => ({ C0APPROVALS: 'approvals' })[id],
};

/** Renders blocks and checks the result with the strict reader. */
function render(blocks: unknown[]): string {
  const html = renderBlocks(blocks, ctx);
  parseHtml(html);
  return html;
}

function only(tags: Tag[], what: string): Tag {
  assert.equal(tags.length, 1, `expected one ${what}, found ${tags.length}`);
  return tags[0]!;
}

const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const md = (text: string) => ({ type: 'mrkdwn', text });
const opt = (text: string, value: string, description?: string) => ({
  text: plain(text),
  value,
  ...(description ? { description: plain(description) } : {}),
});

// ---------------------------------------------------------------------------------------------

describe('renderBlocks: blocks', () => {
  it('section: text, fields and an accessory that gets the block id', () => {
    const html = render([
      {
        type: 'section',
        block_id: 'sec1',
        text: md('*hi* <@U0ALICE>'),
        fields: [md('*a*'), plain('b :key:')],
        accessory: { type: 'button', action_id: 'acc', text: plain('Go'), value: 'v1' },
      },
    ]);
    const wrapper = only(
      openTags(html, 'div').filter((t) => hasClass(t, 'bk-section')),
      'section',
    );
    assert.ok(hasClass(wrapper, 'bk-block'));
    assert.equal(wrapper.attrs['data-block-id'], 'sec1');
    assert.equal(openTags(html).filter((t) => hasClass(t, 'bk-field')).length, 2);
    const button = byDataType(html, 'button');
    assert.equal(button.attrs['data-block-id'], 'sec1');
    assert.equal(button.attrs['data-action-id'], 'acc');
    assert.equal(button.attrs['data-value'], 'v1');
    assert.equal(textOf(html), 'hi @aliceab 🔑Go');
  });

  it('header, divider, context (mrkdwn, plain_text, image) and image blocks', () => {
    const html = render([
      { type: 'header', text: plain('Title :lock:') },
      { type: 'divider', block_id: 'd' },
      {
        type: 'context',
        elements: [
          md('_m_'),
          plain('p'),
          { type: 'image', image_url: 'https://img.example/a.png', alt_text: 'alt a' },
        ],
      },
      { type: 'image', image_url: 'https://img.example/b.png', alt_text: 'alt b', title: plain('Pic') },
    ]);
    const classes = openTags(html, 'div')
      .filter((t) => hasClass(t, 'bk-block'))
      .map((t) => t.attrs['class']);
    assert.deepEqual(classes, [
      'bk-block bk-header',
      'bk-block bk-divider',
      'bk-block bk-context',
      'bk-block bk-image',
    ]);
    assert.equal(openTags(html, 'hr').length, 1);
    assert.deepEqual(
      openTags(html, 'img').map((t) => [t.attrs['src'], t.attrs['alt']]),
      [
        ['https://img.example/a.png', 'alt a'],
        ['https://img.example/b.png', 'alt b'],
      ],
    );
    assert.match(textOf(html), /^Title 🔒mpPic$/);
    assert.equal(openTags(html, 'i').length, 1);
    assert.equal(openTags(html, 'div').find((t) => hasClass(t, 'bk-divider'))?.attrs['data-block-id'], 'd');
  });

  it('actions: each element with data-type, data-action-id and the block id ("" when none)', () => {
    const html = render([
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'b1', text: plain('One') },
          { type: 'overflow', action_id: 'o1', options: [opt('x', 'x')] },
        ],
      },
    ]);
    for (const type of ['button', 'overflow']) {
      const el = byDataType(html, type);
      assert.equal(el.attrs['data-block-id'], '');
      assert.ok(el.attrs['data-action-id']);
    }
  });

  it('input: label, (optional), element, hint and the error slot', () => {
    const html = render([
      {
        type: 'input',
        block_id: 'in1',
        optional: true,
        label: plain('Reason'),
        hint: plain('Say why'),
        element: { type: 'plain_text_input', action_id: 'reason' },
      },
      { type: 'input', block_id: 'in2', label: plain('Name'), element: { type: 'plain_text_input' } },
    ]);
    const inputs = openTags(html, 'div').filter((t) => hasClass(t, 'bk-input'));
    assert.deepEqual(
      inputs.map((t) => t.attrs),
      [
        { class: 'bk-input', 'data-block-id': 'in1' },
        { class: 'bk-input', 'data-block-id': 'in2' },
      ],
    );
    assert.match(
      html,
      /^<div class="bk-input" data-block-id="in1"><label class="bk-label">Reason <span class="bk-optional">\(optional\)<\/span><\/label><input [^>]*><div class="bk-hint">Say why<\/div><div class="bk-input-error" data-error-for="in1"><\/div><\/div>/,
    );
    const second = innerOf(html, inputs[1]!);
    assert.doesNotMatch(second, /bk-optional|bk-hint/);
    assert.match(second, /data-error-for="in2"/);
    assert.equal(openTags(html, 'input')[0]?.attrs['data-block-id'], 'in1');
  });

  it('anything else: a visible bk-unknown with the type', () => {
    const html = render([{ type: 'rich_text', elements: [] }, { type: 'video' }]);
    assert.deepEqual(
      openTags(html, 'div').map((t) => [t.attrs['class'], t.attrs['data-unknown-type']]),
      [
        ['bk-unknown', 'rich_text'],
        ['bk-unknown', 'video'],
      ],
    );
    assert.match(textOf(html), /rich_text.*video/);
  });
});

describe('renderBlocks: elements', () => {
  const inAction = (element: unknown) => render([{ type: 'actions', block_id: 'blk', elements: [element] }]);

  it('button: classes by style, value, confirm JSON, no value attribute when absent', () => {
    const confirm = {
      title: plain('Sure?'),
      text: md('It *cannot* be undone'),
      confirm: plain('Yes'),
      deny: plain('No'),
      style: 'danger',
    };
    const html = render([
      {
        type: 'actions',
        block_id: 'blk',
        elements: [
          { type: 'button', action_id: 'a', text: plain('A'), value: 'va', style: 'primary' },
          { type: 'button', action_id: 'b', text: plain('B'), style: 'danger', confirm },
          { type: 'button', action_id: 'c', text: plain('C') },
        ],
      },
    ]);
    const buttons = openTags(html, 'button');
    assert.deepEqual(
      buttons.map((b) => [
        b.attrs['class'],
        b.attrs['data-type'],
        b.attrs['data-action-id'],
        b.attrs['data-block-id'],
      ]),
      [
        ['bk-button bk-primary', 'button', 'a', 'blk'],
        ['bk-button bk-danger', 'button', 'b', 'blk'],
        ['bk-button', 'button', 'c', 'blk'],
      ],
    );
    assert.equal(buttons[0]!.attrs['data-value'], 'va');
    assert.equal(buttons[1]!.attrs['data-value'], undefined);
    assert.deepEqual(JSON.parse(buttons[1]!.attrs['data-confirm']!), confirm);
    assert.equal(buttons[0]!.attrs['data-confirm'], undefined);
    assert.equal(textOf(html), 'ABC');
  });

  it('button with an http(s) url is a link opening a new tab; with another scheme a plain button', () => {
    const link = only(
      openTags(
        inAction({ type: 'button', action_id: 'u', text: plain('Open'), url: 'https://x.example/?a=1&b=2' }),
        'a',
      ),
      'link',
    );
    assert.equal(link.attrs['href'], 'https://x.example/?a=1&b=2');
    assert.equal(link.attrs['target'], '_blank');
    assert.equal(link.attrs['rel'], 'noopener');
    assert.equal(link.attrs['data-type'], 'button');
    assert.equal(link.attrs['data-action-id'], 'u');
    const bad = inAction({ type: 'button', action_id: 'u', text: plain('Open'), url: 'javascript:alert(1)' });
    assert.equal(openTags(bad, 'a').length, 0);
    assert.equal(openTags(bad, 'button').length, 1);
  });

  it('static_select: empty placeholder option first, data-option JSON, initial option selected, groups', () => {
    const options = [opt('Admin', 'admin'), opt('Read only', 'ro', 'no writes')];
    const html = inAction({
      type: 'static_select',
      action_id: 'sel',
      placeholder: plain('Pick a role'),
      options,
      initial_option: options[1],
    });
    const select = byDataType(html, 'static_select');
    assert.equal(select.name, 'select');
    assert.equal(select.attrs['multiple'], undefined);
    assert.equal(select.attrs['data-block-id'], 'blk');
    const tags = openTags(html, 'option');
    assert.deepEqual(
      tags.map((t) => [t.attrs['value'], 'selected' in t.attrs]),
      [
        ['', false],
        ['admin', false],
        ['ro', true],
      ],
    );
    assert.equal(textOf(innerOf(html, tags[0]!)), 'Pick a role');
    assert.equal(tags[0]!.attrs['data-option'], undefined);
    assert.deepEqual(JSON.parse(tags[2]!.attrs['data-option']!), options[1]);

    const grouped = inAction({
      type: 'static_select',
      action_id: 'g',
      option_groups: [
        { label: plain('Group <1>'), options: [opt('x', 'x')] },
        { label: plain('Group 2'), options: [opt('y', 'y'), opt('z', 'z')] },
      ],
    });
    assert.deepEqual(
      openTags(grouped, 'optgroup').map((t) => t.attrs['label']),
      ['Group <1>', 'Group 2'],
    );
    assert.deepEqual(
      openTags(grouped, 'option').map((t) => t.attrs['value']),
      ['', 'x', 'y', 'z'],
    );
  });

  it('multi_static_select: multiple, initial options selected, no placeholder option', () => {
    const options = [opt('a', 'a'), opt('b', 'b'), opt('c', 'c')];
    const html = inAction({
      type: 'multi_static_select',
      action_id: 'multi',
      options,
      initial_options: [options[0], options[2]],
      placeholder: plain('Some'),
    });
    const select = byDataType(html, 'multi_static_select');
    assert.ok('multiple' in select.attrs);
    assert.deepEqual(
      openTags(html, 'option').map((t) => [t.attrs['value'], 'selected' in t.attrs]),
      [
        ['a', true],
        ['b', false],
        ['c', true],
      ],
    );
  });

  it('external_select: the search box and options select the client fills', () => {
    const initial = opt('svc-deploy', 'svc-deploy');
    const html = inAction({
      type: 'external_select',
      action_id: 'ext',
      min_query_length: 2,
      placeholder: plain('Type to search'),
      initial_option: initial,
    });
    assert.match(
      html,
      /<span class="bk-external" data-type="external_select" data-action-id="ext" data-block-id="blk" data-min-query-length="2"><input type="search" class="bk-external-query" placeholder="Type to search"><select class="bk-external-options"><option value="">…<\/option><option value="svc-deploy" data-option="[^"]*" selected>svc-deploy<\/option><\/select><\/span>/,
    );
    const option = openTags(html, 'option')[1]!;
    assert.deepEqual(JSON.parse(option.attrs['data-option']!), initial);
    const noMin = byDataType(inAction({ type: 'external_select', action_id: 'e2' }), 'external_select');
    assert.equal(noMin.attrs['data-min-query-length'], '3', "Slack's default");
  });

  it('checkboxes and radio_buttons: a fieldset of labelled inputs with data-option, checked, description', () => {
    const options = [
      { text: md('`app/deploy`'), value: 's0', description: md('_json_') },
      { text: plain('Datadog'), value: 'c0' },
    ];
    const html = render([
      {
        type: 'input',
        block_id: 'places',
        label: plain('Places'),
        element: { type: 'checkboxes', action_id: 'pick', options, initial_options: [options[0]] },
      },
    ]);
    const set = byDataType(html, 'checkboxes');
    assert.equal(set.name, 'fieldset');
    assert.equal(set.attrs['data-block-id'], 'places');
    assert.equal(set.attrs['data-action-id'], 'pick');
    const boxes = openTags(html, 'input');
    assert.deepEqual(
      boxes.map((b) => [b.attrs['type'], b.attrs['value'], 'checked' in b.attrs]),
      [
        ['checkbox', 's0', true],
        ['checkbox', 'c0', false],
      ],
    );
    assert.deepEqual(JSON.parse(boxes[0]!.attrs['data-option']!), options[0]);
    assert.equal(openTags(html, 'small').length, 1);
    assert.equal(openTags(html, 'code').length, 1);
    assert.match(textOf(innerOf(html, set)), /app\/deploy json.*Datadog/);

    const radios = inAction({
      type: 'radio_buttons',
      action_id: 'r',
      options: [opt('one', '1'), opt('two', '2')],
      initial_option: opt('two', '2'),
    });
    assert.equal(byDataType(radios, 'radio_buttons').name, 'fieldset');
    const inputs = openTags(radios, 'input');
    assert.deepEqual(
      inputs.map((b) => [b.attrs['type'], b.attrs['value'], 'checked' in b.attrs]),
      [
        ['radio', '1', false],
        ['radio', '2', true],
      ],
    );
    assert.equal(inputs[0]!.attrs['name'], inputs[1]!.attrs['name'], 'one radio group');
  });

  it('overflow: a select with ⋯ first and data-option on the options', () => {
    const html = inAction({
      type: 'overflow',
      action_id: 'more',
      options: [opt('Edit', 'edit'), opt('Delete', 'del')],
    });
    assert.equal(byDataType(html, 'overflow').name, 'select');
    const tags = openTags(html, 'option');
    assert.deepEqual(
      tags.map((t) => t.attrs['value']),
      ['', 'edit', 'del'],
    );
    assert.equal(textOf(innerOf(html, tags[0]!)), '⋯');
    assert.deepEqual(JSON.parse(tags[2]!.attrs['data-option']!), opt('Delete', 'del'));
  });

  it('plain_text_input: input or textarea with value, placeholder, maxlength and minlength', () => {
    const one = inAction({
      type: 'plain_text_input',
      action_id: 'name',
      initial_value: 'x"y',
      placeholder: plain('e.g. api_key'),
      max_length: 100,
      min_length: 2,
    });
    const input = byDataType(one, 'plain_text_input');
    assert.equal(input.name, 'input');
    assert.deepEqual(
      [
        input.attrs['type'],
        input.attrs['value'],
        input.attrs['placeholder'],
        input.attrs['maxlength'],
        input.attrs['minlength'],
      ],
      ['text', 'x"y', 'e.g. api_key', '100', '2'],
    );
    const many = inAction({
      type: 'plain_text_input',
      action_id: 'v',
      multiline: true,
      initial_value: 'a\n<b>',
    });
    const area = byDataType(many, 'plain_text_input');
    assert.equal(area.name, 'textarea');
    assert.equal(textOf(innerOf(many, area)), 'a\n<b>');
    const bad = byDataType(
      inAction({ type: 'plain_text_input', max_length: 'ten', min_length: -1 }),
      'plain_text_input',
    );
    assert.equal(bad.attrs['maxlength'], undefined);
    assert.equal(bad.attrs['minlength'], undefined);
  });

  it('image element: only http(s) sources', () => {
    const html = render([
      {
        type: 'section',
        text: plain('x'),
        accessory: { type: 'image', image_url: 'https://img.example/x.png', alt_text: 'logo' },
      },
      {
        type: 'context',
        elements: [{ type: 'image', image_url: 'javascript:alert(1)', alt_text: 'bad' }],
      },
    ]);
    assert.deepEqual(
      openTags(html, 'img').map((t) => t.attrs['src']),
      ['https://img.example/x.png'],
    );
    assert.match(textOf(html), /\[image: bad\]/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('renderMessage and renderView', () => {
  it('a message renders its blocks, or its text as mrkdwn when it has none', () => {
    const withBlocks = renderMessage({ text: 'fallback', blocks: [{ type: 'divider' }] }, ctx);
    assert.doesNotMatch(withBlocks, /fallback/);
    assert.equal(openTags(withBlocks, 'hr').length, 1);
    const textOnly = renderMessage({ text: '*Hi* <@U0BOB>', blocks: [] }, ctx);
    parseHtml(textOnly);
    assert.equal(textOf(textOnly), 'Hi @bob');
    assert.equal(openTags(textOnly, 'b').length, 1);
  });

  it('a modal: title, blocks, close and submit buttons', () => {
    const html = renderView(
      {
        type: 'modal',
        title: plain('Edit secret'),
        submit: plain('Save'),
        close: plain('Back'),
        blocks: [{ type: 'section', text: md('body') }],
      },
      ctx,
    );
    assert.match(
      html,
      /^<div class="bk-modal-title">Edit secret<\/div><div class="bk-block bk-section".*<div class="bk-modal-buttons"><button type="button" class="bk-modal-close">Back<\/button><button type="button" class="bk-modal-submit bk-button bk-primary">Save<\/button><\/div>$/,
    );
    const noSubmit = renderView({ type: 'modal', title: plain('Info'), blocks: [] }, ctx);
    assert.equal(openTags(noSubmit, 'button').length, 1);
    assert.equal(textOf(noSubmit), 'InfoCancel');
  });

  it('a home view: just its blocks', () => {
    const html = renderView({ type: 'home', blocks: [{ type: 'header', text: plain('Home') }] }, ctx);
    assert.equal(
      html,
      '<div class="bk-block bk-header" data-block-id=""><h2 class="bk-header-text">Home</h2></div>',
    );
  });
});

// ---------------------------------------------------------------------------------------------

const EVIL = `<script>alert(1)</script>" onmouseover="x' onfocus='y &amp; &lt;b&gt; javascript:alert(1)`;

/** One of every block and element, with EVIL in every text, value, id, URL and placeholder. */
function hostileBlocks(): unknown[] {
  const option = (n: string) => ({
    text: plain(`${EVIL}${n}`),
    value: `${EVIL}${n}`,
    description: md(`${EVIL}${n}`),
  });
  const confirm = { title: plain(EVIL), text: md(EVIL), confirm: plain(EVIL), deny: plain(EVIL) };
  return [
    { type: 'header', block_id: EVIL, text: plain(EVIL) },
    {
      type: 'section',
      block_id: EVIL,
      text: md(
        `${EVIL} <${EVIL}|${EVIL}> <javascript:alert(1)|x> <@${EVIL}|${EVIL}> \`${EVIL}\` \`\`\`${EVIL}\`\`\``,
      ),
      fields: [md(EVIL), plain(EVIL)],
      accessory: { type: 'button', action_id: EVIL, text: plain(EVIL), value: EVIL, url: EVIL, confirm },
    },
    {
      type: 'context',
      block_id: EVIL,
      elements: [md(EVIL), plain(EVIL), { type: 'image', image_url: EVIL, alt_text: EVIL }],
    },
    { type: 'divider', block_id: EVIL },
    {
      type: 'actions',
      block_id: EVIL,
      elements: [
        {
          type: 'button',
          action_id: EVIL,
          text: plain(EVIL),
          value: EVIL,
          style: EVIL,
          url: `javascript:${EVIL}`,
        },
        {
          type: 'static_select',
          action_id: EVIL,
          placeholder: plain(EVIL),
          options: [option('1'), option('2')],
          option_groups: [{ label: plain(EVIL), options: [option('3')] }],
          initial_option: option('1'),
        },
        {
          type: 'multi_static_select',
          action_id: EVIL,
          placeholder: plain(EVIL),
          options: [option('1')],
          initial_options: [option('1')],
        },
        {
          type: 'external_select',
          action_id: EVIL,
          placeholder: plain(EVIL),
          min_query_length: EVIL,
          initial_option: option('1'),
        },
        { type: 'overflow', action_id: EVIL, options: [option('1')] },
        { type: 'radio_buttons', action_id: EVIL, options: [option('1')], initial_option: option('1') },
      ],
    },
    {
      type: 'input',
      block_id: EVIL,
      optional: true,
      label: plain(EVIL),
      hint: md(EVIL),
      element: {
        type: 'checkboxes',
        action_id: EVIL,
        options: [option('1')],
        initial_options: [option('1')],
      },
    },
    {
      type: 'input',
      block_id: EVIL,
      label: md(EVIL),
      element: {
        type: 'plain_text_input',
        action_id: EVIL,
        initial_value: EVIL,
        placeholder: plain(EVIL),
        multiline: true,
      },
    },
    {
      type: 'input',
      block_id: EVIL,
      label: plain(EVIL),
      element: { type: 'plain_text_input', action_id: EVIL, initial_value: EVIL, placeholder: plain(EVIL) },
    },
    { type: 'image', block_id: EVIL, image_url: EVIL, alt_text: EVIL, title: plain(EVIL) },
    { type: EVIL, block_id: EVIL },
    { type: 'actions', elements: [{ type: EVIL, action_id: EVIL }] },
  ];
}

describe('XSS: nothing from the input creates markup', () => {
  it('hostile strings everywhere pass the strict reader and round-trip exactly in attributes', () => {
    const html = render(hostileBlocks()); // parseHtml: no injected tag, attribute or unsafe href/src
    assert.doesNotMatch(html, /<script|\son[a-z]+=["']|href="javascript/i);
    const tags = openTags(html);
    const interactive = tags.filter((t) => t.attrs['data-type'] !== undefined);
    assert.deepEqual([...new Set(interactive.map((t) => t.attrs['data-type']))].sort(), [
      'button',
      'checkboxes',
      'external_select',
      'multi_static_select',
      'overflow',
      'plain_text_input',
      'radio_buttons',
      'static_select',
    ]);
    for (const t of interactive) {
      assert.equal(t.attrs['data-action-id'], EVIL);
      assert.equal(t.attrs['data-block-id'], EVIL);
    }
    for (const t of tags.filter((t) => t.attrs['data-value'] !== undefined))
      assert.equal(t.attrs['data-value'], EVIL);
    for (const t of tags.filter((t) => t.name === 'option' && t.attrs['value'] !== '')) {
      assert.ok(t.attrs['value']!.startsWith(EVIL));
      assert.equal(JSON.parse(t.attrs['data-option']!).value, t.attrs['value']);
    }
    assert.ok(tags.filter((t) => t.attrs['placeholder'] === EVIL).length >= 2);
    assert.equal(tags.filter((t) => t.attrs['data-error-for'] === EVIL).length, 3);
    assert.equal(tags.filter((t) => t.name === 'a').length, 0, 'no URL here is http(s)');
    assert.equal(tags.filter((t) => t.name === 'img').length, 0);
    assert.ok(tags.some((t) => t.attrs['data-unknown-type'] === EVIL));
    assert.ok(textOf(html).includes('<script>alert(1)</script>" onmouseover="x'));
  });

  it('a hostile modal title, close and submit are escaped too', () => {
    const html = renderView(
      { type: 'modal', title: plain(EVIL), close: md(EVIL), submit: plain(EVIL), blocks: hostileBlocks() },
      ctx,
    );
    parseHtml(html);
    const text = textOf(html);
    assert.ok(
      text.startsWith(
        `<script>alert(1)</script>" onmouseover="x' onfocus='y &amp; &lt;b&gt; javascript:alert(1)`,
      ),
    );
  });

  it('a hostile ctx name is escaped', () => {
    const evilCtx: RenderContext = { userName: () => EVIL, channelName: () => EVIL };
    const html = renderBlocks([{ type: 'section', text: md('<@U1> <#C1>') }], evilCtx);
    parseHtml(html);
    assert.ok(textOf(html).includes(`@${EVIL}`));
  });
});

// ---------------------------------------------------------------------------------------------

describe('malformed input never throws', () => {
  const weird: unknown[] = [
    null,
    undefined,
    0,
    42,
    'text',
    true,
    [],
    {},
    [null, 1, 'x', [], {}],
    [{ type: 'section', text: 5, fields: 'no', accessory: 7 }],
    [{ type: 'section', text: { type: 'mrkdwn' }, fields: [null, { type: 'rich' }, 3] }],
    [{ type: 'actions', elements: null }],
    [{ type: 'actions', elements: [{}, { type: 'button', text: null, confirm: 'x', style: 3 }] }],
    [{ type: 'context', elements: [null, { type: 'image' }, { type: 'button' }] }],
    [{ type: 'input' }],
    [
      {
        type: 'input',
        element: { type: 'static_select', options: 'x', option_groups: [null, { options: 5 }] },
      },
    ],
    [{ type: 'input', label: 'raw string', element: { type: 'checkboxes', options: [null, { value: 3 }] } }],
    [{ type: 'input', element: { type: 'external_select', initial_option: 'x', placeholder: 4 } }],
    [
      {
        type: 'input',
        element: { type: 'radio_buttons', options: [{ text: {}, value: {} }], initial_option: {} },
      },
    ],
    [{ type: 'header', text: ['a'] }],
    [{ type: 'image' }],
    [{ type: 'divider', block_id: 7 }],
    [
      {
        type: 'actions',
        block_id: {},
        elements: [{ type: 'overflow' }, { type: 'multi_static_select', initial_options: 'x' }],
      },
    ],
  ];

  it('renderBlocks, renderMessage, renderView and blockKitTypesIn on odd values', () => {
    for (const value of weird) {
      parseHtml(renderBlocks(value, ctx));
      parseHtml(renderMessage({ blocks: value } as never, ctx));
      parseHtml(renderMessage(value as never, ctx));
      parseHtml(renderView(value, ctx));
      parseHtml(renderView({ type: 'modal', title: value, close: value, submit: value, blocks: value }, ctx));
      blockKitTypesIn(value);
    }
  });

  it('shows a placeholder for what it cannot render', () => {
    assert.match(
      renderBlocks([null, {}, 'x'], ctx),
      /^(<div class="bk-unknown" data-unknown-type="[^"]*">[^<]*<\/div>){3}$/,
    );
    assert.match(renderBlocks('not a list', ctx), /bk-unknown/);
    assert.equal(renderBlocks(undefined, ctx), '');
    assert.match(renderView(null, ctx), /bk-unknown/);
    assert.match(renderView({ type: 'workflow_step', blocks: [] }, ctx), /data-unknown-type="workflow_step"/);
    assert.match(renderBlocks([{ type: 'actions', elements: [{ action_id: 'x' }] }], ctx), /bk-unknown/);
  });

  it('any JSON at all: never throws, always safe markup', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parseHtml(renderBlocks(value, ctx));
        parseHtml(renderView(value, ctx));
        blockKitTypesIn(value);
      }),
      { numRuns: 300 },
    );
  });

  it('any mix of real keys and odd values: never throws, always safe markup', () => {
    const key = fc.constantFrom(
      'type',
      'text',
      'block_id',
      'action_id',
      'elements',
      'element',
      'fields',
      'accessory',
      'options',
      'option_groups',
      'initial_option',
      'initial_options',
      'placeholder',
      'confirm',
      'value',
      'url',
      'label',
      'hint',
      'optional',
      'multiline',
      'image_url',
      'style',
      'emoji',
      'verbatim',
    );
    const leaf = fc.oneof(
      fc.constantFrom(...RENDERED_TYPES, EVIL, 'modal', 'home', 'https://x.example', 'javascript:x'),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const { node } = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 6 }),
      ),
    }));
    fc.assert(
      fc.property(fc.array(node, { maxLength: 5 }), (blocks) => {
        parseHtml(renderBlocks(blocks, ctx));
        parseHtml(renderView({ type: 'modal', title: plain('t'), blocks }, ctx));
        blockKitTypesIn(blocks);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('blockKitTypesIn and RENDERED_TYPES', () => {
  it('finds types nested in accessories, fields, elements, input elements, options and confirms', () => {
    const view = {
      type: 'modal',
      title: plain('t'),
      submit: plain('s'),
      blocks: [
        {
          type: 'section',
          fields: [md('f')],
          accessory: { type: 'overflow', options: [{ text: { type: 'x_option_text' }, value: 'v' }] },
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: plain('b'),
              confirm: { title: plain('c'), text: { type: 'x_confirm_text' } },
            },
          ],
        },
        {
          type: 'input',
          label: plain('l'),
          element: {
            type: 'static_select',
            option_groups: [{ label: plain('g'), options: [{ text: { type: 'x_group_option' } }] }],
          },
        },
        {
          type: 'input',
          hint: { type: 'x_hint' },
          element: {
            type: 'checkboxes',
            options: [{ text: md('o'), description: { type: 'x_description' } }],
          },
        },
        { type: 'input', element: { type: 'plain_text_input', placeholder: { type: 'x_placeholder' } } },
      ],
    };
    assert.deepEqual([...blockKitTypesIn(view)].sort(), [
      'actions',
      'button',
      'checkboxes',
      'input',
      'mrkdwn',
      'overflow',
      'plain_text',
      'plain_text_input',
      'section',
      'static_select',
      'x_confirm_text',
      'x_description',
      'x_group_option',
      'x_hint',
      'x_option_text',
      'x_placeholder',
    ]);
    assert.deepEqual([...blockKitTypesIn({ type: 'home', blocks: [{ type: 'divider' }] })], ['divider']);
    assert.deepEqual([...blockKitTypesIn([{ type: 'header', text: plain('h') }])].sort(), [
      'header',
      'plain_text',
    ]);
    assert.deepEqual([...blockKitTypesIn(null)], []);
  });

  it('lists exactly what renders: a sample of every listed type renders without bk-unknown', () => {
    const samples: Record<string, unknown[]> = {
      section: [{ type: 'section', text: md('x') }],
      header: [{ type: 'header', text: plain('x') }],
      context: [{ type: 'context', elements: [md('x')] }],
      divider: [{ type: 'divider' }],
      actions: [{ type: 'actions', elements: [] }],
      input: [{ type: 'input', label: plain('x'), element: { type: 'plain_text_input' } }],
      image: [
        { type: 'image', image_url: 'https://x.example/i.png', alt_text: 'i' },
        {
          type: 'context',
          elements: [{ type: 'image', image_url: 'https://x.example/i.png', alt_text: 'i' }],
        },
      ],
      plain_text: [{ type: 'section', text: plain('x') }],
      mrkdwn: [{ type: 'section', text: md('x') }],
    };
    for (const type of [
      'button',
      'static_select',
      'multi_static_select',
      'external_select',
      'checkboxes',
      'radio_buttons',
      'overflow',
      'plain_text_input',
    ]) {
      samples[type] = [
        { type: 'actions', elements: [{ type, action_id: 'a', text: plain('t'), options: [opt('o', 'o')] }] },
      ];
    }
    assert.deepEqual(Object.keys(samples).sort(), [...RENDERED_TYPES].sort());
    for (const [type, blocks] of Object.entries(samples)) {
      const html = render(blocks);
      assert.doesNotMatch(html, /bk-unknown/, type);
      assert.ok(blockKitTypesIn(blocks).has(type), type);
    }
    assert.ok(!RENDERED_TYPES.has('modal') && !RENDERED_TYPES.has('home'));
  });
});

// ---------------------------------------------------------------------------------------------
// Real bot output

const NOW = Date.parse('2026-11-23T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

function approval(over: Partial<Approval> = {}): Approval {
  return {
    id: 'a-1',
    kind: 'reveal',
    requester: { slackId: 'U0ALICE', teamId: 'T0TEAM' },
    role: { name: '2ndline', arn: 'arn:aws:iam::123456789012:role/locksmith-2ndline' },
    target: 'prod/<db> & "co"',
    reason: 'INC-42: the DB is down\n<!channel> *now*',
    detail: { field: 'password' },
    createdAt: NOW - 60_000,
    expiresAt: NOW + 29 * 60_000,
    state: 'pending',
    message: { channel: 'C0APPROVALS', ts: '1700000000.000100' },
    ...over,
  };
}

function rotation(extra: Partial<Rotation> = {}): Rotation {
  const key = (id: string) => ({
    id,
    status: 'Active' as const,
    createdAt: NOW - 120 * DAY,
    ageDays: 120,
    lastUsed: { at: NOW - DAY, service: 'sts', region: 'eu-west-1' },
    verdict: 'overdue' as const,
  });
  return {
    id: rotationIdFor('D0ALICE', '1795414935.000100'),
    role: { name: 'platform', arn: 'arn:aws:iam::123456789012:role/platform' },
    userName: 'svc-deploy',
    requester: { slackId: 'U0ALICE', teamId: 'T1', email: 'alice@example.com' },
    state: 'confirm-places',
    createdAt: NOW - 60_000,
    keys: [key('AKIAOLDKEYEXAMPLE001')],
    oldKeyId: 'AKIAOLDKEYEXAMPLE001',
    newKeyCreatedHere: false,
    places: {
      located: true,
      confirmed: false,
      secrets: [
        {
          name: 'app/deploy',
          updatable: true,
          layout: {
            format: 'json',
            container: [],
            idFields: ['aws_access_key_id'],
            secretField: 'aws_secret_access_key',
          },
          idFields: ['aws_access_key_id'],
          secretFields: ['aws_secret_access_key'],
          selected: true,
        },
      ],
      checklist: [
        {
          name: 'Datadog <!channel> & co',
          link: 'https://app.datadoghq.com/x?a=1&b=2',
          source: 'config',
          selected: true,
        },
      ],
      scanned: 12,
      unreadable: 1,
    },
    createAttempt: 0,
    approvalSeq: 0,
    history: [{ at: NOW - 60_000, by: 'U0ALICE', what: 'started rotating <@U0BOB> & <!here>' }],
    seenEventIds: [],
    ...extra,
  };
}

const statusCtx: StatusContext = {
  now: NOW,
  version: 7,
  config: rotationConfig(),
  approvalsChannel: 'C0APPROVALS',
  notifyChannel: 'C0SECONDLINE',
};

function keysDueReport(reads: UserKeysRead[]): KeysDueReport {
  const sections = sortKeysDue(reads, [], NOW, { maxKeyAgeDays: 90 });
  return {
    generatedAt: NOW,
    source: { kind: 'credential-report', generatedAt: NOW },
    account: { roleName: 'ops', roleArn: 'arn:aws:iam::111111111111:role/ops', accountId: '111111111111' },
    maxKeyAgeDays: 90,
    unusedKeyDays: 7,
    ...sections,
    inProgress: [],
    failures: [],
    gone: [],
    counts: {
      users: sections.users.length,
      keys: sections.users.reduce((n, u) => n + u.keys.length, 0),
      overdue: sections.overdue.length,
      twoKeys: sections.twoKeys.length,
      unused: sections.unused.length,
      inactive: sections.inactive.length,
      inProgress: 0,
      failures: 0,
    },
    calls: { operations: {}, sdkRetries: 0, ownRetries: 0 } as never,
    durationMs: 1,
  };
}

describe('real bot output renders completely', () => {
  const messages: Record<string, { text?: string; blocks?: unknown }> = {
    list: buildListMessage(
      {
        items: [{ name: 'a/b', description: 'desc <x>', changedAt: new Date(NOW) }],
        total: 1,
        capped: false,
      },
      '2ndline',
      'a/',
      50,
    ),
    request: buildRequestMessage(approval(), true),
    grant: buildGrantMessage(
      approval({ state: 'approved', decision: { by: 'U0BOB', at: NOW, breakGlass: false } }),
      'g-1',
      NOW + DAY,
      'Show the secret',
    ),
    status: buildStatusMessage(rotation(), statusCtx),
    twoKeys: buildStatusMessage(
      rotation({
        state: 'resolve-extra-key',
        keys: [
          { ...rotation().keys[0]!, id: 'AKIAONE' },
          { ...rotation().keys[0]!, id: 'AKIATWO', lastUsed: 'never', verdict: 'unused-old' },
        ],
      }),
      statusCtx,
    ),
    keysDue: buildKeysDueMessage(
      keysDueReport([
        {
          userName: 'svc-old',
          keys: [{ AccessKeyId: 'AKIAOLD', Status: 'Active', CreateDate: new Date(NOW - 120 * DAY) }],
          lastUsed: {
            AKIAOLD: { LastUsedDate: new Date(NOW - DAY), ServiceName: 's3', Region: 'eu-west-1' },
          },
        },
      ]),
      { roleName: 'ops' },
    ),
  };
  const views: Record<string, unknown> = {
    reveal: buildRevealView(
      {
        name: 'team/<app> & co',
        versionId: '0123456789abcdef',
        changedAt: new Date(NOW - DAY),
        kind: 'json',
        fields: [
          { key: 'username', value: 'cdn-bot', hiddenSeed: false },
          { key: 'password', value: 'p<a>ss&"w\'ord```x', hiddenSeed: false },
          { key: 'token', value: 'tok<en>&amp;', hiddenSeed: false },
          { key: '2fa-seed', hiddenSeed: true },
        ],
      },
      { roleName: '2ndline', ttlSeconds: 60 },
    ),
    totpPick: buildPickView('team/otp', ['github-seed', 'aws-seed'], '2ndline'),
    totpCodes: buildCodesView({
      secretName: 'team/otp',
      field: 'github-seed',
      roleName: '2ndline',
      issuer: 'GitHub',
      account: 'ops <bot>',
      codes: { current: '123456', next: '654321', secondsLeft: 12, periodStart: 0, period: 30 },
      hidesInSeconds: 42,
    }),
    reason: buildReasonView({
      callbackId: 'cb',
      title: 'Reject',
      intro: 'Why <@U0ALICE>?',
      submit: 'Reject',
      privateMetadata: '{}',
      optional: true,
    }),
    home: buildHomeView({
      userId: 'U0BOB',
      access: {
        ok: true,
        roles: [{ name: '2ndline', arn: 'arn:aws:iam::222222222222:role/locksmith-2ndline' }],
      },
      approvals: { channel: 'C0APPROVALS', mine: [approval()], toDecide: [approval({ id: 'a-2' })] },
      rotations: [
        {
          userName: 'svc-deploy',
          role: { name: 'platform', arn: 'arn:aws:iam::123456789012:role/platform' },
          state: 'switch-over',
          startedAt: NOW - DAY,
          message: { channel: 'D0ALICE', ts: '1700000000.000100' },
          teamId: 'T0TEAM',
        },
      ],
      revealSeconds: 60,
      now: NOW,
      notice: 'That request was already decided.',
    }),
    places: buildPlacesView(rotation(), '{"v":7}'),
    proceed: buildProceedView(rotation({ state: 'switch-over' }), '{}', 'C0APPROVALS'),
    keyReveal: buildKeyRevealView(rotation(), {
      accessKeyId: 'AKIANEWKEYEXAMPLE002',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    } as never),
    picker: buildPickerView(['2ndline', 'ops <admin>']),
    edit: buildEditView(
      {
        name: 'edit/app',
        versionId: '0123456789abcdef',
        kind: 'json',
        fields: [
          { key: 'username', seed: false, multiline: false, json: false },
          { key: '2fa-seed', seed: true, multiline: false, json: false },
          { key: 'port', seed: false, multiline: true, json: true },
        ],
      },
      { roleName: 'editor', meta: { s: 'edit/app', r: 'editor', b: 'v', p: 'U0ALICE' } },
    ),
  };

  function checkComplete(name: string, value: unknown, html: string): void {
    parseHtml(html);
    assert.doesNotMatch(html, /bk-unknown/, `${name} has an unrendered part`);
    for (const type of blockKitTypesIn(value)) {
      assert.ok(RENDERED_TYPES.has(type), `${name} uses ${type}, which is not rendered`);
    }
  }

  for (const [name, message] of Object.entries(messages)) {
    it(`message: ${name}`, () => checkComplete(name, message, renderMessage(message, ctx)));
  }
  for (const [name, view] of Object.entries(views)) {
    it(`view: ${name}`, () => checkComplete(name, view, renderView(view, ctx)));
  }

  it('together they use every block and element type the bot emits', () => {
    const used = new Set<string>();
    for (const v of [...Object.values(messages), ...Object.values(views)])
      for (const t of blockKitTypesIn(v)) used.add(t);
    for (const t of [
      'section',
      'header',
      'context',
      'divider',
      'actions',
      'input',
      'button',
      'static_select',
      'external_select',
      'checkboxes',
      'plain_text_input',
      'plain_text',
      'mrkdwn',
    ]) {
      assert.ok(used.has(t), t);
    }
  });

  it('the request keeps its decision buttons, styles and ids; the reveal shows the value exactly', () => {
    const html = renderMessage(messages['request']!, ctx);
    const buttons = openTags(html, 'button');
    assert.deepEqual(
      buttons.map((b) => [
        b.attrs['class'],
        b.attrs['data-action-id'],
        b.attrs['data-value'],
        b.attrs['data-block-id'],
      ]),
      [
        ['bk-button bk-primary', 'approval_approve', 'a-1', 'approval_decision'],
        ['bk-button bk-danger', 'approval_reject', 'a-1', 'approval_decision'],
        ['bk-button', 'approval_break_glass', 'a-1', 'approval_decision'],
      ],
    );
    assert.match(textOf(html), /prod\/<db> & "co"/);
    assert.equal(openTags(html, 'blockquote').length, 1, 'the reason is quoted');
    assert.equal(
      openTags(html, 'span').filter((s) => hasClass(s, 'bk-broadcast')).length,
      0,
      'no ping from data',
    );

    const reveal = renderView(views['reveal']!, ctx);
    const pres = openTags(reveal, 'pre').map((p) => textOf(innerOf(reveal, p)));
    assert.deepEqual(pres, ['cdn-bot', 'tok<en>&amp;']);
    assert.ok(textOf(reveal).includes('p<a>ss&"w\'ord```x'), 'the value with ``` shows as plain text');

    const status = renderMessage(messages['status']!, ctx);
    const withConfirm = openTags(status, 'button').filter((b) => b.attrs['data-confirm'] !== undefined);
    assert.ok(withConfirm.length >= 2);
    for (const b of withConfirm)
      assert.equal(typeof JSON.parse(b.attrs['data-confirm']!).title.text, 'string');
  });
});
