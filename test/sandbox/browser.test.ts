/**
 * The sandbox in a real browser: headless Chromium (Debian's, driven by playwright-core) on the
 * page `npm run sandbox` serves, with the real bot behind it. Each person has their own browser
 * context, as each would have their own Slack client. Needs `npm run build` first (npm test
 * builds): the page's script is the compiled dist-sandbox/sandbox/web/page.js.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { blockKitTypesIn, RENDERED_TYPES } from '../../sandbox/web/render-blocks.js';
import { launchChromium } from '../support/chromium.js';

/** Where the README's screenshot comes from: LOCKSMITH_SCREENSHOT=docs/images/sandbox.png npm test. */
const SCREENSHOT = process.env.LOCKSMITH_SCREENSHOT ?? join(tmpdir(), 'locksmith-sandbox.png');

let sandbox: Sandbox;
let browser: Browser;
let erin: Page;
let arno: Page;
let nico: Page;
const pageErrors: string[] = [];
/**
 * How long any one browser step may wait (Playwright's default is 30 s). It measures nothing:
 * each step waits for something to show, and on a loaded machine the bot, moto and Chromium
 * together can take longer than 30 s to get there. Speed is for the benchmarks.
 */
const STEP_TIMEOUT_MS = 180_000;

async function personPage(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
  await page.goto(sandbox.url.replace('localhost', '127.0.0.1'));
  await page.locator('body[data-ready="true"]').waitFor();
  await page.selectOption('#who', { label: name });
  await page.locator('#who-about').filter({ hasText: /./ }).waitFor();
  // Page-side checks are strings: this file is compiled without DOM types.
  await page.waitForFunction(
    `document.querySelector('#who option:checked')?.textContent === ${JSON.stringify(name)}`,
  );
  return page;
}

async function open(page: Page, conversation: string): Promise<void> {
  await page.click(`#sidebar a:text-is("${conversation}")`);
  await page.locator('#conv-title', { hasText: conversation }).waitFor();
}

async function command(page: Page, text: string): Promise<void> {
  await page.fill('#composer-input', text);
  await page.press('#composer-input', 'Enter');
  await page.waitForFunction(`document.querySelector('#composer-input').value === ''`);
}

/**
 * Clicks the last button with this text in the messages, accepting its "are you sure?" when it
 * has one. The page shows that dialog exactly for buttons with a `confirm` object (rendered as
 * `data-confirm`), so the button says whether to wait for it: guessing from whether a dialog
 * showed within a moment missed it on a loaded machine, and the step then waited in vain.
 */
async function click(page: Page, text: string | RegExp): Promise<void> {
  const button = page.locator('#messages button', { hasText: text }).last();
  const confirms = Boolean(await button.getAttribute('data-confirm'));
  await button.click();
  if (confirms) await page.locator('#confirm-layer .confirm-ok').click();
}

function messages(page: Page) {
  return page.locator('#messages');
}

async function waitForMessage(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('#messages .msg', { hasText: text }).last().waitFor();
}

async function advanceClock(page: Page, label: '+1 min' | '+1 hour' | '+1 day' | '+7 days'): Promise<void> {
  const before = await page.locator('#clock-now').innerText();
  await page.click(`button:text-is("${label}")`);
  await page.waitForFunction(
    `document.querySelector('#clock-now')?.textContent !== ${JSON.stringify(before)}`,
  );
}

async function noUnknownBlocks(page: Page): Promise<void> {
  assert.equal(
    await page.locator('.bk-unknown').count(),
    0,
    'the page met a Block Kit type it cannot render',
  );
}

