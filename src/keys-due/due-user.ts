/**
 * "Open" on a line of the keys-due report: one IAM user's keys read live (under the clicker's
 * role), the rotation of that user in progress in the same account, and where the key lives as
 * remembered from earlier rotations. Data only; keys-due/slack renders it.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Clock } from '../core/clock.js';
import { UserError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { inspectKeys } from '../rotation/core/key-steps.js';
import type { KeyFact } from '../rotation/core/key-facts.js';
import { getKeyHome, type KeyHome } from '../rotation/core/key-homes.js';
import {
  FINAL_STATES,
  type RoleRef,
  ROTATION_STATES,
  type Rotation,
  type RotationConfig,
  type RotationState,
} from '../rotation/core/rotation.js';

const ACTIVE_STATES = ROTATION_STATES.filter((s) => !FINAL_STATES.has(s));

export interface DueUserRead {
  keys: KeyFact[];
  /** The rotation of this user in this account that is not final, if any. */
  running?: { id: string; state: RotationState; requestedBy: string };
  home?: KeyHome;
  /** When the keys were read (epoch ms). */
  readAt: number;
}

/** Reads `userName`'s keys with `iam`; an IAM refusal becomes the person's access_denied. */
export async function readDueUser(input: {
  iam: IAMClient;
  store: Pick<Store, 'get' | 'query'>;
  clock: Clock;
  role: RoleRef;
  userName: string;
  config: RotationConfig;
}): Promise<DueUserRead> {
  const { iam, store, clock, role, userName, config } = input;
  const now = clock.now();
  let keys;
  try {
    keys = await inspectKeys(iam, userName, { now, config });
  } catch (err) {
    throw new UserError('access_denied', (err as Error).message, { cause: err });
  }
  const account = role.arn.split(':')[4];
  const active = await store.query<Rotation>({ kind: 'rotation', states: ACTIVE_STATES });
  const running = active.find(
    (r) =>
      r.data.userName.toLowerCase() === userName.toLowerCase() && r.data.role.arn.split(':')[4] === account,
  );
  const home = await getKeyHome(store, account ?? '', userName);
  return {
    keys,
    readAt: now,
    ...(running
      ? {
          running: { id: running.id, state: running.data.state, requestedBy: running.data.requester.slackId },
        }
      : {}),
    ...(home ? { home } : {}),
  };
}
