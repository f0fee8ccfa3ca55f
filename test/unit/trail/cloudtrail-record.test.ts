import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  actorOf,
  type CloudTrailRecord,
  parseCloudTrailRecord,
  parseLookupEvent,
} from '../../../src/trail/cloudtrail-record.js';
import { classifyUserAgent, describeAgent } from '../../../src/trail/user-agent.js';
import {
  CLOUDFRONT_UPDATE_FROM_CONSOLE,
  IAM_GET_USER_POLICY,
  LOOKUP_EVENTS_OUTPUT,
  S3_DELETE_BUCKET_BY_ROLE,
  SECRETS_MANAGER_DELETE_SECRET,
  SOURCE_IDENTITY_USER_IDENTITY,
  STS_ASSUME_ROLE_BY_IAM_USER,
  STS_ROLE_CHAINING,
} from './aws-doc-samples.js';

/** A documented record as LookupEvents would carry it. */
function asLookupEvent(record: object) {
  return { CloudTrailEvent: JSON.stringify(record) };
}

describe('CloudTrail records from AWS documentation', () => {
  it('reads the person from a session SourceIdentity (role chaining sample)', () => {
    const event = parseLookupEvent(asLookupEvent(STS_ROLE_CHAINING));
    assert.ok(event);
    assert.equal(event.actor.kind, 'source-identity');
    assert.equal(event.actor.label, 'JohnDoe');
    assert.equal(event.actor.roleName, 'JohnDoe');
    assert.equal(event.actor.sessionName, 'JohnRole1');
    assert.equal(event.name, 'AssumeRole');
    assert.equal(event.source, 'sts.amazonaws.com');
    assert.equal(event.time.toISOString(), '2019-10-02T22:12:29.000Z');
    assert.equal(event.sourceIp, '123.145.67.89');
    assert.equal(event.accessKeyId, 'AKIAI44QH8DHBEXAMPLE');
    assert.equal(event.requestParameters['roleSessionName'], 'Role2WithTags');
  });

  it('reads the SourceIdentity sample whose ARNs AWS wrote with spaces', () => {
    const actor = actorOf(SOURCE_IDENTITY_USER_IDENTITY.userIdentity);
    assert.equal(actor.label, 'source-identity-value-present');
    assert.equal(actor.arn, 'arn:aws:sts::123456789012:assumed-role/DevRole/Dev1');
    assert.equal(actor.roleName, 'DevRole');
    assert.equal(actor.sessionName, 'Dev1');
  });

  it('names an IAM user by user name, and reads the console sample', () => {
    const event = parseLookupEvent(asLookupEvent(IAM_GET_USER_POLICY));
    assert.equal(event?.actor.kind, 'iam-user');
    assert.equal(event?.actor.label, 'JaneDoe');
    assert.equal(event?.userAgent, 'signin.amazonaws.com');
    assert.deepEqual(event?.responseElements, {}, 'a null responseElements reads as empty');
    const cli = parseLookupEvent(asLookupEvent(STS_ASSUME_ROLE_BY_IAM_USER));
    assert.equal(cli?.actor.label, 'JohnDoe');
    assert.equal(cli?.responseElements['sourceIdentity'], 'JohnDoe');
  });

  it('names an assumed role without SourceIdentity as role/session', () => {
    const actor = actorOf(S3_DELETE_BUCKET_BY_ROLE.userIdentity);
    assert.equal(actor.kind, 'role-session');
    assert.equal(actor.label, 'AssumeNothing/devdsk');
  });

  it('names the root user, and keeps the secret ARN of a Secrets Manager write', () => {
    const event = parseLookupEvent(asLookupEvent(SECRETS_MANAGER_DELETE_SECRET));
    assert.equal(event?.actor.kind, 'root');
    assert.equal(event?.requestParameters['secretId'], 'MyDatabaseSecret');
    assert.equal(
      event?.responseElements['aRN'],
      'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyDatabaseSecret-a1b2c3',
    );
  });

  it('reads the documented lookup-events output, EventTime and all', () => {
    const [raw] = LOOKUP_EVENTS_OUTPUT.Events;
    const event = parseLookupEvent({ ...raw!, EventTime: new Date(raw!.EventTime * 1000) });
    assert.ok(event);
    assert.equal(event.id, 'EXAMPLE4-90ab-cdef-fedc-ba987EXAMPLE', "the record's eventID wins");
    assert.equal(event.name, 'CreateSecret');
    assert.equal(event.actor.label, 'Administrator');
    assert.equal(event.region, 'us-east-1');
    assert.equal(event.requestParameters['name'], 'MyTestSecret');
  });

  it('falls back to the summary fields when the record is missing or not JSON', () => {
    const event = parseLookupEvent({
      EventId: 'e1',
      EventName: 'GetSecretValue',
      EventTime: new Date('2024-01-01T00:00:00Z'),
      Username: 'someone',
      ReadOnly: 'true',
      CloudTrailEvent: 'not json',
    });
    assert.equal(event?.actor.label, 'someone');
    assert.equal(event?.readOnly, true);
    assert.equal(parseLookupEvent({ EventName: 'X' }), undefined, 'no id or time: not an event');
    assert.equal(parseCloudTrailRecord('[1,2]'), undefined);
  });

  it('reads a console session from sessionCredentialFromConsole, whatever the user agent says', () => {
    const event = parseLookupEvent(asLookupEvent(CLOUDFRONT_UPDATE_FROM_CONSOLE));
    assert.equal(event?.fromConsole, true);
    assert.equal(describeAgent(classifyUserAgent(event.userAgent, event.fromConsole)), 'console');
    // Many services record a console call's agent as "AWS Internal": the flag still says console.
    const internal = parseLookupEvent(
      asLookupEvent({ ...CLOUDFRONT_UPDATE_FROM_CONSOLE, userAgent: 'AWS Internal' }),
    );
    assert.equal(describeAgent(classifyUserAgent(internal?.userAgent, internal?.fromConsole)), 'console');
    const { sessionCredentialFromConsole: _flag, ...service } = {
      ...CLOUDFRONT_UPDATE_FROM_CONSOLE,
      userAgent: 'AWS Internal',
    };
    const plain = parseLookupEvent(asLookupEvent(service));
    assert.equal(plain?.fromConsole, undefined, 'absent unless true');
    assert.equal(
      describeAgent(classifyUserAgent(plain?.userAgent, plain?.fromConsole)),
      'AWS service (AWS Internal)',
    );
    // locksmith never works from a console session; its own agent still wins.
    assert.equal(classifyUserAgent('aws-sdk-js/3 locksmith/0.1.0', true).via, 'locksmith');
  });

  it('types every field the record contents page lists', () => {
    const record: CloudTrailRecord = STS_ASSUME_ROLE_BY_IAM_USER;
    assert.equal(record.recipientAccountId, '111122223333');
  });
});
