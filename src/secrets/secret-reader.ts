/**
 * Reading and listing secrets as a person. Domain code: takes a person's session, returns plain
 * data, throws UserErrors a person can act on. Knows nothing of Slack.
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { awsUserError } from '../aws/aws-errors.js';
import { readMatchesTyped } from '../aws/secret-names.js';
import { UserError } from '../core/errors.js';
import type { PersonSession } from '../identity/sessions.js';
import { holdsOtpauth, isSeedFieldName, redactSeeds } from './seed-fields.js';
import { isParameterName, parameterNameOf } from '../aws/secret-names.js';
import { getParameterValue, listParameters } from './parameter-reader.js';

/** One shown piece of a secret. `hiddenSeed` pieces are never shown, only named. */
export type SecretField =
  { key: string; value: string; hiddenSeed: false } | { key: string; hiddenSeed: true };

export interface SecretRead {
  name: string;
  versionId?: string;
  /** When the current value was written (the version's creation date). */
  changedAt?: Date;
  /** `json`: an object, shown field by field; `string`: one value under the key "value". */
  kind: 'json' | 'string';
  fields: SecretField[];
}

export interface SecretSummary {
  name: string;
  description?: string;
  changedAt?: Date;
}

export interface SecretList {
  items: SecretSummary[];
  /** How many matched in all (up to the scan cap). */
  total: number;
  /** True when the scan stopped at the cap, so `total` is a lower bound. */
  capped: boolean;
}

// Secrets Manager's own rule for names; anything else cannot exist, so it's refused before AWS.
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ARN_NAME = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Throws bad_command unless `name` could be a secret name or ARN. */
export function assertSecretName(name: string): void {
  if (isParameterName(name)) {
    throw new UserError(
      'bad_command',
      `\`${name.slice(0, 80)}\` is a Parameter Store name: locksmith shows those with \`/secret get\` and \`/secret list\`, and does not change them. Use the AWS console or CLI.`,
    );
  }
  if (!SECRET_NAME.test(name) && !ARN_NAME.test(name)) {
    throw new UserError(
      'bad_command',
      'That is not a valid secret name: names use letters, digits and / _ + = . @ - (up to 512 characters).',
    );
  }
}

/**
 * Throws bad_command unless `name` could be read: a secret name or ARN, or an `ssm:` Parameter
 * Store name. Called before a guard or anything else looks at the name (issue 14, item 10), so
 * text that cannot be a name never reaches an approval request or a message.
 */
export function assertReadableName(name: string): void {
  if (isParameterName(name)) parameterNameOf(name);
  else assertSecretName(name);
}

/** Whether `name` could be read (assertReadableName would not throw). */
export function isReadableName(name: string): boolean {
  try {
    assertReadableName(name);
    return true;
  } catch {
    return false;
  }
}

export interface ReadOptions {
  seedFields: string[];
}

/** Splits a secret string into what may be shown. Pure, exported for unit tests. */
export function interpretSecretString(
  text: string,
  options: ReadOptions,
): Pick<SecretRead, 'kind' | 'fields'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const fields = Object.entries(parsed as Record<string, unknown>).map(([key, raw]): SecretField => {
      // A seed field, or text holding an otpauth:// URI: hidden whole (issue 14, item 7).
      if (isSeedFieldName(key, options.seedFields) || (typeof raw === 'string' && holdsOtpauth(raw)))
        return { key, hiddenSeed: true };
      if (typeof raw === 'string') return { key, value: raw, hiddenSeed: false };
      // Nested objects and arrays are shown with any seed inside them replaced.
      return { key, value: JSON.stringify(redactSeeds(raw, options.seedFields), null, 2), hiddenSeed: false };
    });
    return { kind: 'json', fields };
  }
  const field: SecretField = holdsOtpauth(text)
    ? { key: 'value', hiddenSeed: true }
    : { key: 'value', value: text, hiddenSeed: false };
  return { kind: 'string', fields: [field] };
}

/** Reads a secret's current value under the person's session. */
export async function readSecret(
  session: PersonSession,
  name: string,
  options: ReadOptions,
): Promise<SecretRead> {
  if (isParameterName(name)) {
    const p = await getParameterValue(session, name);
    return {
      name: p.name,
      ...(p.version ? { versionId: p.version } : {}),
      ...(p.changedAt ? { changedAt: p.changedAt } : {}),
      ...interpretSecretString(p.text, options),
    };
  }
  const res = await getSecretString(session, name);
  return {
    name: res.Name ?? name,
    versionId: res.VersionId,
    changedAt: res.CreatedDate,
    ...interpretSecretString(res.SecretString, options),
  };
}

