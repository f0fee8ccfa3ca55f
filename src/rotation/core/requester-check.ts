/**
 * Work nobody clicked for calls AWS in the requester's name: just before its first AWS call it
 * checks that the requester may still act under the rotation's role. A refusal parks the
 * rotation; a check that could not be made fails the step, to be tried again later.
 */
import type { RotationLogger } from './runner-api.js';
import { errName } from './step-context.js';
import type { Rotation, RotationEvent } from './workflow/index.js';

/** Whether a rotation's requester may still act under its role, and if not, why (a sentence). */
export type RequesterCheck = { ok: true } | { ok: false; code: string; reason: string };

/** The event that replaces work the requester may no longer have done for them, or undefined. */
export async function recheckRequester(
  authorize: ((rotation: Rotation) => Promise<RequesterCheck>) | undefined,
  logger: RotationLogger,
  rotation: Rotation,
): Promise<RotationEvent | undefined> {
  if (!authorize) return undefined;
  let check: RequesterCheck;
  try {
    check = await authorize(rotation);
  } catch (err) {
    logger.warn(
      { rotationId: rotation.id, err: { name: errName(err), message: (err as Error)?.message } },
      'requester not re-checked',
    );
    return {
      type: 'step-failed',
      message: `locksmith could not check that <@${rotation.requester.slackId}> may still use the role ${rotation.role.name} (Slack did not answer), so it did nothing; it tries again later.`,
    };
  }
  if (check.ok) return undefined;
  logger.warn(
    { rotationId: rotation.id, requester: rotation.requester.slackId, code: check.code },
    'rotation parked: the requester may no longer act',
  );
  return { type: 'park', code: check.code, reason: check.reason };
}
