/**
 * Which IAM users /rotate-key acts on: the name rule IAM applies, and `rotation.ignore_users`.
 * Shared by the rotation's start, the user picker and the keys-due report (keys-due/).
 */
import { matchesGlob } from '../../approvals/approval.js';

/** IAM user names: up to 64 of letters, digits and `+=,.@_-`. */
export const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** Whether `userName` matches one of `rotation.ignore_users`' globs (`*` any run of characters). */
export function isIgnoredUser(userName: string, globs: readonly string[] | undefined): boolean {
  return (globs ?? []).some((glob) => matchesGlob(userName, glob));
}
