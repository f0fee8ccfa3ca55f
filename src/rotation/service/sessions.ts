/**
 * Under whose session a rotation's AWS calls run. Clicks run under the clicker's own session
 * (they must be the requester); work nobody clicked for (polls, steps an approver unlocked) runs
 * under `rotation.background_role` (default: the rotation's own role) with the requester's
 * SourceIdentity, so CloudTrail still names them, once the requester is checked to be allowed to
 * act under the rotation's role. A guarded place gets a session scoped to it.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Deps } from '../../deps.js';
import { isUserError, UserError } from '../../core/errors.js';
import type { Person } from '../../identity/access.js';
import { accountOf, parameterArn, partitionOf } from '../../aws/session-policy.js';
import type { PersonSession } from '../../identity/sessions.js';
import { parameterNameOf } from '../core/locate.js';
import type { RoleRef, SecretPlace } from '../core/rotation.js';
import type { RequesterCheck, RotationClients } from '../core/runner.js';
import type { Rotation } from '../core/workflow/index.js';
import type { RotationSection } from './config.js';

export type SessionDeps = Pick<Deps, 'callers' | 'sessions' | 'config'>;

export interface RotationSessions {
  /**
   * Whether the rotation's requester may still act under its role, by the policy file and what
   * Slack says of them now (the same rules as a command: caller.ts, access.ts), and the role
   * still being the same IAM role. Throws only when it cannot tell (Slack did not answer).
   */
  requesterMayAct(rotation: Rotation, fresh: boolean): Promise<RequesterCheck & { person?: Person }>;
  /** The background session: see the module comment. */
  backgroundSession(rotation: Rotation): Promise<PersonSession>;
  /**
   * The clients for one guarded place: `person`'s session of the rotation's own role, scoped by
   * its session policy to that one secret or parameter with an approved edit's actions (the
   * ordinary session denies it; identity/session-policy.ts). `clients` (ordinary) finds the ARN
   * of a secret that has none recorded (DescribeSecret, no value read).
   */
  placeClients(
    person: Person,
    role: RoleRef,
    clients: RotationClients,
    place: SecretPlace,
  ): Promise<RotationClients>;
  /** The requester's clients for a guarded place, for work nobody clicked for (an approved create). */
  backgroundPlaceClients(rotation: Rotation, place: SecretPlace): Promise<RotationClients>;
}

export function createRotationSessions(deps: SessionDeps, section: RotationSection): RotationSessions {
  const { callers, sessions } = deps;

  async function requesterMayAct(
    rotation: Rotation,
    fresh: boolean,
  ): Promise<RequesterCheck & { person?: Person }> {
    const { slackId, teamId } = rotation.requester;
    try {
      const { person, role } = await callers.authorize(slackId, teamId, rotation.role.name, { fresh });
      if (role.arn !== rotation.role.arn) {
        return {
          ok: false,
          code: 'role_changed',
          reason: `The role \`${rotation.role.name}\` now names another IAM role in locksmith's config (${role.arn}), not the one this rotation was started under.`,
        };
      }
      return { ok: true, person };
    } catch (err) {
      if (!isUserError(err)) throw err;
      return { ok: false, code: err.code, reason: requesterRefusal(err.code, slackId, rotation.role.name) };
    }
  }

  async function backgroundSession(rotation: Rotation): Promise<PersonSession> {
    const roleName = section.background_role ?? rotation.role.name;
    const arn = section.background_role ? deps.config.roles[roleName] : rotation.role.arn;
    if (!arn) throw new UserError('unknown_role', `The role \`${roleName}\` is not configured any more.`);
    const check = await requesterMayAct(rotation, false);
    if (!check.ok || !check.person) {
      throw new UserError(
        'not_mapped',
        `${check.ok ? '' : check.reason} locksmith does not act in <@${rotation.requester.slackId}>'s name.`.trim(),
      );
    }
    return sessions.sessionFor(check.person, { name: roleName, arn });
  }

  async function placeClients(
    person: Person,
    role: RoleRef,
    clients: RotationClients,
    place: SecretPlace,
  ): Promise<RotationClients> {
    const parameter = parameterNameOf(place.name);
    let arn = place.arn;
    if (parameter !== undefined) {
      const region = await clients.ssm.config.region();
      arn = parameterArn(partitionOf(role.arn), region, accountOf(role.arn), parameter);
    } else if (!arn) {
      arn = (await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: place.name }))).ARN;
      if (!arn) throw new Error(`DescribeSecret returned no ARN for ${place.name}`);
    }
    return (await sessions.sessionFor(person, role, { secretArn: arn, access: 'edit' })).clients;
  }

  async function backgroundPlaceClients(rotation: Rotation, place: SecretPlace): Promise<RotationClients> {
    const check = await requesterMayAct(rotation, false);
    if (!check.ok || !check.person) {
      throw new UserError('not_mapped', `locksmith does not act in <@${rotation.requester.slackId}>'s name.`);
    }
    const ordinary = await sessions.sessionFor(check.person, rotation.role);
    return placeClients(check.person, rotation.role, ordinary.clients, place);
  }

  return { requesterMayAct, backgroundSession, placeClients, backgroundPlaceClients };
}

/** A clicker's role must still be the IAM role the rotation runs under (config may have changed). */
export function assertSameRole(role: { name: string; arn: string }, rotation: Rotation): void {
  if (role.arn !== rotation.role.arn) {
    throw new UserError(
      'role_not_allowed',
      `The role \`${role.name}\` now names another IAM role (${role.arn}) than this rotation's (${rotation.role.arn}), so locksmith will not act on it under that role.`,
    );
  }
}

/** Why the requester may no longer act, in the third person, for the status, the approvers and the audit. */
function requesterRefusal(code: string, slackId: string, roleName: string): string {
  const who = `<@${slackId}>`;
  switch (code) {
    case 'deactivated':
      return `${who}'s Slack account is deactivated.`;
    case 'guest':
      return `${who} is now a guest (or bot) account in Slack.`;
    case 'foreign_user':
      return `Slack says ${who} now belongs to another workspace.`;
    case 'email_unconfirmed':
      return `${who} is in the access policy by email, and Slack does not confirm that email (any more).`;
    case 'not_mapped':
      return `${who} is no longer in locksmith's access policy (or Slack no longer knows the account).`;
    case 'role_not_allowed':
      return `${who} may no longer use the role \`${roleName}\`.`;
    case 'unknown_role':
      return `The role \`${roleName}\` is no longer in locksmith's config.`;
    default:
      return `${who} may no longer act under the role \`${roleName}\` (${code}).`;
  }
}
