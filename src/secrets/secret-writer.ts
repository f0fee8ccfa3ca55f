/**
 * Changing secrets as a person: a new version in which only the fields the person typed differ,
 * and the undo of such a change. Domain code: takes a person's session, returns plain data,
 * throws UserErrors a person can act on; knows nothing of Slack. Values only pass through
 * memory: they are never logged, stored, put in an error or returned to a caller.
 */
import { createHash } from 'node:crypto';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { awsUserError } from '../aws/aws-errors.js';
import { UserError } from '../core/errors.js';
import type { PersonSession } from '../identity/sessions.js';
import { holdsOtpauth, holdsSeed } from './seed-fields.js';
import { assertReadIsTyped, assertSecretName } from './secret-reader.js';

/** Secrets Manager's limit for a SecretString (65,536 bytes), checked before AWS is asked. */
export const MAX_SECRET_BYTES = 65_536;
/** A field name longer than this is almost certainly a value pasted into the wrong box. */
export const MAX_FIELD_NAME_CHARS = 128;
/** The most a Slack plain-text input takes, so the most one field can be set to from Slack. */
export const MAX_INPUT_CHARS = 3000;

/** The current value of a secret, as far as editing goes: a JSON object or one plain string. */
export type SecretBase = { kind: 'json'; object: Record<string, unknown> } | { kind: 'string'; text: string };

/** What the edit form shows of a field: its name and shape, never its value. */
export interface EditableField {
  key: string;
  /** A 2FA seed (a configured seed field, or an otpauth:// value): may be replaced, never shown. */
  seed: boolean;
  /** The current value spans lines (a PEM key, say), so the input should too. */
  multiline: boolean;
  /** The current value is not a string (a number, a nested object…): a new value is read as JSON. */
  json: boolean;
}

export interface EditableSecret {
  name: string;
  versionId: string;
  kind: SecretBase['kind'];
  fields: EditableField[];
}

/** What a person asked to change. Plain strings have one field, named "value". */
export interface FieldChanges {
  /** New values by existing field name; a field not named here keeps its value. */
  replace: Map<string, string>;
  add?: { name: string; value: string };
}

/**
 * Changes as an edit form gives them: existing fields by their position in the version the form
 * was opened on. That version never changes, so the position names the same field at submission.
 */
export interface IndexedChanges {
  byIndex: Map<number, string>;
  add?: { name: string; value: string };
}

/** Where a problem belongs: an existing field, the new field's name or value, or the whole form. */
export type EditTarget = { field: string } | 'new-name' | 'new-value' | 'form';

export interface EditProblem {
  at: EditTarget;
  message: string;
}

export type EditCheck = { ok: true; text: string; fields: string[] } | { ok: false; problems: EditProblem[] };

export interface ReadOptions {
  seedFields: string[];
}

/** A new version ready to be written: the full new SecretString and the names it changes. */
export interface EditPlan {
  name: string;
  text: string;
  /** Names of the fields changed or added, for the audit trail and the confirmation. */
  fields: string[];
  /** The version the edit is based on: AWSCURRENT until the edit, the one Undo goes back to. */
  previousVersionId: string;
  /** The token's version already exists: this is a repeat of a submission that was written. */
  retried: boolean;
}

export type EditPreparation =
  | { ok: true; plan: EditPlan }
  /** `fieldNames` in form order, so a problem can be shown next to its field. */
  | { ok: false; problems: EditProblem[]; fieldNames: string[] };

export type UndoResult = 'undone' | 'already-undone';

/**
 * Splits a SecretString into what an edit works on. Pure, exported for unit tests.
 * @throws UserError for JSON that is not an object (arrays, quoted strings): locksmith would
 *   have to guess how a field maps onto it. Other text (numbers included) is a plain string.
 */
export function parseSecretBase(text: string, name: string): SecretBase {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'string', text };
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    return { kind: 'json', object: parsed as Record<string, unknown> };
  }
  if (Array.isArray(parsed) || typeof parsed === 'string') {
    throw new UserError(
      'bad_command',
      `\`${name}\` holds a JSON ${Array.isArray(parsed) ? 'array' : 'string'}, not a JSON object or plain text, so locksmith can't edit it field by field. Change it with the AWS CLI or console.`,
    );
  }
  // A number, true, false or null: to a person that is just text, e.g. a PIN.
  return { kind: 'string', text };
}

