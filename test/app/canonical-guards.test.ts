/**
 * Guards decide on canonical names, in every path (issue 14, item 1). With
 * `guarded_secrets: ['prod/*']`, asking for prod/db by its ARN or partial ARN once returned the
 * value with no approval, and the audit named the ARN: the guard compared the typed text with
 * the globs. Now an ARN counts as the name in it before anything is read, and after a read the
 * Name AWS returned is what is guarded and audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Harness } from '../support/app-harness.js';
import { APPROVALS, editorClient, startFullHarness } from '../property/app-support.js';
import { answered } from '../support/windows.js';

let h: Harness;
let arn: string;
let partialArn: string;

before(async () => {
  h = await startFullHarness();
  const sm = await editorClient(h);
  arn = (await sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }))).ARN!;
  partialArn = arn.replace(/-[A-Za-z0-9]{6}$/, '');
});
after(async () => {
  await h?.stop();
});

/** GetSecretValue calls on prod/db, by any of its names. */
const prodReads = () =>
  h.aws
    .callsOf('GetSecretValue')
    .filter((c) => [arn, partialArn, 'prod/db'].includes(String(c.params.SecretId))).length;

describe('guards on canonical names', () => {
  for (const [label, id] of [
    ['full ARN', () => arn],
    ['partial ARN', () => partialArn],
  ] as const) {
    for (const [command, text] of [
      ['/secret', (x: string) => `get ${x}`],
      ['/totp', (x: string) => x],
      ['/secret', (x: string) => `edit ${x}`],
    ] as const) {
      it(`${command} ${text('<' + label + '>')} of a guarded secret asks for an approval and reads nothing`, async () => {
        h.aws.clear();
        const earlier = h.slack.openModalOf('U0ALICE', 'approval_request_reason')?.id;
        const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command, text: text(id()) });
        assert.equal(sent.status, 200);
        const modal = await h.slack.waitFor(() => {
          const open = h.slack.openModalOf('U0ALICE', 'approval_request_reason');
          return open && open.id !== earlier ? open : undefined;
        });
        assert.match(JSON.stringify(modal), /prod\/db/, 'the request names the secret');
        assert.equal(prodReads(), 0, 'no read of the guarded secret');
      });
    }
  }

  it('a name that cannot exist is refused before the guard sees it: nothing reaches the approvals channel (item 10)', async () => {
    const posted = h.slack.channelMessages(APPROVALS).length;
    const earlier = h.slack.openModalOf('U0ALICE', 'approval_request_reason')?.id;
    for (const [command, text] of [
      ['/secret', 'get prod/<!channel>'],
      ['/totp', 'prod/<!here>'],
      ['/secret', 'edit prod/<!channel>'],
    ] as const) {
      const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command, text });
      // In the reveal's window (get, totp) or a reply (edit): either way no value, no request.
      assert.match(await answered(h.slack, sent), /not a valid secret name/, `${command} ${text}`);
    }
    assert.equal(
      h.slack.openModalOf('U0ALICE', 'approval_request_reason')?.id,
      earlier,
      'no reason modal opened',
    );
    assert.equal(h.slack.channelMessages(APPROVALS).length, posted, 'nothing posted for approval');
  });
});
