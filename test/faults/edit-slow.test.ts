/**
 * A modal submission must be answered within Slack's 3 seconds, and the /secret edit form
 * reads AWS before it answers (to show problems in the form). With the bot's default AWS
 * settings a hung read would take ~9 s to time out, so the form's own 2-second budget must
 * answer first. The one test here takes about 2 s, on purpose.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListSecretVersionIdsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Harness } from '../support/app-harness.js';
import { editorClient, startFullHarness } from '../property/app-support.js';

let h: Harness;
let sm: SecretsManagerClient;

before(async () => {
  h = await startFullHarness();
  sm = await editorClient(h);
});
after(async () => {
  await h?.stop();
});

describe('a hung AWS under the edit form, with default AWS settings', () => {
  it('the submission is answered within 3 s with "press Save again", and nothing is written', async () => {
    assert.equal(h.deps.config.aws.request_timeout_ms * h.deps.config.aws.max_attempts, 9000);
    const known = new Set(h.slack.views('U0ALICE').map((v) => v.id));
    await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'edit edit/app' });
    const form = await h.slack.waitFor(() =>
      h.slack.views('U0ALICE').find((v) => !known.has(v.id) && v.callbackId === 'secret_edit'),
    );
    const versions = async () =>
      (await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'edit/app', IncludeDeprecated: true })))
        .Versions?.length ?? 0;
    const before = await versions();
    h.aws.failNext('GetSecretValue', { kind: 'hang' }, 3);

    const started = Date.now();
    const res = await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: form.id,
        callback_id: 'secret_edit',
        state: { values: { 'secret_edit_field:0': { value: { type: 'plain_text_input', value: 'x' } } } },
      },
    });
    const answeredAfter = Date.now() - started;
    assert.equal(res.status, 200);
    // Required by Slack: 3 s. The form answers at its 2 s budget; 1 s of slack for a busy machine.
    assert.ok(answeredAfter < 3000, `answered after ${answeredAfter} ms`);
    assert.match(res.body, /AWS is slow to answer\. Press Save again: a repeat never saves twice\./);
    assert.ok(h.aws.hangingCalls >= 1, 'AWS was still hanging when Slack got its answer');
    assert.equal(await versions(), before, 'nothing written');
  });
});
