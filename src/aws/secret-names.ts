/**
 * What a typed secret id can stand for (issue 14, item 1: guards decide on canonical names).
 *
 * Secrets Manager takes a secret's name, its full ARN (the name plus `-` and six random
 * characters) or a partial ARN (without them) wherever a SecretId goes. A guard written as
 * `prod/*` must therefore see `prod/db` in `arn:aws:secretsmanager:…:secret:prod/db-AbCdEf` before
 * anything is asked of AWS; and once AWS has answered, the Name and ARN it returned are what is
 * guarded, shown and audited, and they must be what the person asked for.
 */

import { UserError } from '../core/errors.js';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$/;
const RANDOM_SUFFIX = /^(.+)-[A-Za-z0-9]{6}$/;

/**
 * The names a typed id may denote, for a check made before the read: the text itself, and for
 * an ARN its name part with and without the random suffix (a full ARN always has one; a partial
 * ARN has none, and its name may still end in six characters after a hyphen). Plain names are
 * not trimmed of such an ending: `prod/db-backup` is its own name, and the check after the read
 * settles what AWS resolved it to.
 */
export function secretNameCandidates(typed: string): string[] {
  const arn = SECRET_ARN.exec(typed);
  if (!arn) return [typed];
  const name = arn[1]!;
  const stripped = RANDOM_SUFFIX.exec(name)?.[1];
  return stripped ? [typed, name, stripped] : [typed, name];
}

/**
 * True when what AWS returned is what was typed: the name itself, the full ARN, or a partial
 * ARN (the ARN without its `-XXXXXX` suffix). Anything else (e.g. a name that AWS took for a
 * partial ARN of another secret) is a different secret from the one the person named.
 */
export function readMatchesTyped(typed: string, read: { name: string; arn?: string }): boolean {
  if (typed === read.name) return true;
  if (!read.arn) return false;
  if (typed === read.arn) return true;
  return read.arn.startsWith(`${typed}-`) && read.arn.length === typed.length + 7;
}

/** `ssm:NAME` names a Parameter Store parameter wherever a secret's name is typed. */
export const PARAMETER_PREFIX = 'ssm:';

/** Parameter Store's rule for names (letters, digits, `. - _ /`, up to 2048), after `ssm:`. */
const PARAMETER_NAME = /^[A-Za-z0-9_./-]{1,2048}$/;

export function isParameterName(name: string): boolean {
  return name.startsWith(PARAMETER_PREFIX);
}

/** The parameter's own name, after checking it could exist; throws bad_command otherwise. */
export function parameterNameOf(name: string): string {
  const own = name.slice(PARAMETER_PREFIX.length);
  if (!PARAMETER_NAME.test(own)) {
    throw new UserError(
      'bad_command',
      'That is not a valid Parameter Store name: after `ssm:` names use letters, digits and . _ - / (for example `ssm:/team/db/password`).',
    );
  }
  return own;
}
