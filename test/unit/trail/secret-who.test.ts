import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrailEvent } from '../../../src/trail/cloudtrail-record.js';
import { buildSecretWhoMessage } from '../../../src/trail/secret-who-blocks.js';
import type { PersonSession } from '../../../src/identity/sessions.js';
import { parseLookupEvent } from '../../../src/trail/cloudtrail-record.js';
import {
  eventNamesSecret,
  namesSecret,
  parseSecretArn,
  type SecretTrail,
  whoTouchedSecret,
} from '../../../src/trail/secret-who.js';
import type { TrailService } from '../../../src/trail/trail-service.js';
import { classifyUserAgent } from '../../../src/trail/user-agent.js';

const SECRET = {
  name: 'team/db',
  arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/db-AbC123',
};

function event(over: Partial<TrailEvent>): TrailEvent {
  return {
    id: 'e1',
    name: 'GetSecretValue',
    source: 'secretsmanager.amazonaws.com',
    time: new Date('2026-03-01T09:40:00Z'),
    actor: { label: 'x', kind: 'unknown' },
    requestParameters: {},
    responseElements: {},
    ...over,
  };
}

describe('matching CloudTrail events to a secret', () => {
  it('by name, full ARN or partial ARN, and nothing else', () => {
    assert.ok(namesSecret('team/db', SECRET));
    assert.ok(namesSecret(SECRET.arn, SECRET));
    assert.ok(namesSecret('arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/db', SECRET));
    assert.ok(!namesSecret('team/db2', SECRET));
    assert.ok(!namesSecret('team/d', SECRET));
    assert.ok(!namesSecret('arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/db-XyZ789', SECRET));
    assert.ok(!namesSecret(undefined, SECRET));
  });

  it('in secretId, in a batch read list, or in the ARN a write returned (arn, or aRN before 2024)', () => {
    assert.ok(eventNamesSecret(event({ requestParameters: { secretId: 'team/db' } }), SECRET));
    assert.ok(
      eventNamesSecret(event({ requestParameters: { secretIdList: ['other', SECRET.arn] } }), SECRET),
    );
    assert.ok(eventNamesSecret(event({ responseElements: { aRN: SECRET.arn } }), SECRET));
    assert.ok(!eventNamesSecret(event({ requestParameters: { secretId: 'other' } }), SECRET));
  });

  it('reads the Region and account from the ARN', () => {
    assert.deepEqual(parseSecretArn(SECRET.arn), { region: 'eu-west-1', accountId: '123456789012' });
    assert.equal(parseSecretArn('arn:aws:iam::123456789012:role/x'), undefined);
  });
});

describe('the /secret who reply', () => {
  const trail = (over: Partial<SecretTrail> = {}): SecretTrail => ({
    secret: SECRET,
    accountId: '123456789012',
    region: 'eu-west-1',
    since: Date.parse('2026-02-01T00:00:00Z'),
    until: Date.parse('2026-03-02T00:00:00Z'),
    accesses: [],
    readsFrom: Date.parse('2026-02-01T00:00:00Z'),
    changesFrom: Date.parse('2026-02-01T00:00:00Z'),
    complete: true,
    asOf: Date.parse('2026-03-02T00:00:00Z'),
    calls: 7,
    ...over,
  });
  const options = { days: 30, shown: 2, roleName: '2ndline', budgetSeconds: 10 };

  it('says nobody touched it when CloudTrail shows nothing in the whole window', () => {
    const text = JSON.stringify(buildSecretWhoMessage(trail(), options));
    assert.match(text, /Nobody read or changed `team\/db` in the last 30 days/);
  });

  it('lists the newest accesses, capped, with the count of all', () => {
    const accesses = [1, 2, 3].map((i) => ({
      id: `e${i}`,
      time: new Date(Date.UTC(2026, 2, 1, 9, i)),
      eventName: i === 3 ? 'PutSecretValue' : 'GetSecretValue',
      kind: i === 3 ? ('change' as const) : ('read' as const),
      actor: { label: 'alice@example.com', kind: 'source-identity' as const, roleName: 'locksmith-2ndline' },
      agent: classifyUserAgent('aws-sdk-js/3 locksmith/0.1.0'),
      sourceIp: '52.1.2.3',
    }));
    const text = JSON.stringify(buildSecretWhoMessage(trail({ accesses: accesses.reverse() }), options));
    assert.match(text, /\*alice@example.com\*, via locksmith: 2 reads, 1 change/);
    assert.match(
      text,
      /\*changed\* \(PutSecretValue\) by \*alice@example.com\* \(role `locksmith-2ndline`\), via locksmith from 52\.1\.2\.3/,
    );
    assert.match(text, /Listed 2 of 3 accesses/);
  });

  it('says when CloudTrail had no room for a fresh look, and shows what was read before', () => {
    const text = JSON.stringify(
      buildSecretWhoMessage(
        trail({ complete: false, stopped: 'budget', asOf: Date.parse('2026-03-01T11:00:00Z') }),
        options,
      ),
    );
    assert.match(
      text,
      /Showing what locksmith read from CloudTrail up to <!date\^\d+\^[^|]+\|2026-03-01 11:00 UTC>: .*Ask again for newer events/,
    );
  });

  it('says how far back a partial answer got, and that asking again continues', () => {
    const text = JSON.stringify(
      buildSecretWhoMessage(
        trail({ complete: false, stopped: 'budget', readsFrom: Date.parse('2026-03-01T06:00:00Z') }),
        options,
      ),
    );
    assert.match(
      text,
      /:hourglass: Showing reads back to <!date\^\d+\^[^|]+\|2026-03-01 06:00 UTC> only: CloudTrail answers 2 look-ups a second, and the rest did not fit in 10 s\. Ask again for more/,
    );
  });
});

describe('who touched a secret, from the events CloudTrail returned', () => {
  it('says a read from a console session was the console, though its agent is "AWS Internal"', async () => {
    const record = (over: object) =>
      parseLookupEvent({
        CloudTrailEvent: JSON.stringify({
          eventID: 'c1',
          eventName: 'GetSecretValue',
          eventSource: 'secretsmanager.amazonaws.com',
          eventTime: '2026-03-01T09:40:00Z',
          awsRegion: 'eu-west-1',
          userAgent: 'AWS Internal',
          userIdentity: { type: 'IAMUser', userName: 'jane' },
          requestParameters: { secretId: SECRET.arn },
          ...over,
        }),
      })!;
    const events = [record({ sessionCredentialFromConsole: 'true' }), record({ eventID: 'c2' })];
    const session = {
      role: { name: 'audit', arn: 'arn:aws:iam::123456789012:role/audit' },
      clients: {
        secretsManager: { send: async () => ({ Name: SECRET.name, ARN: SECRET.arn }) },
        cloudTrail: () => ({}),
      },
    } as unknown as PersonSession;
    const trail: TrailService = {
      lookup: async (_target, queries, window) => ({
        streams: queries.map((query) => ({
          query,
          events: query.value === 'GetSecretValue' ? events : [],
          coveredFrom: window.since,
          complete: true,
          asOf: window.until,
        })),
        since: window.since,
        until: window.until,
        region: 'eu-west-1',
        calls: queries.length,
        asOf: window.until,
      }),
    };
    const who = await whoTouchedSecret(session, trail, {
      name: SECRET.name,
      days: 30,
      now: Date.parse('2026-03-02T00:00:00Z'),
    });
    assert.deepEqual(
      who.accesses.map((a) => [a.id, a.agent.via]),
      [
        ['c1', 'console'],
        ['c2', 'aws-service'],
      ],
    );
  });
});
