/**
 * The AWS side of replacing an SES SMTP user (docs/rotation.md, "SES SMTP users"). Its SMTP
 * password is derived from its access key, so the runbook makes a new user `<old>.YYYYMMDD`
 * with the same groups and policies instead of rotating the key in place, then deletes the old
 * user. Every step re-reads IAM and repeats safely: CreateUser with a fixed name answers
 * EntityAlreadyExists the second time, adding to a group and attaching or putting a policy
 * are idempotent, and a key is only made for a new user that has none.
 */
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  type Tag,
} from '@aws-sdk/client-iam';
import { matchesGlob } from '../approvals/approval.js';
import { classifyAwsError } from '../aws/aws-errors.js';

/** IAM user names are at most 64 characters; the suffix is 9. */
export const MAX_USER_NAME = 64;

/** `<old>.YYYYMMDD` (UTC): the name the runbook gives a replacement user. */
export function replacementName(oldName: string, nowMs: number): string {
  const day = new Date(nowMs).toISOString().slice(0, 10).replace(/-/g, '');
  // A user replaced before keeps its base name: `mail.20250101` becomes `mail.20261123`.
  const base = oldName.replace(/\.\d{8}$/, '');
  return `${base}.${day}`;
}

export interface SmtpTagRule {
  key: string;
  value: string;
}

/** Is `userName` an SES SMTP user by name; the tag rule needs IAM (see `hasSmtpTag`). */
export function matchesSmtpName(userName: string, globs: readonly string[]): boolean {
  // `mail.20261123`, made by an earlier replacement, is an SMTP user when `mail` is.
  const base = userName.replace(/\.\d{8}$/, '');
  return globs.some((g) => matchesGlob(userName, g) || matchesGlob(base, g));
}

export function tagsMatch(tags: readonly Tag[], rule: SmtpTagRule): boolean {
  return tags.some((t) => t.Key === rule.key && t.Value === rule.value);
}

function errName(err: unknown): string {
  return (err as { name?: string } | undefined)?.name ?? '';
}

/** IAM refused: by the shared rule (aws/aws-errors.ts), any 403 is denied, whatever its name. */
export function isAccessDenied(err: unknown): boolean {
  return classifyAwsError(err) === 'access_denied';
}

export function isNoSuchEntity(err: unknown): boolean {
  return classifyAwsError(err) === 'not_found';
}

export async function listTags(iam: IAMClient, userName: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const res = await iam.send(
      new ListUserTagsCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }),
    );
    tags.push(...(res.Tags ?? []));
    marker = res.IsTruncated ? res.Marker : undefined;
  } while (marker);
  return tags;
}

/** True when the user exists; false on NoSuchEntity. */
export async function userExists(iam: IAMClient, userName: string): Promise<boolean> {
  try {
    await iam.send(new GetUserCommand({ UserName: userName }));
    return true;
  } catch (err) {
    if (isNoSuchEntity(err)) return false;
    throw err;
  }
}

export interface UserSetup {
  path?: string;
  groups: string[];
  attached: string[];
  inline: { name: string; document: string }[];
  tags: Tag[];
}

async function pages<T>(fetch: (marker?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...page.items);
    marker = page.next;
  } while (marker);
  return out;
}

