import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAccessDenied, isNoSuchEntity } from '../../../src/smtp-users/iam-steps.js';

describe('SMTP user replacement: IAM errors', () => {
  it('counts any 403 as denied, also one the SDK could not parse (moto and some AWS paths)', () => {
    // A denied call answered with an XML body the protocol cannot parse: only the 403 is reliable.
    const unparsed = Object.assign(new Error('Unexpected token <'), {
      name: 'SyntaxError',
      $metadata: { httpStatusCode: 403 },
    });
    assert.equal(isAccessDenied(unparsed), true);
    assert.equal(isAccessDenied(Object.assign(new Error('no'), { name: 'AccessDenied' })), true);
    assert.equal(isAccessDenied(Object.assign(new Error('gone'), { name: 'NoSuchEntityException' })), false);
  });

  it('tells a missing user apart', () => {
    assert.equal(isNoSuchEntity(Object.assign(new Error('gone'), { name: 'NoSuchEntityException' })), true);
    assert.equal(isNoSuchEntity(Object.assign(new Error('gone'), { name: 'NoSuchEntity' })), true);
    assert.equal(isNoSuchEntity(Object.assign(new Error('no'), { name: 'AccessDenied' })), false);
  });
});
