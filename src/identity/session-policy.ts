/**
 * AssumeRole session policies: IAM enforces the guards too, not only locksmith's own check.
 *
 * A session policy only narrows what the role allows (the session gets the intersection of the
 * role's policies and the session policy; AWS STS AssumeRole, `Policy`). So an ordinary
 * session carries "allow everything the role allows" plus explicit denies:
 * - `secretsmanager:GetSecretValue` on the secrets `approvals.guarded_secrets` names. That
 *   covers `BatchGetSecretValue` too, which AWS authorises per secret as GetSecretValue (its own
 *   action has no resource type, so a resource-scoped deny of it would match nothing);
 * - the value-changing actions (`PutSecretValue`, `UpdateSecret`, `UpdateSecretVersionStage`)
 *   on the secrets `approvals.guarded_edits` names;
 * - all of them on any secret carrying the tag `approvals.guarded_tag`, where configured.
 * An approved reveal or edit runs under a session whose policy allows the secret actions it
 * needs on exactly that secret's ARN, and nothing else: `secretSessionPolicy`.
 *
 * Globs become ARN patterns: `arn:<partition>:secretsmanager:*:*:secret:<glob>`, where IAM's `*`
 * spans `/` as locksmith's does. Secrets Manager appends `-` and six random characters to a
 * secret's name in its ARN, so a glob that does not end in `*` gets `-??????` (AWS's documented
 * pattern for naming a secret in a policy), and matches the same secrets by ARN as by name.
 *
 * STS allows at most 2,048 characters of policy text (ASCII only); config.ts refuses guard lists
 * whose policy would be longer, naming the fix.
 */

/** STS's limit on a session policy's plaintext (AssumeRole `Policy`). */
export const MAX_SESSION_POLICY_CHARS = 2048;

/** What config guards: secret-name globs for reveals and for edits, and an optional tag. */
export interface SecretGuards {
  /** `approvals.guarded_secrets`: reading the value needs an approval. */
  reveal: readonly string[];
  /** `approvals.guarded_edits`: changing the value needs an approval. */
  edit: readonly string[];
  /** `approvals.guarded_tag`: a secret with this tag is guarded for both. */
  tag?: { key: string; value: string } | undefined;
}

/** The guards of config's `approvals` section (none without one). */
export function guardsOf(
  approvals:
    | {
        guarded_secrets: readonly string[];
        guarded_edits: readonly string[];
        guarded_tag?: { key: string; value: string } | undefined;
      }
    | undefined,
): SecretGuards | undefined {
  if (!approvals) return undefined;
  return { reveal: approvals.guarded_secrets, edit: approvals.guarded_edits, tag: approvals.guarded_tag };
}

/** Reading a secret's value (and the version list a reveal and an edit look at). */
const READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
/** Changing a secret's value or which version is current. */
const WRITE_ACTIONS = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`, …). */
export function partitionOf(arn: string): string {
  return /^arn:([a-z-]+):/.exec(arn)?.[1] ?? 'aws';
}

/** The ARN pattern of the secrets a locksmith glob names, in `partition`. */
export function secretArnPattern(glob: string, partition: string): string {
  return `arn:${partition}:secretsmanager:*:*:secret:${glob}${glob.endsWith('*') ? '' : '-??????'}`;
}

/** Whether anything is guarded at all: without guards, sessions carry no policy. */
export function hasGuards(guards: SecretGuards | undefined): guards is SecretGuards {
  return guards !== undefined && (guards.reveal.length > 0 || guards.edit.length > 0 || !!guards.tag);
}

/**
 * The session policy of an ordinary session in `partition`: everything the role allows, except
 * the guarded secrets' values. Undefined when nothing is guarded. Compact JSON: its length is
 * what STS counts.
 */
export function guardSessionPolicy(guards: SecretGuards | undefined, partition: string): string | undefined {
  if (!hasGuards(guards)) return undefined;
  const statements: object[] = [{ Sid: 'WhatTheRoleAllows', Effect: 'Allow', Action: '*', Resource: '*' }];
  const arns = (globs: readonly string[]) => [...new Set(globs)].map((g) => secretArnPattern(g, partition));
  if (guards.reveal.length > 0) {
    statements.push({
      Sid: 'GuardedReveals',
      Effect: 'Deny',
      Action: [...READ_ACTIONS],
      Resource: arns(guards.reveal),
    });
  }
  if (guards.edit.length > 0) {
    statements.push({
      Sid: 'GuardedEdits',
      Effect: 'Deny',
      Action: [...WRITE_ACTIONS],
      Resource: arns(guards.edit),
    });
  }
  if (guards.tag) {
    statements.push({
      Sid: 'GuardedByTag',
      Effect: 'Deny',
      Action: [...READ_ACTIONS, ...WRITE_ACTIONS],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${guards.tag.key}`]: guards.tag.value } },
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** What an approved session may do with its one secret. */
export type SecretAccess = 'read' | 'edit';

/**
 * The session policy of an approved reveal (`read`) or edit (`edit`): the secret actions that
 * need, on exactly `secretArn`, and the KMS use Secrets Manager makes on the caller's behalf to
 * decrypt (and, for an edit, encrypt) it with a customer-managed key. Nothing else: not another
 * secret, not another service.
 */
export function secretSessionPolicy(secretArn: string, access: SecretAccess): string {
  const secretActions = [
    ...READ_ACTIONS,
    'secretsmanager:DescribeSecret',
    'secretsmanager:ListSecretVersionIds',
    ...(access === 'edit'
      ? ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']
      : []),
  ];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TheApprovedSecret', Effect: 'Allow', Action: secretActions, Resource: secretArn },
      {
        Sid: 'ItsKeyThroughSecretsManager',
        Effect: 'Allow',
        Action: access === 'edit' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        Resource: '*',
        Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
      },
    ],
  });
}

/** A Secrets Manager secret ARN, as DescribeSecret returns it. */
export const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
