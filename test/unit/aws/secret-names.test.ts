import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGuarded } from '../../../src/approvals/approval.js';
import { readMatchesTyped, secretNameCandidates } from '../../../src/aws/secret-names.js';

const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:prod/db-AbCdEf';
const PARTIAL = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:prod/db';

describe('secret names a typed id may denote (issue 14, item 1)', () => {
  it('an ARN denotes the name in it, with and without the random suffix', () => {
    assert.deepEqual(secretNameCandidates(ARN), [ARN, 'prod/db-AbCdEf', 'prod/db']);
    assert.deepEqual(secretNameCandidates(PARTIAL), [PARTIAL, 'prod/db']);
    assert.deepEqual(
      secretNameCandidates('arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:prod/x-123456'),
      [
        'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:prod/x-123456',
        'prod/x-123456',
        'prod/x',
      ],
    );
  });

  it('a plain name denotes itself only (prod/db-backup is its own secret)', () => {
    assert.deepEqual(secretNameCandidates('prod/db-backup'), ['prod/db-backup']);
    assert.deepEqual(secretNameCandidates('ssm:/prod/db'), ['ssm:/prod/db']);
  });

  it('guards see through ARNs and partial ARNs', () => {
    assert.equal(isGuarded(ARN, ['prod/*']), true);
    assert.equal(isGuarded(PARTIAL, ['prod/*']), true);
    assert.equal(isGuarded(ARN, ['prod/db']), true, 'an exact guard on the name');
    assert.equal(isGuarded('prod/db', ['prod/*']), true);
    assert.equal(isGuarded('staging/db', ['prod/*']), false);
    assert.equal(
      isGuarded('arn:aws:secretsmanager:eu-west-2:123456789012:secret:staging/db-AbCdEf', ['prod/*']),
      false,
    );
  });

  it('a read matches what was typed: the name, the full ARN or the partial ARN', () => {
    const read = { name: 'prod/db', arn: ARN };
    assert.equal(readMatchesTyped('prod/db', read), true);
    assert.equal(readMatchesTyped(ARN, read), true);
    assert.equal(readMatchesTyped(PARTIAL, read), true);
  });

  it('a read of another secret than the one typed does not match', () => {
    // Secrets Manager may take a name ending in -XXXXXX as a partial ARN of another secret.
    assert.equal(readMatchesTyped('prod/db-AbCdEf', { name: 'prod/db', arn: ARN }), false);
    assert.equal(readMatchesTyped('prod/DB', { name: 'prod/db', arn: ARN }), false);
    assert.equal(readMatchesTyped('prod/d', { name: 'prod/db', arn: ARN }), false);
    assert.equal(readMatchesTyped('prod/db', { name: 'prod/db2' }), false);
  });
});
