/**
 * A read is refused when AWS answered with another secret than the one typed (issue 14, item 1):
 * what is guarded, shown and audited is the Name AWS returned, so it must be what was asked for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import type { PersonSession } from '../../../src/identity/sessions.js';
import { readSecret, readSecretText } from '../../../src/secrets/secret-reader.js';
import { readForEdit } from '../../../src/secrets/secret-writer.js';

const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:prod/db-AbCdEf';
const VALUE = 'CANARY-read-is-typed';

/** A session whose Secrets Manager answers every read with prod/db. */
function sessionAnswering(): PersonSession {
  const answer = { Name: 'prod/db', ARN, VersionId: 'v1', SecretString: VALUE };
  return {
    role: { name: 'editor', arn: 'arn:aws:iam::123456789012:role/editor' },
    clients: { secretsManager: { send: async () => answer } },
  } as unknown as PersonSession;
}

const refused = (err: unknown) => {
  assert.ok(err instanceof UserError);
  assert.match(err.message, /AWS answered with the secret `prod\/db`/);
  assert.ok(!err.message.includes(VALUE));
  return true;
};

describe('a read must be of the secret typed', () => {
  it('accepts the name, the full ARN and the partial ARN', async () => {
    for (const typed of ['prod/db', ARN, ARN.slice(0, -7)]) {
      const read = await readSecret(sessionAnswering(), typed, { seedFields: [] });
      assert.equal(read.name, 'prod/db', typed);
    }
  });

  it('refuses another secret in /secret get, /totp and the edit form, with no value in the message', async () => {
    // Secrets Manager can take a name ending in -XXXXXX as a partial ARN of another secret.
    await assert.rejects(readSecret(sessionAnswering(), 'prod/db-AbCdEf', { seedFields: [] }), refused);
    await assert.rejects(readSecretText(sessionAnswering(), 'prod/db-AbCdEf'), refused);
    await assert.rejects(readForEdit(sessionAnswering(), 'prod/db-AbCdEf', { seedFields: [] }), refused);
  });
});