/** The fields an edit form offers for a secret. Pure. */
export function editableFields(base: SecretBase, options: ReadOptions): EditableField[] {
  if (base.kind === 'string') {
    return [
      {
        key: 'value',
        seed: holdsOtpauth(base.text),
        multiline: base.text.includes('\n'),
        json: false,
      },
    ];
  }
  return Object.entries(base.object).map(([key, raw]) => {
    const isString = typeof raw === 'string';
    return {
      key,
      // A seed anywhere in the field (its name, its text, or nested inside it) keeps the whole
      // field out of the form: it may be replaced, never shown (issue 14, item 7).
      seed: holdsSeed(key, raw, options.seedFields),
      multiline: isString && raw.includes('\n'),
      json: !isString,
    };
  });
}

// Control characters in a field name are invisible in Slack and in the console.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Turns positions into field names; positions the version does not have are dropped. Pure. */
export function resolveIndexedChanges(base: SecretBase, changes: IndexedChanges): FieldChanges {
  const names = base.kind === 'json' ? Object.keys(base.object) : ['value'];
  const replace = new Map<string, string>();
  for (const [index, value] of changes.byIndex) {
    const key = names[index];
    if (key !== undefined) replace.set(key, value);
  }
  return changes.add ? { replace, add: changes.add } : { replace };
}

/** Names of the fields an edit touches, changed ones first, then the added one. */
export function changedFieldNames(changes: FieldChanges): string[] {
  const names = [...changes.replace.keys()];
  if (changes.add) names.push(changes.add.name);
  return names;
}

/**
 * Checks an edit against the version it is based on and, when it passes, builds the new
 * SecretString. Pure, exported for unit tests. Replaced values keep their field's place; an
 * added field goes last. A field whose current value is not a string (a number, an object)
 * takes the new value as JSON when it parses, so a port stays a number.
 */
