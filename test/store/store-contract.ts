/**
 * The contract every {@link Store} backend must pass, unchanged: SQLite now, DynamoDB later.
 * A backend's test file calls {@link runStoreContract} with a function that opens a fresh,
 * empty store; the suite asserts only what a caller can observe through the interface.
 *
 * The compare-and-set tests matter most: the rotation runner and the approval buttons rely on
 * "exactly one writer wins" to make double clicks, Slack retries and second replicas harmless.
 */

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  getKeyHome,
  listKeyHomes,
  parseThirdPartyLines,
  updateKeyHome,
} from '../../src/rotation/core/key-homes.js';
import { ConflictError, type NewRecord, type Store, type StoredRecord } from '../../src/store/index.js';

/** What a backend's test file hands the contract for each test. */
export interface StoreFixture {
  /** A freshly opened store with no records. */
  store: Store;
  /**
   * Opens another Store on the same data (same file, same table): a second replica, or the
   * same one after a restart. Without it, the two-instance and restart tests are skipped.
   */
  reopen?: () => Promise<Store>;
  /** Removes the data; called after every store the suite opened has been closed. */
  cleanup: () => Promise<void>;
}

/** Test-side view of a fixture: closes each store at most once, and all of them at the end. */
interface Harness {
  store: Store;
  reopen: (() => Promise<Store>) | undefined;
  close(store: Store): Promise<void>;
}

type Body = (h: Harness, t: TestContext) => Promise<void>;

/** Fixed clock values: the store must keep the caller's `now`, not read its own clock. */
const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const MINUTE = 60_000;

interface RotationData {
  user: string;
  account: string;
  places: { secret: string; keyField: string }[];
  history: { at: number; who: string; what: string }[];
  notes?: string;
}

function rotationData(user: string, extra: Partial<RotationData> = {}): RotationData {
  return {
    user,
    account: '123456789012',
    places: [{ secret: `ci/${user}`, keyField: 'AWS_ACCESS_KEY_ID' }],
    history: [{ at: T0, who: 'U0ALICE', what: 'started' }],
    ...extra,
  };
}

/** Unicode and nesting that a naive encoder (or a column of the wrong type) would damage. */
const AWKWARD_DATA = {
  names: ['Zoë Ångström', 'Łukasz Żółć', '山田太郎', 'محمد', 'שלום', 'Ωμέγα'],
  emoji: '🔑🔐 👩🏽‍💻 🏳️‍🌈',
  combining: 'e\u0301 vs é',
  zeroWidth: 'a\u200bb\u200dc',
  escapes: 'quote " backslash \\ newline \n tab \t',
  json: '{"not":"parsed"}',
  nested: { a: { b: { c: [1, [2, [3, { d: null }]]] } }, empty: {}, none: [] },
  numbers: { int: 42, negative: -7, float: 1.25, big: Number.MAX_SAFE_INTEGER, zero: 0 },
  flags: [true, false, null],
  emptyString: '',
};

/**
 * Defines the contract tests for one backend.
 *
 * @param name shown in the test names, e.g. "sqlite".
 * @param open opens a fresh, empty store for one test; called once per test.
 */