/** A secret's raw text, for the OTP path only. */
export interface SecretText {
  name: string;
  versionId?: string;
  /** The whole SecretString, 2fa-seeds included: never show, log or store it. */
  text: string;
}

/**
 * Reads a secret's current SecretString under the person's session, unsplit and unfiltered, for
 * /totp, which needs the seed that {@link readSecret} hides. Same checks and errors as readSecret.
 */
export async function readSecretText(session: PersonSession, name: string): Promise<SecretText> {
  if (isParameterName(name)) {
    const p = await getParameterValue(session, name);
    return { name: p.name, ...(p.version ? { versionId: p.version } : {}), text: p.text };
  }
  const res = await getSecretString(session, name);
  return { name: res.Name ?? name, versionId: res.VersionId, text: res.SecretString };
}

async function getSecretString(
  session: PersonSession,
  name: string,
): Promise<GetSecretValueCommandOutput & { SecretString: string }> {
  assertSecretName(name);
  let res: GetSecretValueCommandOutput;
  try {
    // Name the stage: moto keeps serving the last written version after a stage move otherwise.
    res = await session.clients.secretsManager.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }),
    );
  } catch (err) {
    throw secretsError(err, session, name, 'read');
  }
  assertReadIsTyped(name, res);
  if (res.SecretString === undefined) {
    throw new UserError(
      'binary_secret',
      `\`${name}\` holds a binary value, which locksmith does not show in Slack. Retrieve it with the AWS CLI.`,
    );
  }
  return res as GetSecretValueCommandOutput & { SecretString: string };
}

/** Lists the secrets the person's role can see, optionally by name prefix. Never reads values. */
export async function listSecrets(
  session: PersonSession,
  prefix: string | undefined,
  scanCap = 1000,
): Promise<SecretList> {
  if (prefix !== undefined && isParameterName(prefix)) {
    const { items, capped } = await listParameters(session, prefix, scanCap);
    return { items, total: items.length, capped };
  }
  if (prefix !== undefined) assertSecretName(prefix);
  const items: SecretSummary[] = [];
  let capped = false;
  const pages = paginateListSecrets(
    { client: session.clients.secretsManager },
    {
      MaxResults: 100,
      Filters: prefix ? [{ Key: 'name', Values: [prefix] }] : undefined,
      SortOrder: 'asc',
    },
  );
  try {
    for await (const page of pages) {
      for (const s of page.SecretList ?? []) {
        // The name filter matches prefixes of any word in AWS; keep only true prefixes.
        if (!s.Name || (prefix && !s.Name.startsWith(prefix))) continue;
        items.push({ name: s.Name, description: s.Description || undefined, changedAt: s.LastChangedDate });
      }
      if (items.length >= scanCap && page.NextToken) {
        capped = true;
        break;
      }
    }
  } catch (err) {
    // Only the paginator's requests throw here: the loop's body makes no call.
    throw secretsError(err, session, prefix ?? '*', 'list');
  }
  items.sort((a, b) => a.name.localeCompare(b.name));
  return { items, total: items.length, capped };
}

export function secretsError(
  err: unknown,
  session: PersonSession,
  name: string,
  verb: 'read' | 'list',
): Error {
  const role = `\`${session.role.name}\``;
  return awsUserError(err, {
    service: 'AWS Secrets Manager',
    notFound: `No secret named \`${name}\` was found (looked up as role ${role}).`,
    denied:
      verb === 'read'
        ? `Your role ${role} is not allowed to read \`${name}\`: IAM denied it. If you should have access, ask for the role's policy to be extended, or use \`--role\` with another of your roles.`
        : `Your role ${role} is not allowed to list secrets: IAM denied it.`,
  });
}

/**
 * Refuses a read whose secret (the Name and ARN AWS returned) is not the one typed: guards,
 * replies and audit go by what AWS returned, so it must be what the person named (issue 14,
 * item 1). Nothing of the value is used.
 */
export function assertReadIsTyped(typed: string, res: { Name?: string; ARN?: string }): void {
  const read = { name: res.Name ?? typed, ...(res.ARN ? { arn: res.ARN } : {}) };
  if (!readMatchesTyped(typed, read)) {
    throw new UserError(
      'bad_command',
      `You asked for \`${typed.slice(0, 200)}\`, and AWS answered with the secret \`${read.name}\`. Ask for it by its exact name.`,
    );
  }
}
