/**
 * Finding a secret (issue 18), against moto: `/secret list WORDS` searches names, descriptions
 * and tags with ListSecrets' `all` filter, as the console's search box does, and reads no value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../support/app-harness.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';

const searchSeed = {
  ...seed,
  secrets: [
    ...(seed.secrets ?? []),
    { name: 'shared/cdn-origin', value: { token: CANARY_PASSWORD }, tags: { team: '2ndline-oncall' } },
    { name: 'team-a/db', value: 'x', description: 'Read replica used by 2ndline dashboards' },
  ],
};

let h: Harness;

before(async () => {
  h = await startHarness({ config, seed: searchSeed, users, usergroups, enforceIam: true });
});
after(async () => {
  await h?.stop();
});

async function secret(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  assert.equal(sent.status, 200);
  const reply = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
  return { sent, reply, json: JSON.stringify(reply.body) };
}

describe('/secret list WORDS: search like the console', () => {
  it('finds "fastly" inside a path, with one ListSecrets call using the all filter and no value read', async () => {
    h.aws.clear();
    const { json } = await secret('U0ALICE', 'list fastly');
    assert.match(json, /Secrets matching `fastly`/);
    assert.match(json, /`2ndline\/fastly`/);
    assert.doesNotMatch(json, /`2ndline\/plain`|`prod\/db`/);
    const lists = h.aws.callsOf('ListSecrets');
    assert.equal(lists.length, 1);
    assert.deepEqual(lists[0]!.params.Filters, [{ Key: 'all', Values: ['fastly'] }]);
    assert.equal(h.aws.callsOf('GetSecretValue').length + h.aws.callsOf('BatchGetSecretValue').length, 0);
    assert.ok(!json.includes(CANARY_PASSWORD));
  });

  it('finds by description and by tag, and says where it matched', async () => {
    const { json } = await secret('U0ALICE', 'list 2ndline');
    assert.match(json, /`2ndline\/fastly`/, 'by name');
    assert.match(json, /`team-a\/db` _\(matched in the description\)_/);
    assert.match(json, /`shared\/cdn-origin` _\(matched tag `team: 2ndline-oncall`\)_/);
    // Names that start with the words come first.
    assert.ok(json.indexOf('2ndline/fastly') < json.indexOf('team-a/db'));
  });

  it('takes several words (all must match) and is not case-sensitive', async () => {
    const { json } = await secret('U0ALICE', 'list CDN fastly');
    assert.match(json, /`2ndline\/fastly`/);
    assert.doesNotMatch(json, /`shared\/cdn-origin`/);
  });

  it('says so when nothing matches, and refuses text AWS would not take as a filter', async () => {
    assert.match((await secret('U0ALICE', 'list nothing-like-this')).json, /none found/);
    assert.match((await secret('U0ALICE', 'list a<b')).json, /Search with letters, digits/);
  });
});
