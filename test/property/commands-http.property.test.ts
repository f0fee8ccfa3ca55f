/**
 * Hostile command text sent as signed slash commands to the running bot: unicode, control
 * characters, very long input, shell and mrkdwn metacharacters, `<!channel>`. Every command
 * is answered within 3 s and gets something the person can see (a reply, a window, a status
 * message), and nothing the bot sends pings anyone, crashes it, or puts a value in a log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Harness } from '../support/app-harness.js';
import {
  assertCleanOutput,
  mark,
  postSigned,
  settle,
  startFullHarness,
  unexpectedErrors,
  watchCrashes,
} from './app-support.js';
import { NASTY_PIECES, nastyText, nastyTextMaybeHuge, propertyRuns } from './support.js';

const RUNS = propertyRuns(30);

let h: Harness;
const crashes = watchCrashes();

before(async () => {
  h = await startFullHarness();
});
after(async () => {
  crashes.stop();
  await h?.stop();
});

/** Words the commands know, so generated text reaches deep paths, not only "unknown subcommand". */
const knownWord = fc.constantFrom(
  'get',
  'list',
  'edit',
  'help',
  'due',
  '2ndline/fastly',
  '2ndline/plain',
  '2ndline/binary',
  'edit/app',
  'prod/db',
  'ci-deploy',
  '--role',
  '--role=2ndline',
  '--role=editor',
  '--field',
  'password',
);

const commandText = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(knownWord, nastyText(3), fc.constantFrom(...NASTY_PIECES)), { maxLength: 5 })
      .map((w) => w.join(' ')),
  },
  { weight: 1, arbitrary: nastyTextMaybeHuge(8000) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

const person = fc.constantFrom('U0ALICE', 'U0BOB', 'U0DAVE', 'U0STRANGER', 'U0GUEST');
const command = fc.constantFrom('/secret', '/totp', '/rotate-key');

describe('slash commands with hostile text, over HTTP (property)', () => {
  it('answers each within 3 s with something the person sees, and never pings, crashes or leaks', async () => {
    const from = mark(h);
    await fc.assert(
      fc.asyncProperty(person, command, commandText, async (userId, cmd, text) => {
        const before = mark(h);
        const responseUrl = h.slack.newResponseUrl({ user: userId, channel: h.slack.dmChannelFor(userId) });
        const fields = {
          token: 'standin-verification-token',
          team_id: h.slack.teamId,
          team_domain: h.slack.teamDomain,
          channel_id: h.slack.dmChannelFor(userId),
          channel_name: 'directmessage',
          user_id: userId,
          user_name: userId.toLowerCase(),
          command: cmd,
          text,
          api_app_id: 'A0LOCKSMITH',
          is_enterprise_install: 'false',
          response_url: responseUrl,
          trigger_id: h.slack.newTriggerId(userId),
        };
        const res = await postSigned(h, new URLSearchParams(fields).toString());
        assert.equal(res.status, 200, `answered ${res.status}`);
        // Something visible follows: a reply through the response_url, a window, or a message.
        await h.slack.waitFor(
          () =>
            h.slack.responseUrlPosts.slice(before.posts).some((p) => p.url === responseUrl) ||
            h.slack.calls
              .slice(before.calls)
              .some((c) => ['views.open', 'chat.postMessage', 'chat.postEphemeral'].includes(c.method)),
          5000,
        );
        for (const post of h.slack.responseUrlPosts.slice(before.posts)) {
          assert.equal(post.status, 200, `Slack refused a reply: ${post.responseBody}`);
        }
      }),
      { numRuns: RUNS },
    );
    await settle(h);
    assert.deepEqual(crashes.problems, []);
    assert.deepEqual(unexpectedErrors(h, from), []);
    assertCleanOutput(h, from);
    // Slack's own limits (Block Kit sizes, text lengths) were kept: the stand-in refused nothing.
    const refused = h.slack.calls.slice(from.calls).filter((c) => c.response['ok'] === false);
    assert.deepEqual(
      refused.map((c) => `${c.method}: ${String(c.response['error'])}`),
      [],
    );
  });
});
