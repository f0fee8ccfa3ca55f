import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CredentialReportError, parseCredentialReport } from '../../../src/keys-due/credential-report.js';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,' +
  'mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,' +
  'access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,' +
  'access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,' +
  'cert_2_last_rotated';

/** Rows as IAM writes them (IAM User Guide, "Understanding the report format"). */
const ROWS = [
  '<root_account>,arn:aws:iam::111111111111:root,2015-01-01T00:00:00+00:00,not_supported,2026-11-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  // One key, used.
  'svc-deploy,arn:aws:iam::111111111111:user/svc-deploy,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-08-01T09:00:00+00:00,2026-11-23T08:40:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  // Two keys: the first inactive and used, the second active and never used ("N/A").
  'svc-pair,arn:aws:iam::111111111111:user/svc-pair,2024-01-01T00:00:00+00:00,true,no_information,2024-01-02T00:00:00+00:00,N/A,false,FALSE,2025-01-01T00:00:00+00:00,2025-06-01T00:00:00+00:00,us-east-1,sts,TRUE,2026-10-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A',
  // No key at all.
  'alice,arn:aws:iam::111111111111:user/people/alice,2024-01-01T00:00:00+00:00,true,2026-11-20T00:00:00+00:00,2024-01-02T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  // Only the second slot in use (the first key was deleted).
  'svc-second,arn:aws:iam::111111111111:user/svc-second,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,true,2026-09-01T00:00:00+00:00,2026-11-01T00:00:00+00:00,N/A,N/A,false,N/A,false,N/A',
];

describe('parseCredentialReport', () => {
  it('reads each user’s key slots, leaving out the root user and slots that hold no key', () => {
    const users = parseCredentialReport([HEADER, ...ROWS].join('\n') + '\n');
    assert.deepEqual(
      users.map((u) => u.userName),
      ['svc-deploy', 'svc-pair', 'alice', 'svc-second'],
    );
    assert.deepEqual(users[0]!.keys, [
      {
        slot: 1,
        active: true,
        createdAt: Date.parse('2026-08-01T09:00:00Z'),
        lastUsed: { at: Date.parse('2026-11-23T08:40:00Z'), region: 'eu-west-1', service: 's3' },
      },
    ]);
    assert.equal(users[0]!.arn, 'arn:aws:iam::111111111111:user/svc-deploy');
  });

  it('reads N/A as "never used", and TRUE/FALSE in any case', () => {
    const [, pair] = parseCredentialReport([HEADER, ...ROWS].join('\n'));
    assert.deepEqual(pair!.keys, [
      {
        slot: 1,
        active: false,
        createdAt: Date.parse('2025-01-01T00:00:00Z'),
        lastUsed: { at: Date.parse('2025-06-01T00:00:00Z'), region: 'us-east-1', service: 'sts' },
      },
      { slot: 2, active: true, createdAt: Date.parse('2026-10-01T00:00:00Z') },
    ]);
  });

  it('keeps a used key whose region and service are N/A, and a key only in the second slot', () => {
    const users = parseCredentialReport([HEADER, ...ROWS].join('\n'));
    assert.deepEqual(users.find((u) => u.userName === 'alice')!.keys, []);
    assert.deepEqual(users.find((u) => u.userName === 'svc-second')!.keys, [
      {
        slot: 2,
        active: true,
        createdAt: Date.parse('2026-09-01T00:00:00Z'),
        lastUsed: { at: Date.parse('2026-11-01T00:00:00Z'), region: 'N/A', service: 'N/A' },
      },
    ]);
  });

  it('is a CSV parser: CRLF line ends and quoted fields are read as such', () => {
    const quoted = ROWS[1]!.replace('svc-deploy,arn', '"svc-deploy",arn').replace(',s3,', ',"s3",');
    const users = parseCredentialReport([HEADER, quoted].join('\r\n') + '\r\n');
    assert.equal(users[0]!.userName, 'svc-deploy');
    assert.equal(users[0]!.keys[0]!.lastUsed?.service, 's3');
  });

  it('refuses a report without IAM’s columns, and text that is not CSV', () => {
    assert.throws(
      () => parseCredentialReport('name,created\nx,2024-01-01\n'),
      (err: unknown) => err instanceof CredentialReportError && err.reason === 'malformed',
    );
    assert.throws(
      () => parseCredentialReport(`${HEADER}\n"unterminated,x\n`),
      (err: unknown) => err instanceof CredentialReportError && err.reason === 'malformed',
    );
  });

  it('carries a code, like every other error class', () => {
    assert.throws(
      () => parseCredentialReport('name,created\nx,2024-01-01\n'),
      (err: unknown) => err instanceof CredentialReportError && err.code === 'credential_report_unavailable',
    );
  });

  it('an empty report (headers only) has no users', () => {
    assert.deepEqual(parseCredentialReport(`${HEADER}\n`), []);
  });
});