before(async () => {
  assert.ok(
    existsSync(new URL('../../dist-sandbox/sandbox/web/page.js', import.meta.url)),
    'dist-sandbox/sandbox/web/page.js is missing: run `npm run build:sandbox` first (npm test does)',
  );
  browser = await launchChromium();
  sandbox = await startSandbox({ port: 0 });
  erin = await personPage('Erin Engineer');
  arno = await personPage('Arno Approver');
  nico = await personPage('Nico Newcomer');
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

describe('the sandbox page, in headless Chromium', () => {
  it('shows /secret get in a window only the engineer sees, and the window hides itself', async () => {
    await open(erin, '#general');
    await open(arno, '#general');
    await command(erin, '/secret get shared/grafana-admin');
    const window = erin.locator('#modal-layer .modal', { hasText: 'correct-horse-battery-staple' });
    await window.waitFor();
    assert.match(await window.innerText(), /only visible to you/);
    assert.match(await window.innerText(), /shared\/grafana-admin/);
    assert.match(await window.innerText(), /hides in 60 s/);
    assert.doesNotMatch(await messages(erin).innerText(), /correct-horse/, 'no message holds the value');
    await noUnknownBlocks(erin);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await erin.screenshot({ path: SCREENSHOT });

    // Arno is in #general too, and sees nothing of it.
    await arno.reload();
    await arno.locator('body[data-ready="true"]').waitFor();
    assert.doesNotMatch(await messages(arno).innerText(), /correct-horse-battery-staple|grafana-admin/);
    assert.doesNotMatch(await arno.content(), /correct-horse-battery-staple/, 'nowhere on his page');
    assert.equal(await arno.locator('#modal-layer .modal').count(), 0, 'no window for him');

    // reveal.ttl_seconds is 60: a minute later the bot puts "hidden" into the window (views.update).
    await advanceClock(erin, '+1 min');
    await erin.locator('#modal-layer .modal', { hasText: 'shared/grafana-admin hid itself' }).waitFor();
    assert.doesNotMatch(await erin.content(), /correct-horse-battery-staple/, 'nowhere on the page');
    await erin.locator('#modal-layer .bk-modal-close').click();
    await erin.locator('#modal-layer').waitFor({ state: 'hidden' });
  });

  it('/totp shows the current code in a window and never the seed; closing the window ends it', async () => {
    await command(erin, '/totp shared/pagerduty');
    const window = erin.locator('#modal-layer .modal', { hasText: /next code/ });
    await window.waitFor();
    const text = await window.innerText();
    assert.match(text, /\b\d{3} \d{3}\b/);
    const code = /```?(\d{6})/.exec(text)?.[1] ?? /\b(\d{6})\b/.exec(text)?.[1];
    assert.ok(code, 'the window shows the code ungrouped, to copy');
    assert.doesNotMatch(await erin.content(), /JBSWY3DPEHPK3PXP|otpauth/);
    // Closed with its Close button: Slack tells the bot (view_closed), and the code is gone.
    await erin.locator('#modal-layer .bk-modal-close').click();
    await erin.locator('#modal-layer').waitFor({ state: 'hidden' });
    assert.ok(!(await erin.content()).includes(code));
  });

  it('refuses the person without a role, and shows them nothing', async () => {
    await open(nico, '#general');
    await command(nico, '/secret get shared/grafana-admin');
    const window = nico.locator('#modal-layer .modal', { hasText: /no locksmith role/ });
    await window.waitFor();
    assert.match(await window.innerText(), /Ask #platform-help/);
    assert.doesNotMatch(await nico.content(), /correct-horse/);
    await nico.locator('#modal-layer .bk-modal-close').click();
    await nico.locator('#modal-layer').waitFor({ state: 'hidden' });
  });

  it('reveals a guarded secret once the approver approves', async () => {
    await command(erin, '/secret get prod/db-root');
    const modal = erin.locator('#modal-layer .modal');
    await modal.waitFor();
    assert.match(await modal.innerText(), /Approval needed/);
    await modal.locator('[data-type="plain_text_input"]').fill('INC-42: restore the prod database');
    await modal.locator('.bk-modal-submit').click();
    await waitForMessage(erin, /Asked for approval/);
    assert.doesNotMatch(await messages(erin).innerText(), /prod-Root-Sandbox-Pw/);

    await open(arno, '#approvals');
    await waitForMessage(arno, /INC-42: restore the prod database/);
    await click(arno, 'Approve');
    await waitForMessage(arno, /Approved by @Arno Approver/);
    assert.doesNotMatch(await messages(arno).innerText(), /prod-Root-Sandbox-Pw/);

    await open(erin, 'locksmith');
    await waitForMessage(erin, /was approved by/);
    assert.doesNotMatch(
      await messages(erin).innerText(),
      /prod-Root-Sandbox-Pw/,
      'the value is never in the DM',
    );
    await click(erin, 'Reveal');
    await erin.locator('#modal-layer .modal', { hasText: 'prod-Root-Sandbox-Pw' }).waitFor();
    await noUnknownBlocks(erin);
    await erin.locator('#modal-layer .bk-modal-close').click();
    await erin.locator('#modal-layer').waitFor({ state: 'hidden' });
    await waitForMessage(erin, /used .* Request again/);
  });

  it('walks /rotate-key from "which key" to "old key deleted", with 2ndline told and an approver', async () => {
    await open(erin, '#general');
    await command(erin, '/rotate-key ci-deploy');
    await waitForMessage(erin, /Started the rotation of ci-deploy/);
    const keyRows = erin.locator('#aws-users .aws-user', { hasText: 'ci-deploy' }).locator('.aws-key');
    const oldKey = (await keyRows.first().getAttribute('data-key')) ?? '';
    assert.match(oldKey, /^AKIA/);

    // ci/deploy-aws carries locksmith's tag, as an earlier rotation left it: found reading no value.
    await open(erin, 'locksmith');
    await waitForMessage(erin, /Create new key and update these places/);
    assert.match(await messages(erin).innerText(), /ci\/deploy-aws[^\n]*found by its tag/);
    assert.match(await messages(erin).innerText(), /no secret or parameter value was read/);
    await click(erin, 'Create new key and update these places');
    await erin
      .locator('#modal-layer .modal', { hasText: /Created AKIA\w+ and wrote it into ci\/deploy-aws/ })
      .waitFor();
    await erin.locator('#modal-layer .bk-modal-close').click();
    await waitForMessage(erin, /Switch-over/);

    // A consumer picks up the new key from the secret and uses it.
    await keyRows.nth(1).waitFor();
    const newKey = (await keyRows.nth(1).getAttribute('data-key')) ?? '';
    assert.notEqual(newKey, oldKey);
    await keyRows.nth(1).locator('button.use-key').click();
    await erin.locator('#toasts', { hasText: `Called AWS with ${newKey}` }).waitFor();
    // The toast leaves the composer's Send button free (issue 18: it covered it).
    const toast = await erin.locator('#toasts .toast').last().boundingBox();
    const send = await erin.locator('#composer button[type="submit"]').boundingBox();
    assert.ok(toast && send, 'both on screen');
    const overlaps =
      toast.x < send.x + send.width &&
      send.x < toast.x + toast.width &&
      toast.y < send.y + send.height &&
      send.y < toast.y + toast.height;
    assert.ok(!overlaps, `the toast ${JSON.stringify(toast)} covers Send ${JSON.stringify(send)}`);

    // A day later the old key has been quiet for 24 hours. Only tagged places were searched, so
    // Erin acknowledges that before 2ndline is told and an approver asked.
    await advanceClock(erin, '+1 day');
    await waitForMessage(erin, /acknowledge that not every place that could hold it was searched/);
    await click(erin, 'Acknowledge: not everything searched');
    await waitForMessage(erin, /Waiting for an approver/);
    await open(arno, '#2ndline');
    await waitForMessage(arno, new RegExp(`will deactivate access key ${oldKey} of IAM user ci-deploy`));
    await open(arno, '#approvals');
    await waitForMessage(arno, new RegExp(`deactivate an access key[\\s\\S]*${oldKey}`));
    await click(arno, 'Approve');
    await waitForMessage(erin, new RegExp(`${oldKey} is inactive since`));
    await erin
      .locator(`#aws-users .aws-key[data-key="${oldKey}"] .status`, { hasText: 'Inactive' })
      .waitFor();

    // A consumer still on the old key would now fail, as on AWS.
    await erin.locator(`#aws-users .aws-key[data-key="${oldKey}"] button.use-key`).click();
    await erin.locator('#toasts', { hasText: 'is inactive: AWS answers InvalidClientTokenId' }).waitFor();

    // After the 7-day grace period: delete, approved again.
    await advanceClock(erin, '+7 days');
    await waitForMessage(erin, /grace period is over/);
    await click(erin, `Delete ${oldKey}`);
    await waitForMessage(arno, new RegExp(`delete an access key[\\s\\S]*${oldKey}`));
    await click(arno, 'Approve');
    await waitForMessage(erin, /Done\./);
    await erin.locator(`#aws-users .aws-key[data-key="${oldKey}"]`).waitFor({ state: 'detached' });
    assert.equal(await keyRows.count(), 1);
    assert.equal(await keyRows.first().getAttribute('data-key'), newKey);
    await noUnknownBlocks(erin);
    await noUnknownBlocks(arno);
  });

  it("shows who read a secret and who uses a key, live from moto's CloudTrail history", async () => {
    // Erin's reveal in the first scenario: Arno looks it up, and #2ndline was told (notify on view).
    await open(arno, '#general');
    await command(arno, '/secret who shared/grafana-admin');
    await waitForMessage(arno, /Who read or changed/);
    const who = await arno
      .locator('#messages .msg', { hasText: /Who read or changed/ })
      .last()
      .innerText();
    assert.match(who, /erin@example\.com/);
    assert.match(who, /via locksmith/);
    assert.doesNotMatch(who, /correct-horse/);
    await open(arno, '#2ndline');
    await waitForMessage(arno, /revealed shared\/grafana-admin under role 2ndline/);

    // A rotation shows the key's callers from the start: the Go SDK the exporter was seeded with.
    await open(erin, '#general');
    await command(erin, '/rotate-key metrics-exporter');
    await open(erin, 'locksmith');
    await waitForMessage(erin, /Who uses the keys[\s\S]*aws-sdk-go-v2\/1\.24\.0/);
    await noUnknownBlocks(erin);
    await click(erin, 'Cancel rotation');
    await waitForMessage(erin, /Cancelled\./);
  });

  it('picks the user from a search menu (external select) and the places from checkboxes', async () => {
    await open(arno, '#general');
    await command(arno, '/rotate-key');
    const modal = arno.locator('#modal-layer .modal');
    await modal.locator('.bk-modal-title', { hasText: 'Rotate an access key' }).waitFor();
    await modal.locator('.bk-external-query').fill('backup');
    await modal
      .locator('.bk-external-options option', { hasText: 'backup-agent' })
      .waitFor({ state: 'attached' });
    await modal.locator('.bk-external-options').selectOption({ label: 'backup-agent' });
    await modal.locator('.bk-modal-submit').click();
    await arno.locator('#modal-layer').waitFor({ state: 'hidden' });

    // Nobody tagged backup-agent's secrets: the quiet search finds nothing, and Arno asks for
    // the full search (it reads every secret, 20 a call, and tags what holds the key).
    await open(arno, 'locksmith');
    await waitForMessage(arno, /No secret or parameter is known to hold AKIA\w+/);
    await click(arno, 'Search all secrets…');
    await waitForMessage(arno, /hold AKIA\w+[\s\S]*backup\/agent-eu[\s\S]*backup\/agent-us/);
    assert.match(await messages(arno).innerText(), /tagged 2 so the next rotation finds them/);
    await click(arno, 'Choose places');
    const places = arno.locator('#modal-layer .modal', { hasText: 'Places for the key' });
    await places.waitFor();
    const boxes = places.locator('[data-type="checkboxes"] input[type="checkbox"]');
    assert.equal(await boxes.count(), 2);
    await noUnknownBlocks(arno);
    await places.locator('.bk-modal-close').click();
    await arno.locator('#modal-layer').waitFor({ state: 'hidden' });
    await click(arno, 'Cancel rotation');
    await waitForMessage(arno, /Cancelled/);
  });

  it('keeps the composer in view and the newest message shown in a long conversation, as Slack does', async () => {
    await open(nico, 'locksmith');
    for (let i = 0; i < 25; i++) await command(nico, `/secret help`);
    await nico.waitForFunction(`document.querySelectorAll('#messages .msg').length >= 25`);
    const viewport = nico.viewportSize()!;
    const composer = await nico.locator('#composer').boundingBox();
    assert.ok(composer, 'the composer is rendered');
    assert.ok(
      composer.y >= 0 && composer.y + composer.height <= viewport.height,
      `the composer is in the window (${composer.y}+${composer.height} of ${viewport.height})`,
    );
    // The page itself does not scroll; the message list does, and is at its newest message.
    assert.equal(await nico.evaluate('document.scrollingElement.scrollTop'), 0);
    assert.ok(
      (await nico.evaluate(
        `(() => { const m = document.querySelector('#messages'); return m.scrollHeight > m.clientHeight && m.scrollHeight - m.scrollTop - m.clientHeight < 4; })()`,
      )) as boolean,
      'the list scrolls, and is scrolled to the bottom',
    );
    const last = await nico.locator('#messages .msg').last().boundingBox();
    assert.ok(
      last && last.y + last.height <= composer.y + 1,
      'the newest message is visible above the composer',
    );
    // The side panels stay in the window too (they scroll on their own).
    const world = await nico.locator('#world').boundingBox();
    assert.ok(
      world && world.y >= 0 && world.y + world.height <= viewport.height + 1,
      'the AWS panel fits the window',
    );
  });

  it('draws a divider as one line, and the AWS panel follows the clock', async () => {
    // A divider block is one 1px line (issue 18: the browser's inset hr drew two).
    const divider = await erin.evaluate(`(() => {
      const box = document.createElement('div');
      box.className = 'bk-block bk-divider';
      box.innerHTML = '<hr>';
      document.querySelector('#messages').appendChild(box);
      const hr = getComputedStyle(box.querySelector('hr'));
      const own = getComputedStyle(box);
      const out = [hr.borderTopWidth, hr.borderTopStyle, hr.borderBottomStyle, own.borderTopStyle].join(' ');
      box.remove();
      return out;
    })()`);
    assert.equal(divider, '1px solid none none');

    // Key notes and version times come from AWS and the clock, not from fixed text.
    const sandboxUsers = await erin.locator('#aws-users .aws-user').allInnerTexts();
    assert.ok(!sandboxUsers.some((t) => /locksmith-bot|sandbox-console/.test(t)));
    const note = erin
      .locator('#aws-users .aws-user', { hasText: 'legacy-batch' })
      .locator('.key-note')
      .first();
    const before = await note.innerText();
    const versions = await erin.locator('#aws-secrets .aws-version').allInnerTexts();
    await advanceClock(erin, '+1 day');
    await erin.waitForFunction(
      `document.querySelector('#aws-users .aws-user .key-note')?.textContent !== undefined`,
    );
    await note.filter({ hasNotText: before }).waitFor();
    assert.match(await note.innerText(), /used \d+ (hours|days) ago/);
    // A version's time is when it was written, so moving the clock does not move it.
    assert.deepEqual(await erin.locator('#aws-secrets .aws-version').allInnerTexts(), versions);
  });

  it("leaves the sandbox's own IAM users out of /rotate-key due", async () => {
    await open(erin, '#general');
    await command(erin, '/rotate-key due');
    await waitForMessage(erin, /ci-deploy/);
    const due = await erin
      .locator('#messages .msg', { hasText: /ci-deploy/ })
      .last()
      .innerText();
    assert.doesNotMatch(due, /locksmith-bot|sandbox-console/);
  });

  it("shows the App Home tab the bot publishes: the person's roles", async () => {
    await open(erin, 'locksmith');
    await erin.click('#app-tabs button[data-tab="home"]');
    const home = erin.locator('#home');
    await home.locator('.bk-block', { hasText: 'Your roles' }).waitFor();
    assert.match(await home.innerText(), /2ndline/);
    await noUnknownBlocks(erin);
    await erin.click('#app-tabs button[data-tab="messages"]');
    await erin.locator('#messages').waitFor();
  });

  it('renders every Block Kit type the bot sent during these scenarios', () => {
    const sent: unknown[] = [
      ...sandbox.standin.calls.map((c) => c.args),
      ...sandbox.standin.responseUrlPosts.map((p) => p.body),
    ];
    const types = new Set<string>();
    for (const payload of sent) {
      const record = payload as Record<string, unknown>;
      for (const part of [record['blocks'], record['view']])
        for (const t of blockKitTypesIn(part)) types.add(t);
    }
    assert.ok(types.size > 8, `expected a variety of types, got ${[...types].join(', ')}`);
    const unknown = [...types].filter((t) => !RENDERED_TYPES.has(t));
    assert.deepEqual(unknown, [], `the page cannot render: ${unknown.join(', ')}`);
    assert.deepEqual(pageErrors, []);
  });
});