export function runStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  /** One test with its own store; every store it opened is closed and the data removed after. */
  const test = (title: string, body: Body): void => {
    it(title, async (t) => {
      const fixture = await open();
      const openStores = new Set<Store>([fixture.store]);
      const reopenFixture = fixture.reopen;
      const harness: Harness = {
        store: fixture.store,
        reopen:
          reopenFixture === undefined
            ? undefined
            : async () => {
                const store = await reopenFixture();
                openStores.add(store);
                return store;
              },
        close: async (store) => {
          if (openStores.delete(store)) await store.close();
        },
      };
      try {
        await body(harness, t);
      } finally {
        for (const store of openStores) await store.close();
        await fixture.cleanup();
      }
    });
  };

  /** Like {@link test}, skipped for backends whose fixture cannot open a second store. */
  const testWithReopen = (
    title: string,
    body: (h: Harness & { reopen: () => Promise<Store> }) => Promise<void>,
  ) =>
    test(title, async (h, t) => {
      const { reopen } = h;
      if (reopen === undefined) {
        t.skip('the fixture provides no reopen()');
        return;
      }
      await body({ ...h, reopen });
    });

  describe(`Store contract: ${name}`, () => {
    describe('create and get', () => {
      test('round-trips a record at version 1 with the caller’s timestamps', async ({ store }) => {
        const data = rotationData('ci-deployer');
        const created = await store.create(
          { kind: 'rotation', id: 'rot-1', state: 'inspect', dueAt: T0 + MINUTE, owner: 'U0ALICE', data },
          T0,
        );
        const expected: StoredRecord<RotationData> = {
          kind: 'rotation',
          id: 'rot-1',
          version: 1,
          state: 'inspect',
          dueAt: T0 + MINUTE,
          owner: 'U0ALICE',
          data,
          createdAt: T0,
          updatedAt: T0,
        };
        assert.deepEqual(created, expected);
        assert.deepEqual(await store.get<RotationData>('rotation', 'rot-1'), expected);
      });

      test('leaves dueAt and owner absent when not given', async ({ store }) => {
        await store.create({ kind: 'hide', id: 'h-1', state: 'pending', data: { channel: 'C1' } }, T0);
        const got = await store.get('hide', 'h-1');
        assert.deepEqual(got, {
          kind: 'hide',
          id: 'h-1',
          version: 1,
          state: 'pending',
          data: { channel: 'C1' },
          createdAt: T0,
          updatedAt: T0,
        });
        assert.equal(got !== undefined && 'dueAt' in got, false, 'no dueAt property');
        assert.equal(got !== undefined && 'owner' in got, false, 'no owner property');
      });

      test('get of an unknown id is undefined', async ({ store }) => {
        assert.equal(await store.get('rotation', 'nope'), undefined);
      });

      test('create with an existing id throws ConflictError and keeps the first record', async ({
        store,
      }) => {
        const first = await store.create(
          { kind: 'approval', id: 'a-1', state: 'pending', data: { n: 1 } },
          T0,
        );
        await assert.rejects(
          store.create({ kind: 'approval', id: 'a-1', state: 'approved', data: { n: 2 } }, T0 + MINUTE),
          ConflictError,
        );
        assert.deepEqual(await store.get('approval', 'a-1'), first);
      });

      test('two concurrent creates of one id: exactly one succeeds, the other gets ConflictError', async ({
        store,
      }) => {
        const results = await Promise.allSettled([
          store.create({ kind: 'grant', id: 'g-1', state: 'active', data: { by: 'first' } }, T0),
          store.create({ kind: 'grant', id: 'g-1', state: 'active', data: { by: 'second' } }, T0),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 1);
        assert.ok(lost[0]?.status === 'rejected' && lost[0].reason instanceof ConflictError);
        const stored = await store.get('grant', 'g-1');
        assert.deepEqual(stored, won[0]?.status === 'fulfilled' ? won[0].value : undefined);
      });

      test('the same id in two kinds is two separate records', async ({ store }) => {
        await store.create({ kind: 'rotation', id: 'shared', state: 'inspect', data: { k: 'rotation' } }, T0);
        await store.create({ kind: 'approval', id: 'shared', state: 'pending', data: { k: 'approval' } }, T0);
        assert.deepEqual((await store.get('rotation', 'shared'))?.data, { k: 'rotation' });
        assert.deepEqual((await store.get('approval', 'shared'))?.data, { k: 'approval' });
        assert.equal(await store.get('hide', 'shared'), undefined);

        assert.ok(await store.update('approval', 'shared', 1, { state: 'approved', data: { k: 'x' } }, T0));
        assert.equal((await store.get('rotation', 'shared'))?.version, 1, 'update stays in its kind');
        assert.equal(await store.delete('rotation', 'shared'), true);
        assert.equal((await store.get('approval', 'shared'))?.version, 2, 'delete stays in its kind');
      });

      test('records are copies: mutating input or output does not change the stored record', async ({
        store,
      }) => {
        const data = { list: [1, 2], inner: { v: 'a' } };
        const created = await store.create({ kind: 'edit', id: 'e-1', state: 'open', data }, T0);
        data.list.push(3);
        data.inner.v = 'changed input';
        created.data.inner.v = 'changed output';
        const got = await store.get<typeof data>('edit', 'e-1');
        assert.deepEqual(got?.data, { list: [1, 2], inner: { v: 'a' } });
        if (got) got.data.list.length = 0;
        assert.deepEqual((await store.get('edit', 'e-1'))?.data, { list: [1, 2], inner: { v: 'a' } });
      });
    });

    describe('update (compare-and-set)', () => {
      test('with the right version: bumps the version and returns the new record', async ({ store }) => {
        await store.create(
          {
            kind: 'rotation',
            id: 'rot-1',
            state: 'inspect',
            dueAt: T0,
            owner: 'U0ALICE',
            data: rotationData('u1'),
          },
          T0,
        );
        const newData = rotationData('u1', { notes: 'located 1 secret' });
        const v2 = await store.update(
          'rotation',
          'rot-1',
          1,
          { state: 'locate', dueAt: T0 + 5 * MINUTE, owner: 'U0BOB', data: newData },
          T0 + MINUTE,
        );
        const expected: StoredRecord<RotationData> = {
          kind: 'rotation',
          id: 'rot-1',
          version: 2,
          state: 'locate',
          dueAt: T0 + 5 * MINUTE,
          owner: 'U0BOB',
          data: newData,
          createdAt: T0,
          updatedAt: T0 + MINUTE,
        };
        assert.deepEqual(v2, expected);
        assert.deepEqual(await store.get('rotation', 'rot-1'), expected);

        const v3 = await store.update(
          'rotation',
          'rot-1',
          2,
          { state: 'create', data: newData },
          T0 + 2 * MINUTE,
        );
        assert.equal(v3?.version, 3);
        assert.equal(v3?.createdAt, T0);
        assert.equal(v3?.updatedAt, T0 + 2 * MINUTE);
      });

      test('replaces dueAt and owner: leaving them out clears them', async ({ store }) => {
        await store.create(
          { kind: 'hide', id: 'h-1', state: 'pending', dueAt: T0, owner: 'U0ALICE', data: {} },
          T0,
        );
        const updated = await store.update('hide', 'h-1', 1, { state: 'done', data: {} }, T0 + MINUTE);
        assert.ok(updated);
        assert.equal('dueAt' in updated, false);
        assert.equal('owner' in updated, false);
        const got = await store.get('hide', 'h-1');
        assert.ok(got);
        assert.equal('dueAt' in got, false);
        assert.equal('owner' in got, false);
        assert.deepEqual(await store.query({ kind: 'hide', dueBy: T0 + MINUTE }), []);
        assert.deepEqual(await store.query({ kind: 'hide', owner: 'U0ALICE' }), []);
      });

      test('with a stale version: returns undefined and changes nothing', async ({ store }) => {
        await store.create({ kind: 'approval', id: 'a-1', state: 'pending', data: { n: 0 } }, T0);
        const v2 = await store.update(
          'approval',
          'a-1',
          1,
          { state: 'approved', data: { n: 1 } },
          T0 + MINUTE,
        );
        assert.ok(v2);

        const stale = await store.update(
          'approval',
          'a-1',
          1,
          { state: 'rejected', data: { n: 99 } },
          T0 + 9 * MINUTE,
        );
        assert.equal(stale, undefined);
        const future = await store.update('approval', 'a-1', 7, { state: 'rejected', data: { n: 99 } }, T0);
        assert.equal(future, undefined);
        assert.deepEqual(await store.get('approval', 'a-1'), v2);
      });

      test('of a record that does not exist: returns undefined (never throws) and creates nothing', async ({
        store,
      }) => {
        assert.equal(await store.update('rotation', 'ghost', 1, { state: 'x', data: {} }, T0), undefined);
        assert.equal(await store.get('rotation', 'ghost'), undefined);
      });

      test('two concurrent updates from the same read: exactly one wins', async ({ store }) => {
        await store.create({ kind: 'approval', id: 'a-1', state: 'pending', data: { decidedBy: null } }, T0);
        const read = await store.get<{ decidedBy: string | null }>('approval', 'a-1');
        assert.ok(read);
        // Two approvers click at the same moment; both saw version 1.
        const [alice, bob] = await Promise.all([
          store.update(
            'approval',
            'a-1',
            read.version,
            { state: 'approved', data: { decidedBy: 'U0ALICE' } },
            T0 + 1,
          ),
          store.update(
            'approval',
            'a-1',
            read.version,
            { state: 'rejected', data: { decidedBy: 'U0BOB' } },
            T0 + 2,
          ),
        ]);
        const winners = [alice, bob].filter((r) => r !== undefined);
        assert.equal(winners.length, 1, 'exactly one compare-and-set succeeds');
        const stored = await store.get('approval', 'a-1');
        assert.deepEqual(stored, winners[0]);
        assert.equal(stored?.version, 2);
      });

      test('many concurrent updates from the same read: exactly one wins', async ({ store }) => {
        await store.create({ kind: 'rotation', id: 'r', state: 's0', data: { by: -1 } }, T0);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.update('rotation', 'r', 1, { state: `s${i}`, data: { by: i } }, T0),
          ),
        );
        const winners = results.filter((r) => r !== undefined);
        assert.equal(winners.length, 1);
        assert.deepEqual(await store.get('rotation', 'r'), winners[0]);
      });

      test('read-modify-write with retry loses no increments under concurrency', async ({ store }) => {
        await store.create({ kind: 'edit', id: 'counter', state: 'open', data: { count: 0 } }, T0);
        const workers = 4;
        const perWorker = 5;
        const increment = async (): Promise<void> => {
          for (;;) {
            const current = await store.get<{ count: number }>('edit', 'counter');
            assert.ok(current);
            const next = { count: current.data.count + 1 };
            if (await store.update('edit', 'counter', current.version, { state: 'open', data: next }, T0))
              return;
          }
        };
        await Promise.all(
          Array.from({ length: workers }, async () => {
            for (let i = 0; i < perWorker; i++) await increment();
          }),
        );
        const final = await store.get<{ count: number }>('edit', 'counter');
        assert.equal(final?.data.count, workers * perWorker);
        assert.equal(final?.version, workers * perWorker + 1);
      });

      testWithReopen(
        'two store instances on the same data: read, read, write, write → the first writer wins',
        async ({ store: a, reopen }) => {
          const b = await reopen();
          await a.create({ kind: 'approval', id: 'a-1', state: 'pending', data: { decidedBy: null } }, T0);

          const readA = await a.get('approval', 'a-1');
          const readB = await b.get('approval', 'a-1');
          assert.equal(readA?.version, 1);
          assert.equal(readB?.version, 1);

          const wroteA = await a.update(
            'approval',
            'a-1',
            1,
            { state: 'approved', data: { decidedBy: 'A' } },
            T0 + 1,
          );
          const wroteB = await b.update(
            'approval',
            'a-1',
            1,
            { state: 'rejected', data: { decidedBy: 'B' } },
            T0 + 2,
          );
          assert.equal(wroteA?.version, 2);
          assert.equal(wroteB, undefined, 'the second instance must see the first one’s write');
          assert.deepEqual(await b.get('approval', 'a-1'), wroteA);
          assert.deepEqual(await a.get('approval', 'a-1'), wroteA);

          // And at the same moment, from the same read, across the two instances.
          const [fromA, fromB] = await Promise.all([
            a.update('approval', 'a-1', 2, { state: 'expired', data: { decidedBy: 'A2' } }, T0 + 3),
            b.update('approval', 'a-1', 2, { state: 'expired', data: { decidedBy: 'B2' } }, T0 + 3),
          ]);
          const winners = [fromA, fromB].filter((r) => r !== undefined);
          assert.equal(winners.length, 1);
          assert.deepEqual(await a.get('approval', 'a-1'), winners[0]);
          assert.deepEqual(await b.get('approval', 'a-1'), winners[0]);
        },
      );
    });

    describe('delete', () => {
      test('with the wrong version refuses; with the right one deletes', async ({ store }) => {
        await store.create({ kind: 'hide', id: 'h-1', state: 'pending', dueAt: T0, data: {} }, T0);
        await store.update('hide', 'h-1', 1, { state: 'pending', dueAt: T0, data: { tries: 1 } }, T0);

        assert.equal(await store.delete('hide', 'h-1', 1), false, 'stale version');
        assert.equal(await store.delete('hide', 'h-1', 3), false, 'future version');
        assert.equal((await store.get('hide', 'h-1'))?.version, 2, 'still there');

        assert.equal(await store.delete('hide', 'h-1', 2), true);
        assert.equal(await store.get('hide', 'h-1'), undefined);
        assert.deepEqual(await store.query({ kind: 'hide', dueBy: T0 }), []);
        assert.equal(await store.delete('hide', 'h-1', 2), false, 'already gone');
        assert.equal(await store.update('hide', 'h-1', 2, { state: 'x', data: {} }, T0), undefined);
      });

      test('without a version deletes unconditionally; unknown ids report false', async ({ store }) => {
        await store.create({ kind: 'grant', id: 'g-1', state: 'active', data: {} }, T0);
        await store.update('grant', 'g-1', 1, { state: 'active', data: { renewed: true } }, T0);
        assert.equal(await store.delete('grant', 'g-1'), true);
        assert.equal(await store.get('grant', 'g-1'), undefined);
        assert.equal(await store.delete('grant', 'g-1'), false);
        assert.equal(await store.delete('grant', 'never-was'), false);
      });

      test('a deleted id can be created again, at version 1', async ({ store }) => {
        await store.create({ kind: 'rotation', id: 'r', state: 'done', data: { round: 1 } }, T0);
        assert.equal(await store.delete('rotation', 'r', 1), true);
        const again = await store.create(
          { kind: 'rotation', id: 'r', state: 'inspect', data: { round: 2 } },
          T0 + 1,
        );
        assert.equal(again.version, 1);
        assert.deepEqual((await store.get('rotation', 'r'))?.data, { round: 2 });
      });
    });

    describe('query', () => {
      /**
       * Rotations created in id order (r1 first) but due in a different order, so "created
       * order" and "due order" are distinguishable; approvals reuse ids and due times to
       * prove kinds are kept apart.
       */
      async function seed(store: Store): Promise<void> {
        const rows: NewRecord<{ n: number }>[] = [
          {
            kind: 'rotation',
            id: 'r1',
            state: 'switch-over',
            dueAt: T0 + 30 * MINUTE,
            owner: 'U0ALICE',
            data: { n: 1 },
          },
          {
            kind: 'rotation',
            id: 'r2',
            state: 'switch-over',
            dueAt: T0 + 10 * MINUTE,
            owner: 'U0BOB',
            data: { n: 2 },
          },
          {
            kind: 'rotation',
            id: 'r3',
            state: 'grace',
            dueAt: T0 + 20 * MINUTE,
            owner: 'U0ALICE',
            data: { n: 3 },
          },
          { kind: 'rotation', id: 'r4', state: 'inspect', owner: 'U0ALICE', data: { n: 4 } },
          {
            kind: 'rotation',
            id: 'r5',
            state: 'grace',
            dueAt: T0 + 90 * MINUTE,
            owner: 'U0BOB',
            data: { n: 5 },
          },
          { kind: 'rotation', id: 'r6', state: 'done', dueAt: T0, data: { n: 6 } },
          { kind: 'approval', id: 'r1', state: 'switch-over', dueAt: T0, owner: 'U0ALICE', data: { n: 101 } },
          {
            kind: 'approval',
            id: 'a2',
            state: 'grace',
            dueAt: T0 + 5 * MINUTE,
            owner: 'U0ALICE',
            data: { n: 102 },
          },
        ];
        // One minute apart, in list order, so creation order is unambiguous.
        for (const [i, row] of rows.entries()) await store.create(row, T0 - 100 * MINUTE + i * MINUTE);
      }
      const ids = (records: StoredRecord<unknown>[]): string[] => records.map((r) => r.id);

      test('by kind: every record of that kind, oldest created first, no other kinds', async ({ store }) => {
        await seed(store);
        assert.deepEqual(ids(await store.query({ kind: 'rotation' })), ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
        assert.deepEqual(ids(await store.query({ kind: 'approval' })), ['r1', 'a2']);
        assert.deepEqual(await store.query({ kind: 'hide' }), []);
        const [first] = await store.query<{ n: number }>({ kind: 'approval' });
        assert.equal(first?.kind, 'approval');
        assert.deepEqual(first?.data, { n: 101 }, 'full records, with their data');
      });

      test('by states', async ({ store }) => {
        await seed(store);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', states: ['grace'] })), ['r3', 'r5']);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', states: ['inspect', 'switch-over'] })), [
          'r1',
          'r2',
          'r4',
        ]);
        assert.deepEqual(await store.query({ kind: 'rotation', states: ['no-such-state'] }), []);
        assert.deepEqual(
          await store.query({ kind: 'rotation', states: [] }),
          [],
          'one of no states: nothing',
        );
      });

      test('by owner', async ({ store }) => {
        await seed(store);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', owner: 'U0ALICE' })), ['r1', 'r3', 'r4']);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', owner: 'U0BOB' })), ['r2', 'r5']);
        assert.deepEqual(await store.query({ kind: 'rotation', owner: 'U0NOBODY' }), []);
      });

      test('by dueBy: due records only, oldest due first, boundary included, no dueAt never due', async ({
        store,
      }) => {
        await seed(store);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', dueBy: T0 + 30 * MINUTE })), [
          'r6',
          'r2',
          'r3',
          'r1',
        ]);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', dueBy: T0 - 1 })), []);
        const all = await store.query({ kind: 'rotation', dueBy: Number.MAX_SAFE_INTEGER });
        assert.deepEqual(ids(all), ['r6', 'r2', 'r3', 'r1', 'r5'], 'r4 has no dueAt');
      });

      test('limit is honoured, keeping the oldest due', async ({ store }) => {
        await seed(store);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', dueBy: T0 + 90 * MINUTE, limit: 2 })), [
          'r6',
          'r2',
        ]);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', limit: 3 })), ['r1', 'r2', 'r3']);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', limit: 1, states: ['grace'] })), ['r3']);
        assert.equal((await store.query({ kind: 'rotation', limit: 100 })).length, 6);
      });

      test('filters combine', async ({ store }) => {
        await seed(store);
        assert.deepEqual(
          ids(
            await store.query({
              kind: 'rotation',
              states: ['switch-over', 'grace'],
              owner: 'U0ALICE',
              dueBy: T0 + 60 * MINUTE,
            }),
          ),
          ['r3', 'r1'],
        );
        assert.deepEqual(
          ids(
            await store.query({
              kind: 'approval',
              states: ['switch-over', 'grace'],
              dueBy: T0 + 60 * MINUTE,
            }),
          ),
          ['r1', 'a2'],
        );
      });

      test('reflects updates and deletes', async ({ store }) => {
        await seed(store);
        // r5 becomes due earliest of all; r2 leaves the switch-over state; r6 is deleted.
        const r5 = await store.get<{ n: number }>('rotation', 'r5');
        assert.ok(r5);
        await store.update(
          'rotation',
          'r5',
          r5.version,
          { state: 'grace', dueAt: T0 - MINUTE, data: r5.data },
          T0,
        );
        const r2 = await store.get<{ n: number }>('rotation', 'r2');
        assert.ok(r2);
        await store.update(
          'rotation',
          'r2',
          r2.version,
          { state: 'done', owner: 'U0BOB', data: r2.data },
          T0,
        );
        assert.equal(await store.delete('rotation', 'r6'), true);

        assert.deepEqual(ids(await store.query({ kind: 'rotation', dueBy: T0 + 30 * MINUTE })), [
          'r5',
          'r3',
          'r1',
        ]);
        assert.deepEqual(ids(await store.query({ kind: 'rotation', states: ['switch-over'] })), ['r1']);
        const [first] = await store.query({ kind: 'rotation', dueBy: T0 });
        assert.equal(first?.version, 2, 'query returns the current version');
      });
    });

    describe('leases', () => {
      const LEASE = 'job:hides.secret';

      test('a free lease is taken, and reads back with its owner and end', async ({ store }) => {
        assert.equal(await store.getLease(LEASE), undefined);
        assert.equal(await store.acquireLease(LEASE, 'replica-a', T0 + MINUTE, T0), true);
        assert.deepEqual(await store.getLease(LEASE), {
          name: LEASE,
          owner: 'replica-a',
          until: T0 + MINUTE,
        });
      });

      test('is not stolen while held, up to the last millisecond before it ends', async ({ store }) => {
        await store.acquireLease(LEASE, 'replica-a', T0 + MINUTE, T0);
        assert.equal(await store.acquireLease(LEASE, 'replica-b', T0 + 2 * MINUTE, T0), false);
        assert.equal(await store.acquireLease(LEASE, 'replica-b', T0 + 2 * MINUTE, T0 + MINUTE - 1), false);
        assert.deepEqual(await store.getLease(LEASE), {
          name: LEASE,
          owner: 'replica-a',
          until: T0 + MINUTE,
        });
      });

      test('the holder renews it, extending its end', async ({ store }) => {
        await store.acquireLease(LEASE, 'replica-a', T0 + MINUTE, T0);
        assert.equal(await store.acquireLease(LEASE, 'replica-a', T0 + 3 * MINUTE, T0 + 30_000), true);
        assert.equal((await store.getLease(LEASE))?.until, T0 + 3 * MINUTE);
        // Renewed, so still held where the first end had passed.
        assert.equal(await store.acquireLease(LEASE, 'replica-b', T0 + 4 * MINUTE, T0 + 2 * MINUTE), false);
      });

      test('is taken over once its end has come (a holder that died), and the old holder has lost it', async ({
        store,
      }) => {
        await store.acquireLease(LEASE, 'replica-a', T0 + MINUTE, T0);
        assert.equal(await store.acquireLease(LEASE, 'replica-b', T0 + 2 * MINUTE, T0 + MINUTE), true);
        assert.deepEqual(await store.getLease(LEASE), {
          name: LEASE,
          owner: 'replica-b',
          until: T0 + 2 * MINUTE,
        });
        // The old holder comes back (it was only slow): it cannot renew what it lost.
        assert.equal(await store.acquireLease(LEASE, 'replica-a', T0 + 3 * MINUTE, T0 + MINUTE + 1), false);
        assert.equal((await store.getLease(LEASE))?.owner, 'replica-b');
      });

      test('is taken over before its end only from the holder named as replaced (one known to be dead)', async ({
        store,
      }) => {
        await store.acquireLease(LEASE, 'host:1:dead', T0 + MINUTE, T0);
        // Naming someone else does not help: the holder is not that owner.
        assert.equal(
          await store.acquireLease(LEASE, 'host:1:new', T0 + 2 * MINUTE, T0 + 1, 'host:7:other'),
          false,
        );
        assert.equal((await store.getLease(LEASE))?.owner, 'host:1:dead');
        assert.equal(
          await store.acquireLease(LEASE, 'host:1:new', T0 + 2 * MINUTE, T0 + 1, 'host:1:dead'),
          true,
        );
        assert.deepEqual(await store.getLease(LEASE), {
          name: LEASE,
          owner: 'host:1:new',
          until: T0 + 2 * MINUTE,
        });
        // And the new holder is protected as any holder is.
        assert.equal(
          await store.acquireLease(LEASE, 'host:1:third', T0 + 3 * MINUTE, T0 + 2, 'host:1:dead'),
          false,
        );
      });

      test('only the holder releases it; then another takes it at once', async ({ store }) => {
        await store.acquireLease(LEASE, 'replica-a', T0 + MINUTE, T0);
        assert.equal(await store.releaseLease(LEASE, 'replica-b'), false);
        assert.equal((await store.getLease(LEASE))?.owner, 'replica-a');
        assert.equal(await store.releaseLease(LEASE, 'replica-a'), true);
        assert.equal(await store.getLease(LEASE), undefined);
        assert.equal(await store.releaseLease(LEASE, 'replica-a'), false, 'nothing left to release');
        assert.equal(await store.acquireLease(LEASE, 'replica-b', T0 + MINUTE, T0 + 1), true);
      });

      test('many owners racing for a free lease: exactly one gets it', async ({ store }) => {
        const owners = Array.from({ length: 8 }, (_, i) => `replica-${i}`);
        const results = await Promise.all(owners.map((o) => store.acquireLease(LEASE, o, T0 + MINUTE, T0)));
        assert.equal(results.filter(Boolean).length, 1);
        const winner = owners[results.indexOf(true)];
        assert.equal((await store.getLease(LEASE))?.owner, winner);
      });

      test('many owners racing for an expired lease: exactly one takes it over', async ({ store }) => {
        await store.acquireLease(LEASE, 'dead-replica', T0, T0 - MINUTE);
        const owners = Array.from({ length: 8 }, (_, i) => `replica-${i}`);
        const results = await Promise.all(owners.map((o) => store.acquireLease(LEASE, o, T0 + MINUTE, T0)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      test('leases are independent by name and are not records', async ({ store }) => {
        await store.acquireLease('job:a', 'replica-a', T0 + MINUTE, T0);
        assert.equal(await store.acquireLease('job:b', 'replica-b', T0 + MINUTE, T0), true);
        for (const kind of ['approval', 'hide', 'rotation', 'grant', 'edit', 'report'] as const) {
          assert.deepEqual(await store.query({ kind }), []);
          assert.deepEqual(await store.query({ kind, dueBy: T0 + 10 * MINUTE }), []);
        }
      });

      testWithReopen(
        'a second store on the same data sees the lease and cannot steal it',
        async ({ store, reopen }) => {
          const other = await reopen();
          assert.equal(await store.acquireLease(LEASE, 'replica-a', T0 + MINUTE, T0), true);
          assert.equal(await other.acquireLease(LEASE, 'replica-b', T0 + MINUTE, T0 + 1), false);
          assert.equal((await other.getLease(LEASE))?.owner, 'replica-a');
          assert.equal(await other.acquireLease(LEASE, 'replica-b', T0 + 2 * MINUTE, T0 + MINUTE), true);
          assert.equal(await store.acquireLease(LEASE, 'replica-a', T0 + 3 * MINUTE, T0 + MINUTE), false);
        },
      );
    });

    describe('remembered keys (replayed requests)', () => {
      const KEY = 'sig:3f1c0b9e7a';

      test('a key is new once, then remembered until its end', async ({ store }) => {
        assert.equal(await store.rememberOnce(KEY, T0 + 5 * MINUTE, T0), true);
        assert.equal(await store.rememberOnce(KEY, T0 + 5 * MINUTE, T0 + 1), false);
        assert.equal(await store.rememberOnce(KEY, T0 + 9 * MINUTE, T0 + 5 * MINUTE - 1), false);
        assert.equal(
          await store.rememberOnce('sig:other', T0 + 5 * MINUTE, T0 + 1),
          true,
          'keys are independent',
        );
      });

      test('once its memory has ended the key is new again, and remembered anew', async ({ store }) => {
        await store.rememberOnce(KEY, T0 + MINUTE, T0);
        assert.equal(await store.rememberOnce(KEY, T0 + 3 * MINUTE, T0 + MINUTE), true);
        assert.equal(await store.rememberOnce(KEY, T0 + 3 * MINUTE, T0 + 2 * MINUTE), false);
      });

      test('the same key arriving many times at once: exactly one is new', async ({ store }) => {
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.rememberOnce(KEY, T0 + MINUTE, T0)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      });

      test('many keys come and go without touching records or leases', async ({ store }) => {
        for (let i = 0; i < 300; i++)
          assert.equal(await store.rememberOnce(`k${i}`, T0 + i, T0 + i - 1), true);
        for (const kind of ['approval', 'hide', 'rotation', 'grant', 'edit', 'report'] as const) {
          assert.deepEqual(await store.query({ kind }), []);
        }
        assert.equal(await store.getLease(KEY), undefined);
        // The oldest have lapsed (and may have been cleaned up): new again.
        assert.equal(await store.rememberOnce('k0', T0 + 400, T0 + 300), true);
        assert.equal(await store.rememberOnce('k299', T0 + 400, T0 + 200), false);
      });

      testWithReopen(
        'a second store (another replica) sees what the first remembered',
        async ({ store, reopen }) => {
          const other = await reopen();
          assert.equal(await store.rememberOnce(KEY, T0 + MINUTE, T0), true);
          assert.equal(await other.rememberOnce(KEY, T0 + MINUTE, T0 + 1), false);
        },
      );
    });

    describe('durability and data', () => {
      test('unicode and nested data round-trip, also through query', async ({ store }) => {
        const id = 'rotation:ci-bøt/🔑 #1';
        const owner = 'U0ÄLICE';
        const state = 'wait·for·switch-over';
        await store.create({ kind: 'rotation', id, state, dueAt: T0, owner, data: AWKWARD_DATA }, T0);
        const got = await store.get<typeof AWKWARD_DATA>('rotation', id);
        assert.deepEqual(got?.data, AWKWARD_DATA);
        assert.equal(got?.owner, owner);
        assert.equal(got?.state, state);
        const [queried] = await store.query<typeof AWKWARD_DATA>({
          kind: 'rotation',
          states: [state],
          owner,
          dueBy: T0,
        });
        assert.equal(queried?.id, id);
        assert.deepEqual(queried?.data, AWKWARD_DATA);
        const updated = await store.update(
          'rotation',
          id,
          1,
          { state, data: { ...AWKWARD_DATA, more: '✓' } },
          T0 + 1,
        );
        assert.deepEqual(updated?.data, { ...AWKWARD_DATA, more: '✓' });
      });

      testWithReopen(
        'after close and reopen everything is still there at the same versions',
        async ({ store, reopen, close }) => {
          await store.create(
            {
              kind: 'rotation',
              id: 'r1',
              state: 'inspect',
              dueAt: T0,
              owner: 'U0ALICE',
              data: rotationData('u1'),
            },
            T0,
          );
          await store.update(
            'rotation',
            'r1',
            1,
            { state: 'locate', dueAt: T0 + MINUTE, data: rotationData('u1') },
            T0 + 1,
          );
          await store.update(
            'rotation',
            'r1',
            2,
            { state: 'create', dueAt: T0 + 2 * MINUTE, data: rotationData('u1') },
            T0 + 2,
          );
          await store.create(
            { kind: 'approval', id: 'a1', state: 'pending', owner: 'U0BOB', data: AWKWARD_DATA },
            T0 + 3,
          );
          await store.create({ kind: 'hide', id: 'gone', state: 'pending', data: {} }, T0 + 4);
          assert.equal(await store.delete('hide', 'gone', 1), true);

          const before = {
            r1: await store.get('rotation', 'r1'),
            a1: await store.get('approval', 'a1'),
            due: await store.query({ kind: 'rotation', dueBy: T0 + 10 * MINUTE }),
          };
          assert.equal(before.r1?.version, 3);
          await close(store);

          const restarted = await reopen();
          assert.deepEqual(await restarted.get('rotation', 'r1'), before.r1);
          assert.deepEqual(await restarted.get('approval', 'a1'), before.a1);
          assert.deepEqual(await restarted.query({ kind: 'rotation', dueBy: T0 + 10 * MINUTE }), before.due);
          assert.equal(await restarted.get('hide', 'gone'), undefined, 'deletes are durable too');

          // The compare-and-set carries on from the stored version, not from 1.
          assert.equal(
            await restarted.update('rotation', 'r1', 2, { state: 'x', data: {} }, T0 + 5),
            undefined,
          );
          assert.equal(
            (await restarted.update('rotation', 'r1', 3, { state: 'switch-over', data: {} }, T0 + 5))
              ?.version,
            4,
          );
          await assert.rejects(
            restarted.create({ kind: 'approval', id: 'a1', state: 'pending', data: {} }, T0 + 6),
            ConflictError,
          );
        },
      );
    });

    describe('the record of where a key lives (key-homes.ts)', () => {
      test('is created on first write, changed by compare-and-set, found by user name in any case, listed per account', async ({
        store,
      }) => {
        const place = {
          name: 'app/deploy',
          layout: { format: 'pair' as const, separator: ':' as const },
          writtenAt: T0,
        };
        await updateKeyHome(store, '111111111111', 'svc-Deploy', (h) => ({ ...h, places: [place] }), T0);
        await updateKeyHome(
          store,
          '111111111111',
          'SVC-deploy',
          (h) => ({
            ...h,
            thirdParty: parseThirdPartyLines('Fastly https://fastly.example\nDatadog'),
            note: 'Zoë’s 🔑 note',
          }),
          T0 + MINUTE,
        );
        await updateKeyHome(
          store,
          '222222222222',
          'svc-deploy',
          (h) => ({ ...h, note: 'other account' }),
          T0,
        );
        const home = await getKeyHome(store, '111111111111', 'svc-deploy');
        assert.deepEqual(home?.places, [place]);
        assert.deepEqual(home?.thirdParty, [
          { name: 'Fastly', link: 'https://fastly.example' },
          { name: 'Datadog' },
        ]);
        assert.equal(home?.note, 'Zoë’s 🔑 note');
        const listed = await listKeyHomes(store, '111111111111');
        assert.deepEqual([...listed.keys()], ['svc-deploy']);
        assert.equal((await listKeyHomes(store, '222222222222')).get('svc-deploy')?.note, 'other account');
        const record = await store.get('key-home', '111111111111/svc-deploy');
        assert.equal(record?.version, 2, 'one record per account and user, updated in place');
      });

      test('two writers at once: both changes survive (each is retried on the version it lost to)', async ({
        store,
      }) => {
        await updateKeyHome(store, '111111111111', 'svc', (h) => h, T0);
        await Promise.all([
          updateKeyHome(store, '111111111111', 'svc', (h) => ({ ...h, note: 'from one' }), T0 + 1),
          updateKeyHome(
            store,
            '111111111111',
            'svc',
            (h) => ({ ...h, thirdParty: [...h.thirdParty, { name: 'Fastly' }] }),
            T0 + 1,
          ),
        ]);
        const home = await getKeyHome(store, '111111111111', 'svc');
        assert.equal(home?.note, 'from one');
        assert.deepEqual(home?.thirdParty, [{ name: 'Fastly' }]);
      });
    });
  });
}
