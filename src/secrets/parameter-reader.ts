/**
 * Parameter Store values for `/secret get`, `/secret list` and `/totp`: a name with the prefix
 * `ssm:` (`ssm:/team/db/password`) is a Systems Manager parameter, read under the person's own
 * role like a secret (GetParameter with decryption; KMS decides too), and shown by the same
 * rules: a reveal only the asker sees, seeds never shown, audited under the `ssm:` name, guarded
 * by the same globs. Listing uses DescribeParameters, which reads no value.
 */
import {
  GetParameterCommand,
  type GetParameterCommandOutput,
  paginateDescribeParameters,
} from '@aws-sdk/client-ssm';
import { awsUserError } from '../aws/aws-errors.js';
import { PARAMETER_PREFIX, parameterNameOf } from '../aws/secret-names.js';
import { UserError } from '../core/errors.js';
import type { PersonSession } from '../identity/sessions.js';

// The `ssm:` naming rule (isParameterName, parameterNameOf) is in aws/secret-names.ts: trail/ uses it too.

/** A parameter's current value, decrypted, under the person's session. */
export async function getParameterValue(
  session: PersonSession,
  name: string,
): Promise<{ name: string; version?: string; changedAt?: Date; text: string }> {
  const own = parameterNameOf(name);
  let res: GetParameterCommandOutput;
  try {
    res = await session.clients.ssm.send(new GetParameterCommand({ Name: own, WithDecryption: true }));
  } catch (err) {
    throw parameterError(err, session, name, 'read');
  }
  const p = res.Parameter;
  if (!p || p.Value === undefined) throw parameterError(undefined, session, name, 'read');
  // What is guarded, shown and audited is the name Parameter Store returned: it must be the
  // one typed (issue 14, item 1).
  if (p.Name !== undefined && p.Name !== own) {
    throw new UserError(
      'bad_command',
      `You asked for \`${name}\`, and Parameter Store answered with \`${PARAMETER_PREFIX}${p.Name}\`. Ask for it by its exact name.`,
    );
  }
  return {
    // The name as Parameter Store returns it is the one shown, guarded and audited.
    name: `${PARAMETER_PREFIX}${p.Name ?? own}`,
    ...(p.Version !== undefined ? { version: String(p.Version) } : {}),
    ...(p.LastModifiedDate ? { changedAt: p.LastModifiedDate } : {}),
    text: p.Value,
  };
}

export interface ParameterSummary {
  name: string;
  description?: string;
  changedAt?: Date;
}

/** Parameters whose name starts with `prefix` (after `ssm:`), names only; at most `cap`. */
export async function listParameters(
  session: PersonSession,
  prefix: string,
  cap: number,
): Promise<{ items: ParameterSummary[]; capped: boolean }> {
  const own = prefix.slice(PARAMETER_PREFIX.length);
  if (own) parameterNameOf(prefix);
  const items: ParameterSummary[] = [];
  let capped = false;
  const pages = paginateDescribeParameters(
    { client: session.clients.ssm },
    {
      MaxResults: 50,
      ...(own ? { ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: [own] }] } : {}),
    },
  );
  try {
    for await (const page of pages) {
      for (const p of page.Parameters ?? []) {
        if (!p.Name) continue;
        items.push({
          name: `${PARAMETER_PREFIX}${p.Name}`,
          ...(p.Description ? { description: p.Description } : {}),
          ...(p.LastModifiedDate ? { changedAt: p.LastModifiedDate } : {}),
        });
      }
      if (items.length >= cap && page.NextToken) {
        capped = true;
        break;
      }
    }
  } catch (err) {
    // Only the paginator's requests throw here: the loop's body makes no call.
    throw parameterError(err, session, prefix || PARAMETER_PREFIX, 'list');
  }
  items.sort((a, b) => a.name.localeCompare(b.name));
  return { items, capped };
}

function parameterError(err: unknown, session: PersonSession, name: string, verb: 'read' | 'list'): Error {
  const role = `\`${session.role.name}\``;
  const notFound = `No Parameter Store parameter named \`${name}\` was found (looked up as role ${role}).`;
  // GetParameter answers a missing name with ParameterNotFound (a 400), or no parameter at all.
  if (err === undefined || (err as { name?: string }).name === 'ParameterNotFound')
    return new UserError('secret_not_found', notFound, { cause: err });
  return awsUserError(err, {
    service: 'AWS Systems Manager',
    notFound,
    denied:
      verb === 'read'
        ? `Your role ${role} is not allowed to read \`${name}\`: IAM (or the parameter's KMS key) denied it. If you should have access, ask for the role's policy to be extended, or use \`--role\` with another of your roles.`
        : `Your role ${role} is not allowed to list Parameter Store parameters: IAM denied it.`,
  });
}