export function mergeFields(base: SecretBase, changes: FieldChanges): EditCheck {
  const problems: EditProblem[] = [];
  const add = changes.add;
  if (changes.replace.size === 0 && !add) {
    problems.push({ at: 'form', message: 'Nothing to save: type a new value in at least one field.' });
  }
  for (const [key, value] of changes.replace) {
    if (value.length > MAX_INPUT_CHARS) {
      problems.push({ at: { field: key }, message: `At most ${MAX_INPUT_CHARS} characters.` });
    }
  }
  const existing =
    base.kind === 'json' ? Object.keys(base.object) : ['value' /* the one field of a plain string */];
  for (const key of changes.replace.keys()) {
    if (!existing.includes(key)) {
      problems.push({
        at: 'form',
        message: 'This form is out of date. Close it and run /secret edit again.',
      });
      break;
    }
  }
  if (add) {
    if (base.kind === 'string') {
      problems.push({
        at: 'new-name',
        message: 'This secret is one plain value, so it has no fields to add to.',
      });
    } else if (add.name === '') {
      problems.push({ at: 'new-name', message: 'Name the new field.' });
    } else if (add.name.length > MAX_FIELD_NAME_CHARS) {
      problems.push({
        at: 'new-name',
        message: `A field name has at most ${MAX_FIELD_NAME_CHARS} characters.`,
      });
    } else if (CONTROL_CHARS.test(add.name)) {
      problems.push({ at: 'new-name', message: 'A field name cannot hold line breaks or tabs.' });
    } else if (existing.includes(add.name)) {
      problems.push({
        at: 'new-name',
        message: `There is already a field named "${add.name}". Change it in its own box above.`,
      });
    }
    if (add.value === '') problems.push({ at: 'new-value', message: 'Give the new field a value.' });
    else if (add.value.length > MAX_INPUT_CHARS) {
      problems.push({ at: 'new-value', message: `At most ${MAX_INPUT_CHARS} characters.` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  let text: string;
  if (base.kind === 'string') {
    text = changes.replace.get('value') ?? base.text;
  } else {
    const entries: Array<[string, unknown]> = Object.entries(base.object).map(([key, old]) => {
      const typed = changes.replace.get(key);
      if (typed === undefined) return [key, old];
      return [key, typeof old === 'string' ? typed : asJsonOr(typed)];
    });
    if (add) entries.push([add.name, add.value]);
    // fromEntries defines own properties, so a field named "__proto__" stays a field.
    text = JSON.stringify(Object.fromEntries(entries));
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SECRET_BYTES) {
    const at: EditTarget = add ? 'new-value' : { field: [...changes.replace.keys()][0]! };
    return {
      ok: false,
      problems: [
        {
          at,
          message: `The new version would be ${bytes} bytes; Secrets Manager takes at most ${MAX_SECRET_BYTES}.`,
        },
      ],
    };
  }
  return { ok: true, text, fields: changedFieldNames(changes) };
}

function asJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A ClientRequestToken derived from the form and the secret, shaped like a UUID (Secrets
 * Manager wants 32 to 64 characters and suggests a UUID). The same form submitted twice gives
 * the same token, so AWS makes one version however often Slack or a person repeats it.
 */
export function editToken(formId: string, secretName: string): string {
  const h = createHash('sha256').update(`locksmith-edit\n${formId}\n${secretName}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Reads a secret's current version for the edit form: field names and shapes, no values kept. */
export async function readForEdit(
  session: PersonSession,
  name: string,
  options: ReadOptions,
): Promise<EditableSecret> {
  assertSecretName(name);
  const res = await getValue(session, name);
  const base = parseSecretBase(res.text, name);
  return { name: res.name, versionId: res.versionId, kind: base.kind, fields: editableFields(base, options) };
}

/**
 * Reads what the edit is based on and checks the change against it; writes nothing.
 * `expectedVersionId` is the version the person saw when the form opened: when the secret has
 * moved on since (someone else saved), the edit is refused rather than silently undoing theirs.
 * When AWSCURRENT is already the token's version, this is a repeat of a written submission:
 * the plan is rebuilt from the same base, so writing it again is a no-op in AWS.
 */
export async function prepareEdit(
  session: PersonSession,
  name: string,
  changes: FieldChanges | IndexedChanges,
  options: { token: string; expectedVersionId: string },
): Promise<EditPreparation> {
  assertSecretName(name);
  const current = await getValue(session, name);
  let baseText = current.text;
  let retried = false;
  if (current.versionId === options.token) {
    retried = true;
    baseText = (await getValue(session, name, options.expectedVersionId)).text;
  } else if (current.versionId !== options.expectedVersionId) {
    throw new UserError(
      'bad_command',
      `\`${current.name}\` was changed by someone else after this form opened (it is now at version \`${current.versionId.slice(0, 8)}\`). Nothing was saved. Close the form and run \`/secret edit\` again to edit the newest version.`,
    );
  }
  const base = parseSecretBase(baseText, current.name);
  const checked = mergeFields(base, 'byIndex' in changes ? resolveIndexedChanges(base, changes) : changes);
  if (!checked.ok) {
    const fieldNames = base.kind === 'json' ? Object.keys(base.object) : ['value'];
    return { ok: false, problems: checked.problems, fieldNames };
  }
  return {
    ok: true,
    plan: {
      name: current.name,
      text: checked.text,
      fields: checked.fields,
      previousVersionId: options.expectedVersionId,
      retried,
    },
  };
}

/** Writes a prepared edit as a new version (AWSCURRENT) and gives its version id. */
export async function commitEdit(session: PersonSession, plan: EditPlan, token: string): Promise<string> {
  try {
    const res = await session.clients.secretsManager.send(
      new PutSecretValueCommand({ SecretId: plan.name, SecretString: plan.text, ClientRequestToken: token }),
    );
    return res.VersionId ?? token;
  } catch (err) {
    throw writeError(err, session, plan.name, 'write');
  }
}

/**
 * Writes a new version of `name` with `changes` merged into version `expectedVersionId` (which
 * must still be AWSCURRENT), under the person's session; `token` makes a repeat harmless.
 * @returns the new version's id and the one it replaced.
 * @throws UserError when the change does not fit the secret, or AWS refuses it.
 */
export async function writeSecretFields(
  session: PersonSession,
  name: string,
  changes: FieldChanges,
  token: string,
  options: { expectedVersionId: string },
): Promise<{ versionId: string; previousVersionId: string; fields: string[] }> {
  const prepared = await prepareEdit(session, name, changes, { token, ...options });
  if (!prepared.ok) {
    throw new UserError('bad_command', prepared.problems.map((p) => p.message).join(' '));
  }
  const versionId = await commitEdit(session, prepared.plan, token);
  return { versionId, previousVersionId: prepared.plan.previousVersionId, fields: prepared.plan.fields };
}

/**
 * Moves AWSCURRENT from `newVersionId` back to `previousVersionId` (Secrets Manager then puts
 * AWSPREVIOUS on the undone version, so nothing is lost). Refuses when the secret has moved on
 * past the edit, since undoing then would throw away someone else's change.
 */
export async function undoVersion(
  session: PersonSession,
  name: string,
  versions: { previousVersionId: string; newVersionId: string },
): Promise<UndoResult> {
  assertSecretName(name);
  const current = await currentVersionOf(session, name);
  if (current === versions.previousVersionId) return 'already-undone';
  if (current !== versions.newVersionId) {
    throw new UserError(
      'bad_command',
      `\`${name}\` has changed again since your edit (it is now at version \`${(current ?? 'unknown').slice(0, 8)}\`), so Undo would throw that change away. Nothing was changed.`,
    );
  }
  try {
    await session.clients.secretsManager.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: versions.previousVersionId,
        RemoveFromVersionId: versions.newVersionId,
      }),
    );
  } catch (err) {
    // Two clicks at once: the first moved the label, so the second's RemoveFromVersionId no
    // longer holds it and AWS refuses. That click has nothing left to do.
    if ((err as { name?: string }).name === 'InvalidParameterException') {
      if ((await currentVersionOf(session, name)) === versions.previousVersionId) return 'already-undone';
    }
    throw writeError(err, session, name, 'undo');
  }
  return 'undone';
}

