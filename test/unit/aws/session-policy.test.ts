import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesGlob } from '../../../src/approvals/approval.js';
import {
  guardSessionPolicy,
  MAX_SESSION_POLICY_CHARS,
  partitionOf,
  secretArnPattern,
  secretSessionPolicy,
} from '../../../src/aws/session-policy.js';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

/** IAM's ARN matching: `*` any run of characters, `?` exactly one, case-sensitive. */
function iamMatches(pattern: string, arn: string): boolean {
  const re = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`).test(arn);
}

const arnOf = (name: string, suffix = 'AbC123') =>
  `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-${suffix}`;

describe('secretArnPattern', () => {
  it('names by ARN exactly the secrets a glob names by name', () => {
    const names = [
      'prod/db',
      'prod/db-replica',
      'prod/dbx',
      'prod',
      'prodx/db',
      'dev/prod/db',
      'prod/a/b',
      'db',
    ];
    for (const glob of ['prod/*', 'prod/db', '*db', 'prod/*db', '*']) {
      for (const name of names) {
        assert.equal(
          iamMatches(secretArnPattern(glob, 'aws'), arnOf(name)),
          matchesGlob(name, glob),
          `glob ${glob}, secret ${name}`,
        );
      }
    }
  });

  it('uses the partition of the role', () => {
    assert.equal(partitionOf('arn:aws-cn:iam::123456789012:role/x'), 'aws-cn');
    assert.equal(
      secretArnPattern('prod/db', 'aws-us-gov'),
      'arn:aws-us-gov:secretsmanager:*:*:secret:prod/db-??????',
    );
  });
});

describe('guardSessionPolicy', () => {
  it('is absent when nothing is guarded: sessions then carry no policy', () => {
    assert.equal(guardSessionPolicy(undefined, 'aws'), undefined);
    assert.equal(guardSessionPolicy({ reveal: [], edit: [] }, 'aws'), undefined);
  });

  it('allows what the role allows and denies reads of guarded reveals, writes of guarded edits, both by tag', () => {
    const text = guardSessionPolicy(
      {
        reveal: ['prod/*', 'prod/*'],
        edit: ['prod/*', 'shared/root'],
        tag: { key: 'locksmith:guarded', value: 'true' },
      },
      'aws',
    )!;
    assert.doesNotMatch(text, /\s/, 'compact: STS counts every character');
    const { Version, Statement } = JSON.parse(text) as { Version: string; Statement: Statement[] };
    assert.equal(Version, '2012-10-17');
    assert.deepEqual(Statement[0], { Sid: 'WhatTheRoleAllows', Effect: 'Allow', Action: '*', Resource: '*' });
    assert.deepEqual(Statement[1], {
      Sid: 'GuardedReveals',
      Effect: 'Deny',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: ['arn:aws:secretsmanager:*:*:secret:prod/*'],
    });
    assert.deepEqual(Statement[2]!.Resource, [
      'arn:aws:secretsmanager:*:*:secret:prod/*',
      'arn:aws:secretsmanager:*:*:secret:shared/root-??????',
    ]);
    assert.deepEqual(Statement[2]!.Action, [
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecret',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    assert.deepEqual(Statement[3], {
      Sid: 'GuardedByTag',
      Effect: 'Deny',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecret',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/locksmith:guarded': 'true' } },
    });
  });

  it('fits a realistic guard list well within STS’s 2,048 characters', () => {
    const globs = ['prod/*', 'payments/*', 'shared/root', 'vendor/pagerduty', 'vendor/okta', 'ci/deploy-*'];
    const text = guardSessionPolicy(
      { reveal: globs, edit: globs, tag: { key: 'locksmith:guarded', value: 'true' } },
      'aws-us-gov',
    )!;
    assert.ok(text.length < MAX_SESSION_POLICY_CHARS, `${text.length} characters`);
  });
});

describe('Parameter Store guards (ssm: globs)', () => {
  it('deny every value-returning action on the parameters, and path reads on every level above them', () => {
    const { Statement } = JSON.parse(
      guardSessionPolicy({ reveal: ['ssm:/prod/db/*', 'prod/*'], edit: ['ssm:/prod/db/*'] }, 'aws')!,
    ) as { Statement: Statement[] };
    const bySid = Object.fromEntries(Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(bySid['GuardedReveals']!.Resource, ['arn:aws:secretsmanager:*:*:secret:prod/*']);
    assert.deepEqual(bySid['GuardedParameterReveals']!.Action, ['ssm:GetParameter*']);
    assert.deepEqual(bySid['GuardedParameterReveals']!.Resource, ['arn:aws:ssm:*:*:parameter/prod/db/*']);
    assert.deepEqual(bySid['GuardedParameterPaths']!.Resource, [
      'arn:aws:ssm:*:*:parameter/',
      'arn:aws:ssm:*:*:parameter/prod',
      'arn:aws:ssm:*:*:parameter/prod/db',
    ]);
    assert.ok((bySid['GuardedParameterEdits']!.Action as string[]).includes('ssm:PutParameter'));
    assert.equal(bySid['GuardedEdits'], undefined, 'no secret is edit-guarded');
  });

  it('names parameters with and without a leading slash as their ARNs do', () => {
    assert.equal(secretArnPattern('ssm:/team/db', 'aws'), 'arn:aws:ssm:*:*:parameter/team/db');
    assert.equal(secretArnPattern('ssm:team-db', 'aws'), 'arn:aws:ssm:*:*:parameter/team-db');
    assert.ok(
      iamMatches(
        secretArnPattern('ssm:/prod/*', 'aws'),
        'arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db',
      ),
    );
    assert.ok(
      !iamMatches(
        secretArnPattern('ssm:/prod/*', 'aws'),
        'arn:aws:ssm:eu-west-1:123456789012:parameter/production',
      ),
    );
  });

  it('an approved parameter reveal may read only that parameter, and KMS only through Parameter Store', () => {
    const arn = 'arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db';
    const { Statement } = JSON.parse(secretSessionPolicy(arn, 'read')) as { Statement: Statement[] };
    assert.deepEqual(Statement[0]!.Resource, arn);
    assert.ok(!(Statement[0]!.Action as string[]).includes('ssm:GetParametersByPath'));
    // Notify on view reads the parameter's locksmith:notify tag under this session too.
    assert.ok((Statement[0]!.Action as string[]).includes('ssm:ListTagsForResource'));
    assert.deepEqual(Statement[1]!.Condition, { StringLike: { 'kms:ViaService': 'ssm.*.amazonaws.com' } });
  });
});

describe('secretSessionPolicy', () => {
  const arn = arnOf('prod/db');

  it('a reveal may read only that secret, and use KMS only through Secrets Manager', () => {
    const { Statement } = JSON.parse(secretSessionPolicy(arn, 'read')) as { Statement: Statement[] };
    assert.ok(Statement.every((s) => s.Effect === 'Allow'));
    assert.deepEqual(Statement[0]!.Resource, arn);
    assert.deepEqual(Statement[0]!.Action, [
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
      'secretsmanager:ListSecretVersionIds',
    ]);
    assert.deepEqual(Statement[1]!.Action, ['kms:Decrypt']);
    assert.deepEqual(Statement[1]!.Condition, {
      StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' },
    });
  });

  it('an edit may also write that secret and move its stages', () => {
    const { Statement } = JSON.parse(secretSessionPolicy(arn, 'edit')) as { Statement: Statement[] };
    assert.ok((Statement[0]!.Action as string[]).includes('secretsmanager:PutSecretValue'));
    assert.ok((Statement[0]!.Action as string[]).includes('secretsmanager:UpdateSecretVersionStage'));
    assert.deepEqual(Statement[1]!.Action, ['kms:Decrypt', 'kms:GenerateDataKey']);
  });
});