/** The groups, managed and inline policies and tags of a user, as the replacement copies them. */
export async function readSetup(iam: IAMClient, userName: string): Promise<UserSetup> {
  const user = await iam.send(new GetUserCommand({ UserName: userName }));
  const m = (marker?: string) => (marker ? { Marker: marker } : {});
  const groups = await pages(async (marker) => {
    const r = await iam.send(new ListGroupsForUserCommand({ UserName: userName, ...m(marker) }));
    return { items: (r.Groups ?? []).map((g) => g.GroupName!), ...(r.IsTruncated ? { next: r.Marker } : {}) };
  });
  const attached = await pages(async (marker) => {
    const r = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName, ...m(marker) }));
    return {
      items: (r.AttachedPolicies ?? []).map((p) => p.PolicyArn!),
      ...(r.IsTruncated ? { next: r.Marker } : {}),
    };
  });
  const inlineNames = await pages(async (marker) => {
    const r = await iam.send(new ListUserPoliciesCommand({ UserName: userName, ...m(marker) }));
    return { items: r.PolicyNames ?? [], ...(r.IsTruncated ? { next: r.Marker } : {}) };
  });
  const inline: UserSetup['inline'] = [];
  for (const name of inlineNames) {
    const r = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }));
    // IAM returns the document URL-encoded (RFC 3986).
    inline.push({ name, document: decodeURIComponent(r.PolicyDocument ?? '') });
  }
  const path = user.User?.Path;
  return { ...(path ? { path } : {}), groups, attached, inline, tags: await listTags(iam, userName) };
}

export interface CreatedReplacement {
  /** False when the user already existed (a second click, or a retry after a failure). */
  createdUser: boolean;
  /** The new key pair; undefined when the new user already had a key (shown once, before). */
  key?: { accessKeyId: string; secretAccessKey: string };
  setup: UserSetup;
}

/**
 * Makes `newName` a copy of `oldName` (path, tags, groups, managed and inline policies) and
 * gives it an access key if it has none. Safe to repeat.
 */
export async function createReplacement(
  iam: IAMClient,
  oldName: string,
  newName: string,
): Promise<CreatedReplacement> {
  const setup = await readSetup(iam, oldName);
  let createdUser = true;
  try {
    await iam.send(
      new CreateUserCommand({
        UserName: newName,
        ...(setup.path ? { Path: setup.path } : {}),
        ...(setup.tags.length ? { Tags: setup.tags } : {}),
      }),
    );
  } catch (err) {
    if (!/EntityAlreadyExists/.test(errName(err))) throw err;
    createdUser = false;
  }
  for (const group of setup.groups) {
    await iam.send(new AddUserToGroupCommand({ UserName: newName, GroupName: group }));
  }
  for (const arn of setup.attached) {
    await iam.send(new AttachUserPolicyCommand({ UserName: newName, PolicyArn: arn }));
  }
  for (const p of setup.inline) {
    await iam.send(
      new PutUserPolicyCommand({ UserName: newName, PolicyName: p.name, PolicyDocument: p.document }),
    );
  }
  const keys = await iam.send(new ListAccessKeysCommand({ UserName: newName }));
  if ((keys.AccessKeyMetadata ?? []).length > 0) return { createdUser, setup };
  const made = await iam.send(new CreateAccessKeyCommand({ UserName: newName }));
  const key = made.AccessKey;
  if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { createdUser, key: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }, setup };
}

export async function accessKeyIds(iam: IAMClient, userName: string): Promise<string[]> {
  const res = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return (res.AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!);
}

/**
 * Deletes a user the way IAM requires for a programmatic delete: detach managed policies,
 * leave groups, delete inline policies, delete access keys and the console password, then
 * DeleteUser. MFA devices, signing certificates, SSH keys and service-specific credentials
 * are not removed: an SMTP user should have none, and DeleteUser then fails with
 * DeleteConflict, which is reported. A user already gone counts as deleted.
 */
export async function deleteUserCompletely(iam: IAMClient, userName: string): Promise<boolean> {
  if (!(await userExists(iam, userName))) return false;
  const setup = await readSetup(iam, userName);
  for (const arn of setup.attached) {
    await iam.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: arn }));
  }
  for (const group of setup.groups) {
    await iam.send(new RemoveUserFromGroupCommand({ UserName: userName, GroupName: group }));
  }
  for (const p of setup.inline) {
    await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: p.name }));
  }
  for (const id of await accessKeyIds(iam, userName)) {
    await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: id }));
  }
  try {
    await iam.send(new DeleteLoginProfileCommand({ UserName: userName }));
  } catch (err) {
    if (!isNoSuchEntity(err)) throw err;
  }
  await iam.send(new DeleteUserCommand({ UserName: userName }));
  return true;
}
