/**
 * The runner's side of the store: rotation records saved with a compare-and-set on their
 * version, the active rotation of a user, the record of where a user's key lives (read before a
 * locate, updated when a rotation is done), and the steps a crashed process left in flight.
 */
import type { Clock } from '../../core/clock.js';
import { ConflictError, type Store, type StoredRecord } from '../../store/store.js';
import { accountOfArn, getKeyHome, homeAfterRotation, updateKeyHome } from './key-homes.js';
import type { RotationLogger } from './runner-api.js';
import { errName, messageOf, type StepContext } from './step-context.js';
import { dueAtOf, FINAL_STATES, type RoleRef, ROTATION_STATES, type Rotation } from './workflow/index.js';

export const KIND = 'rotation' as const;

const ACTIVE_STATES = ROTATION_STATES.filter((s) => !FINAL_STATES.has(s));

export interface RotationRecords {
  get(rotationId: string): Promise<StoredRecord<Rotation> | undefined>;
  /** Creates the record; undefined when one with this id was made meanwhile. */
  create(id: string, rotation: Rotation): Promise<StoredRecord<Rotation> | undefined>;
  /** Saves `next` over `current` if nobody changed it meanwhile; undefined if someone did. */
  save(current: StoredRecord<Rotation>, next: Rotation): Promise<StoredRecord<Rotation> | undefined>;
  /** What the record of where the key lives offers a locate. */
  rememberedFor(rotation: Rotation): Promise<StepContext['remembered']>;
  /** The rotation in progress for this user in this account, whichever role rotates it. */
  findActive(role: RoleRef, userName: string): Promise<StoredRecord<Rotation> | undefined>;
  /** Records whose dueAt has come, oldest first. */
  due(limit: number): Promise<Array<StoredRecord<Rotation>>>;
  /** Active records whose step in flight belongs to a process that is certainly gone. */
  orphaned(isGone: (holder: string) => boolean): Promise<Array<StoredRecord<Rotation>>>;
}

export function rotationRecords(store: Store, clock: Clock, logger: RotationLogger): RotationRecords {
  const activeRecords = (): Promise<Array<StoredRecord<Rotation>>> =>
    store.query<Rotation>({ kind: KIND, states: [...ACTIVE_STATES] });

  /** A finished rotation updates the record of where the user's key lives (best effort). */
  async function rememberHome(rotation: Rotation): Promise<void> {
    if (!rotation.newKeyCreatedHere) return;
    try {
      const now = clock.now();
      await updateKeyHome(
        store,
        accountOfArn(rotation.role.arn),
        rotation.userName,
        (home) => homeAfterRotation(home, rotation, now),
        now,
      );
    } catch (err) {
      logger.warn(
        { rotationId: rotation.id, err: { name: errName(err), message: messageOf(err) } },
        'record of where the key lives not updated',
      );
    }
  }

  return {
    get: (rotationId) => store.get<Rotation>(KIND, rotationId),

    async create(id, rotation) {
      const dueAt = dueAtOf(rotation);
      try {
        return await store.create<Rotation>(
          {
            kind: KIND,
            id,
            state: rotation.state,
            ...(dueAt !== undefined ? { dueAt } : {}),
            owner: rotation.requester.slackId,
            data: rotation,
          },
          clock.now(),
        );
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        return undefined;
      }
    },

    async save(current, next) {
      const dueAt = dueAtOf(next);
      const saved = await store.update<Rotation>(
        KIND,
        current.id,
        current.version,
        {
          state: next.state,
          ...(dueAt !== undefined ? { dueAt } : {}),
          owner: next.requester.slackId,
          data: next,
        },
        clock.now(),
      );
      if (saved && next.state === 'done' && current.data.state !== 'done') await rememberHome(next);
      return saved;
    },

    async rememberedFor(rotation) {
      const home = await getKeyHome(store, accountOfArn(rotation.role.arn), rotation.userName);
      if (!home) return undefined;
      return {
        places: home.places.map((p) => ({ name: p.name, ...(p.layout ? { layout: p.layout } : {}) })),
        home: {
          thirdParty: home.thirdParty.map((p) => ({ name: p.name, ...(p.link ? { link: p.link } : {}) })),
          ...(home.note ? { note: home.note } : {}),
        },
      };
    },

    async findActive(role, userName) {
      const active = await activeRecords();
      // A user is one per account, whichever role rotates it, and IAM user names are unique
      // case-insensitively: `svc-deploy` and `SVC-Deploy` are one user.
      const wanted = userName.toLowerCase();
      const account = accountOfArn(role.arn);
      return active.find(
        (r) => accountOfArn(r.data.role.arn) === account && r.data.userName.toLowerCase() === wanted,
      );
    },

    due: (limit) => store.query<Rotation>({ kind: KIND, dueBy: clock.now(), limit }),

    async orphaned(isGone) {
      const now = clock.now();
      return (await activeRecords()).filter((record) => {
        const intent = record.data.intent;
        return !!intent?.owner && intent.leaseUntil > now && !record.data.parked && isGone(intent.owner);
      });
    },
  };
}
