/**
 * The store contract against the DynamoDB backend, in moto: one moto for the file, a fresh
 * table per test (created with the same definition as docs/deployment.md), deleted after it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { parseConfigFile } from '../../src/config.js';
import { ensureDynamoTable } from '../../devkit/dynamo-table.js';
import type { MotoServer } from '../../devkit/moto.js';
import { openDynamoStore, StoreError } from '../../src/store/index.js';
import { RETENTION_MS } from '../../src/store/retention.js';
import { config } from '../support/fixtures.js';
import { startTestMoto } from '../support/moto.js';
import { runStoreContract } from './store-contract.js';

let moto: MotoServer;
let tables = 0;

before(async () => {
  moto = await startTestMoto();
  await moto.reset();
});
after(async () => {
  await moto?.stop();
});

/**
 * moto (5.x) checks a ConditionExpression and applies the write without a lock, and its server
 * handles requests on several threads: two conditional writes sent at the same moment can both
 * pass their check, which real DynamoDB (atomic per item) never allows. So the test clients
 * send one request at a time, all clients of this file together. The store's own calls still
 * overlap (the contract's concurrent tests start them together); what this takes away is only
 * moto's race, so the tests prove the conditions are right, and DynamoDB provides atomicity.
 */
let motoQueue: Promise<unknown> = Promise.resolve();

/** A client for moto; each store gets its own, as a separate replica would. */
function motoClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  client.middlewareStack.add(
    (next) => (args) => {
      const sent = motoQueue.then(() => next(args));
      motoQueue = sent.catch(() => undefined);
      return sent;
    },
    { step: 'deserialize', name: 'oneRequestAtATimeForMoto' },
  );
  return client;
}

runStoreContract('dynamodb', async () => {
  const table = `locksmith-contract-${++tables}`;
  const admin = motoClient();
  await ensureDynamoTable(admin, table);
  return {
    store: openDynamoStore({ table, client: motoClient() }),
    reopen: async () => openDynamoStore({ table, client: motoClient() }),
    cleanup: async () => {
      await admin.send(new DeleteTableCommand({ TableName: table }));
      admin.destroy();
    },
  };
});

