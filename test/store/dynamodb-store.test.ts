/**
 * The store contract against the DynamoDB backend, in moto: one moto for the file, a fresh
 * table per test (created with the same definition as docs/deployment.md), deleted after it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfigFile } from '../../src/config.js';
import { ensureDynamoTable } from '../../src/devkit/dynamo-table.js';
import type { MotoServer } from '../../src/devkit/moto.js';
import { openDynamoStore, StoreError } from '../../src/store/index.js';
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
