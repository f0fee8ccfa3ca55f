/**
 * Finding a secret (issue 18), against moto: `/secret list WORDS` searches names, descriptions
 * and tags with ListSecrets' `all` filter, as the console's search box does, and reads no value;
 * `/secret get` of a name that does not exist offers the closest names the role can list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../support/app-harness.js';
import { shownIn, viewsSentTo } from '../support/windows.js';
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

describe('/secret get NAME that does not exist: "Did you mean…?"', () => {
  async function get(text: string) {
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text });
    assert.equal(sent.status, 200);
    return shownIn(h.slack, sent.triggerId);
  }

  it('offers `2ndline/fastly` for "fastly" in the window, reading no value, audited as not found', async () => {
    await h.aws.quiet();
    h.aws.clear();
    const shown = await get('get fastly');
    assert.match(shown.json, /No secret named `fastly` was found/);
    assert.match(shown.json, /Did you mean `2ndline\/fastly`\?/);
    assert.match(shown.json, /"text":"Show 2ndline\/fastly"/);
    assert.ok(!shown.json.includes(CANARY_PASSWORD));
    const reads = h.aws.callsOf('GetSecretValue').map((c) => c.params.SecretId);
    assert.deepEqual(reads, ['fastly'], 'only the name typed was read; suggestions read no value');
    assert.ok(h.aws.callsOf('ListSecrets').some((c) => JSON.stringify(c.params.Filters).includes('"all"')));
    const audit = await h.slack.waitFor(() =>
      h.auditEvents().findLast((e) => e.action === 'secret.reveal' && e.target === 'fastly'),
    );
    assert.equal(audit.outcome, 'not_found');
  });

  it('a click on the suggestion shows that secret in the same window, as /secret get does', async () => {
    const shown = await get('get fastly');
    const before = viewsSentTo(h.slack, shown.viewId).length;
    const res = await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'secret_suggest_get_0',
      view: { id: shown.viewId },
    });
    assert.equal(res.status, 200);
    const view = await h.slack.waitFor(() =>
      viewsSentTo(h.slack, shown.viewId)
        .slice(before)
        .find((v) => JSON.stringify(v).includes('cdn-bot')),
    );
    assert.ok(JSON.stringify(view).includes(CANARY_PASSWORD), 'the value, in the window only Alice sees');
    const audit = await h.slack.waitFor(() =>
      h
        .auditEvents()
        .findLast((e) => e.action === 'secret.reveal' && e.target === '2ndline/fastly' && e.outcome === 'ok'),
    );
    assert.equal((audit.person as { slack_id: string }).slack_id, 'U0ALICE');
  });

  it('suggests by spelling when the words match nothing (a typo), and says plainly when nothing is close', async () => {
    assert.match((await get('get 2ndline/fastyl')).json, /Did you mean `2ndline\/fastly`/);
    const none = await get('get zzzz-nothing-like-it');
    assert.match(none.json, /No secret named `zzzz-nothing-like-it` was found/);
    assert.doesNotMatch(none.json, /Did you mean/);
  });
});
