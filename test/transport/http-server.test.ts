/**
 * The HTTP receiver defends itself before any handler runs: an unsigned body is refused for
 * its signature before anything looks at its shape, and connections that never finish their
 * headers cannot starve real requests (issue 14, item 12).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Harness } from '../support/app-harness.js';
import { startHarness } from '../support/app-harness.js';
import { config, seed, users } from '../support/fixtures.js';

let h: Harness;

before(async () => {
  h = await startHarness({ config, seed, users });
});
after(async () => {
  await h?.stop();
});

describe('HTTP server', () => {
  it('refuses an unsigned malformed body with 401 (signature first), not 400', async () => {
    for (const raw of [
      'payload=null',
      'payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A5%7D',
      '{"not":',
    ]) {
      const res = await h.sender.post(raw, {});
      assert.equal(res.status, 401, `${raw}: ${res.status}`);
      const forged = await h.sender.post(raw, {
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-slack-signature': 'v0=0000000000000000000000000000000000000000000000000000000000000000',
      });
      assert.equal(forged.status, 401, `${raw} with a forged signature: ${forged.status}`);
    }
    // Signed, the same malformed bodies still meet the shape guard.
    const signed = 'payload=null';
    const res = await h.sender.post(signed, { ...h.sender.sign(signed) });
    assert.equal(res.status, 400);
  });
});