async function currentVersionOf(session: PersonSession, name: string): Promise<string | undefined> {
  let res: DescribeSecretCommandOutput;
  try {
    res = await session.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: name }));
  } catch (err) {
    throw writeError(err, session, name, 'undo');
  }
  const stages = res.VersionIdsToStages ?? {};
  return Object.keys(stages).find((id) => stages[id]?.includes('AWSCURRENT'));
}

async function getValue(
  session: PersonSession,
  name: string,
  versionId?: string,
): Promise<{ name: string; versionId: string; text: string }> {
  let res: GetSecretValueCommandOutput;
  try {
    res = await session.clients.secretsManager.send(
      // AWSCURRENT is the default, but named: moto keeps serving the last written version
      // after UpdateSecretVersionStage unless the stage is asked for (AWS does not).
      new GetSecretValueCommand({
        SecretId: name,
        ...(versionId ? { VersionId: versionId } : { VersionStage: 'AWSCURRENT' }),
      }),
    );
  } catch (err) {
    throw writeError(err, session, name, 'read');
  }
  assertReadIsTyped(name, res);
  if (res.SecretString === undefined) {
    throw new UserError(
      'binary_secret',
      `\`${name}\` holds a binary value, which locksmith cannot edit. Change it with the AWS CLI.`,
    );
  }
  if (!res.VersionId) throw new Error('GetSecretValue returned no VersionId');
  return { name: res.Name ?? name, versionId: res.VersionId, text: res.SecretString };
}

function writeError(
  err: unknown,
  session: PersonSession,
  name: string,
  verb: 'read' | 'write' | 'undo',
): Error {
  const role = `\`${session.role.name}\``;
  const errName = (err as { name?: string } | undefined)?.name;
  if (errName === 'ResourceExistsException') {
    return new UserError(
      'bad_command',
      'This form was already saved with other values, and one form saves one version. Nothing more was written; run `/secret edit` again for another change.',
      { cause: err },
    );
  }
  if (errName === 'InvalidRequestException') {
    return new UserError(
      'bad_command',
      `Secrets Manager refused to change \`${name}\` right now (is it scheduled for deletion?). Nothing was changed.`,
      { cause: err },
    );
  }
  const needs =
    verb === 'read'
      ? 'secretsmanager:GetSecretValue'
      : verb === 'write'
        ? 'secretsmanager:PutSecretValue'
        : 'secretsmanager:DescribeSecret and secretsmanager:UpdateSecretVersionStage';
  return awsUserError(err, {
    service: 'AWS Secrets Manager',
    notFound: `No secret named \`${name}\` was found (looked up as role ${role}).`,
    denied: `Your role ${role} is not allowed to ${verb === 'read' ? 'read' : 'change'} \`${name}\`: IAM denied it (it needs ${needs}). Nothing was changed. Use \`--role\` with a role that may, or ask for the role's policy to be extended.`,
    throttled:
      'AWS Secrets Manager is throttling requests right now. Nothing was changed; try again in a minute.',
    // A write that timed out may still have been applied: say so rather than "nothing changed".
    unavailable: (how) =>
      verb === 'read'
        ? `AWS Secrets Manager ${how}. Nothing was changed; try again in a minute.`
        : `AWS Secrets Manager ${how}, so the change may or may not have been made. Check \`${name}\` with \`/secret get\` in a minute.`,
  });
}
