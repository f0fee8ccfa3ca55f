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
 * - for `ssm:` globs (Parameter Store names): every action that returns a parameter's value
 *   (`ssm:GetParameter*`) on the parameters, `ssm:GetParametersByPath` on every path above them
 *   (it is authorised against the path, not the parameters it returns), and the writes
 *   (`PutParameter`, `DeleteParameter(s)`, `LabelParameterVersion`) for guarded edits.
 * An approved reveal or edit runs under a session whose policy allows the actions it needs on
 * exactly that secret's (or parameter's) ARN, and nothing else: `secretSessionPolicy`.
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

/** Reading a secret's value. */
const READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
/** Changing a secret's value or which version is current. */
const WRITE_ACTIONS = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
] as const;
/**
 * Every Parameter Store action that returns a value: GetParameter, GetParameters,
 * GetParameterHistory and GetParametersByPath, as AWS's "How Parameter Store authorizes parameter
 * retrieval" recommends denying them.
 */
const PARAMETER_READ_ACTIONS = ['ssm:GetParameter*'] as const;
/** Changing a parameter's value or its labels. */
const PARAMETER_WRITE_ACTIONS = [
  'ssm:PutParameter',
  'ssm:DeleteParameter',
  'ssm:DeleteParameters',
  'ssm:LabelParameterVersion',
] as const;

/** The `ssm:` prefix of Parameter Store names in locksmith (secrets/parameter-reader.ts). */
const PARAMETER_PREFIX = 'ssm:';

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`, …). */
export function partitionOf(arn: string): string {
  return /^arn:([a-z-]+):/.exec(arn)?.[1] ?? 'aws';
}

/** The account of an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`). */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** A parameter's ARN resource part: `parameter` and the name with one leading `/`. */
function parameterResource(name: string): string {
  return `parameter${name.startsWith('/') ? name : `/${name}`}`;
}

/** The ARN pattern of what a locksmith glob names (a secret, or an `ssm:` parameter), in `partition`. */
export function secretArnPattern(glob: string, partition: string): string {
  if (glob.startsWith(PARAMETER_PREFIX)) {
    return `arn:${partition}:ssm:*:*:${parameterResource(glob.slice(PARAMETER_PREFIX.length))}`;
  }
  return `arn:${partition}:secretsmanager:*:*:secret:${glob}${glob.endsWith('*') ? '' : '-??????'}`;
}

/**
 * GetParametersByPath is authorised against the path asked for, not the parameters it returns
 * (AWS: "How Parameter Store authorizes parameter retrieval"): a path above a guarded parameter
 * would return it. So its deny also names every path level above the glob's fixed part, `/`
 * (ARN `parameter/`) included.
 */
function parameterPathsAbove(glob: string, partition: string): string[] {
  const name = glob.slice(PARAMETER_PREFIX.length);
  const fixed = name.split('*', 1)[0]!;
  const levels = fixed.split('/').filter((part, i, all) => part !== '' && i < all.length - 1);
  const paths = ['/'];
  for (let i = 1; i <= levels.length; i++) paths.push(`/${levels.slice(0, i).join('/')}`);
  return paths.map((p) => `arn:${partition}:ssm:*:*:parameter${p}`);
}

/** Whether anything is guarded at all: without guards, sessions carry no policy. */
export function hasGuards(guards: SecretGuards | undefined): guards is SecretGuards {
  return guards !== undefined && (guards.reveal.length > 0 || guards.edit.length > 0 || !!guards.tag);
}

/**
 * The session policy of an ordinary session in `partition`: everything the role allows, except
 * the guarded secrets' and parameters' values. Undefined when nothing is guarded. Compact JSON:
 * its length is what STS counts.
 */
export function guardSessionPolicy(guards: SecretGuards | undefined, partition: string): string | undefined {
  if (!hasGuards(guards)) return undefined;
  const statements: object[] = [{ Sid: 'WhatTheRoleAllows', Effect: 'Allow', Action: '*', Resource: '*' }];
  const secrets = (globs: readonly string[]) =>
    [...new Set(globs)].filter((g) => !g.startsWith(PARAMETER_PREFIX));
  const parameters = (globs: readonly string[]) =>
    [...new Set(globs)].filter((g) => g.startsWith(PARAMETER_PREFIX));
  const arns = (globs: string[]) => globs.map((g) => secretArnPattern(g, partition));
  const deny = (Sid: string, Action: readonly string[], Resource: string[]) => {
    if (Resource.length > 0) statements.push({ Sid, Effect: 'Deny', Action: [...Action], Resource });
  };
  deny('GuardedReveals', READ_ACTIONS, arns(secrets(guards.reveal)));
  deny('GuardedEdits', WRITE_ACTIONS, arns(secrets(guards.edit)));
  const guardedParameters = parameters(guards.reveal);
  deny('GuardedParameterReveals', PARAMETER_READ_ACTIONS, arns(guardedParameters));
  deny(
    'GuardedParameterPaths',
    ['ssm:GetParametersByPath'],
    [...new Set(guardedParameters.flatMap((g) => parameterPathsAbove(g, partition)))],
  );
  deny('GuardedParameterEdits', PARAMETER_WRITE_ACTIONS, arns(parameters(guards.edit)));
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
 * The session policy of an approved reveal (`read`) or edit (`edit`) of one secret or parameter
 * (`arn`): the actions that need, on exactly that ARN, and the KMS use Secrets Manager or
 * Parameter Store makes on the caller's behalf to decrypt (and, for an edit, encrypt) it with a
 * customer-managed key. Nothing else: not another secret, not another service.
 */
export function secretSessionPolicy(arn: string, access: SecretAccess): string {
  const parameter = /^arn:[a-z-]+:ssm:/.test(arn);
  const actions = parameter
    ? [
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:GetParameterHistory',
        // Its tags: notify on view (trail/notify-on-view.ts) reads `locksmith:notify` with it.
        'ssm:ListTagsForResource',
        ...(access === 'edit' ? ['ssm:PutParameter'] : []),
      ]
    : [
        ...READ_ACTIONS,
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecretVersionIds',
        ...(access === 'edit'
          ? ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']
          : []),
      ];
  const service = parameter ? 'ssm' : 'secretsmanager';
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TheApprovedSecret', Effect: 'Allow', Action: actions, Resource: arn },
      {
        Sid: 'ItsKeyThroughTheService',
        Effect: 'Allow',
        Action: access === 'edit' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        Resource: '*',
        Condition: { StringLike: { 'kms:ViaService': `${service}.*.amazonaws.com` } },
      },
    ],
  });
}

/** A parameter's ARN in `region` and `account`, for a name with or without its leading `/`. */
export function parameterArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:ssm:${region}:${account}:${parameterResource(name)}`;
}

/** A Secrets Manager secret ARN (as DescribeSecret returns it) or a Parameter Store parameter's. */
export const SECRET_ARN =
  /^arn:[a-z-]+:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}|ssm:[a-z0-9-]+:\d{12}:parameter\/[\w./-]+)$/;
