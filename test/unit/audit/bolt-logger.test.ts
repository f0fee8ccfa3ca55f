import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBoltLogger, omitPayload } from '../../../src/audit/bolt-logger.js';
import { captureLogger } from '../../support/log-capture.js';

const CANARY = 'CANARY-typed-value-91ab';

describe('Bolt logger adapter', () => {
  it('keeps the prose of library lines but never their payloads', () => {
    const { logger, lines } = captureLogger('debug');
    const bolt = createBoltLogger(logger);
    bolt.debug(
      `Received a message on the WebSocket: {"envelope_id":"e1","payload":{"view":{"state":{"values":{"b":{"a":{"value":"${CANARY}"}}}}}}}`,
    );
    bolt.debug('http request', { body: CANARY });
    bolt.debug(`body: payload=%7B%22value%22%3A%22${CANARY}%22%7D`);
    bolt.debug(`token=xoxb-1-2&text=${CANARY}`);
    bolt.info('plain words stay');
    const all = lines.join('\n');
    assert.ok(!all.includes(CANARY), all);
    assert.match(all, /Received a message on the WebSocket: \[payload omitted\]/);
    assert.match(all, /plain words stay/);
  });

  it('redacts tokens and response URLs in what remains', () => {
    assert.equal(omitPayload('no body here'), 'no body here');
    const { logger, lines } = captureLogger('debug');
    createBoltLogger(logger).warn('failed with xoxb-123-456-abc at https://hooks.slack.com/commands/T1/2/3');
    assert.doesNotMatch(lines.join('\n'), /xoxb-123|hooks\.slack\.com\/commands/);
  });
});