describe('DynamoDB store', () => {
  it('a missing table gives a StoreError that names the table and the fix', async () => {
    const client = motoClient();
    const store = openDynamoStore({ table: 'no-such-table', client });
    try {
      for (const call of [
        () => store.get('rotation', 'r'),
        () => store.create({ kind: 'rotation', id: 'r', state: 'x', data: {} }, 1),
        () => store.query({ kind: 'rotation' }),
      ]) {
        await assert.rejects(call(), (err: unknown) => {
          assert.ok(err instanceof StoreError);
          assert.equal(
            err.message,
            'DynamoDB table no-such-table not found: create it as docs/deployment.md shows',
          );
          return true;
        });
      }
    } finally {
      await store.close();
      client.destroy();
    }
  });

  it('a denied call (any HTTP 403, whatever the body) gives a StoreError that names the table', async () => {
    const admin = motoClient();
    await ensureDynamoTable(admin, 'locksmith-denied');
    const store = openDynamoStore({ table: 'locksmith-denied', client: motoClient() });
    await moto.enforceIam();
    try {
      // The credentials are unknown to moto's IAM: it answers 403 (and for DynamoDB, in XML).
      await assert.rejects(store.get('rotation', 'r'), (err: unknown) => {
        assert.ok(err instanceof StoreError);
        assert.equal(
          err.message,
          "access to DynamoDB table locksmith-denied was denied: give the bot's role the policy in docs/deployment.md",
        );
        return true;
      });
    } finally {
      await moto.reset();
      await store.close();
      admin.destroy();
    }
  });

  it('approvals, grants and hides carry expires_at (epoch seconds) for TTL; rotations do not; reads ignore it', async () => {
    const admin = motoClient();
    await ensureDynamoTable(admin, 'locksmith-ttl');
    const store = openDynamoStore({ table: 'locksmith-ttl', client: motoClient() });
    const expiresAt = async (pk: string): Promise<number | undefined> => {
      const out = await admin.send(
        new GetItemCommand({ TableName: 'locksmith-ttl', Key: { pk: { S: pk } } }),
      );
      const n = out.Item?.['expires_at']?.N;
      return n === undefined ? undefined : Number(n);
    };
    const t0 = Date.UTC(2025, 0, 6, 9, 0, 0);
    const due = t0 + 30 * 60_000;
    try {
      await store.create({ kind: 'approval', id: 'a1', state: 'pending', dueAt: due, data: {} }, t0);
      assert.equal(await expiresAt('approval#a1'), (due + RETENTION_MS.approval!) / 1000);
      // Decided: no due time any more, so the retention counts from the decision.
      const decidedAt = t0 + 60_000;
      await store.update('approval', 'a1', 1, { state: 'approved', data: {} }, decidedAt);
      assert.equal(await expiresAt('approval#a1'), (decidedAt + RETENTION_MS.approval!) / 1000);

      await store.create({ kind: 'grant', id: 'g1', state: 'open', dueAt: due, data: {} }, t0);
      assert.equal(await expiresAt('grant#g1'), (due + RETENTION_MS.grant!) / 1000);
      await store.create({ kind: 'hide', id: 'h1', state: 'pending:secret', dueAt: due, data: {} }, t0);
      assert.equal(await expiresAt('hide#h1'), (due + RETENTION_MS.hide!) / 1000);
      await store.create({ kind: 'rotation', id: 'r1', state: 'switch-over', dueAt: due, data: {} }, t0);
      assert.equal(await expiresAt('rotation#r1'), undefined, 'rotations are history: never expired');
      await store.acquireLease('job:x', 'replica-a', t0 + 60_000, t0);
      assert.ok((await expiresAt('lease#job:x'))! > (t0 + 60_000) / 1000, 'abandoned leases are cleaned up');

      // TTL is lazy: an item whose expires_at has passed (1970 here) is still read as it is;
      // checking expiry is the caller's job, never the store's or DynamoDB's.
      await store.create(
        { kind: 'hide', id: 'old', state: 'pending:secret', dueAt: 1000, data: { x: 1 } },
        1000,
      );
      assert.ok((await expiresAt('hide#old'))! < Date.now() / 1000);
      assert.deepEqual((await store.get('hide', 'old'))?.data, { x: 1 });
      assert.equal((await store.query({ kind: 'hide', dueBy: 2000 })).length, 1);
    } finally {
      await store.close();
      admin.destroy();
    }
  });

  it('a closed store refuses calls', async () => {
    const store = openDynamoStore({ table: 't', client: motoClient() });
    await store.close();
    await store.close();
    await assert.rejects(store.get('hide', 'x'), StoreError);
  });
});

describe('store config', () => {
  it('chooses DynamoDB with store.dynamodb, SQLite under ./data by default, never both', () => {
    assert.deepEqual(
      parseConfigFile({ ...config, store: { dynamodb: { table: 'locksmith', region: 'eu-central-1' } } }, 't')
        .store,
      { dynamodb: { table: 'locksmith', region: 'eu-central-1' } },
    );
    assert.deepEqual(parseConfigFile({ ...config, store: {} }, 't').store, { data_dir: './data' });
    assert.deepEqual(parseConfigFile({ ...config, store: { data_dir: '/srv/x' } }, 't').store, {
      data_dir: '/srv/x',
    });
    assert.throws(
      () => parseConfigFile({ ...config, store: { data_dir: './data', dynamodb: { table: 't' } } }, 't'),
      /set either store\.data_dir \(SQLite\) or store\.dynamodb \(DynamoDB\), not both/,
    );
    assert.throws(() => parseConfigFile({ ...config, store: { dynamodb: {} } }, 't'), /table/);
  });
});
