/**
 * The DynamoDB backend of the {@link Store}: the shared state for several replicas (or AWS
 * Lambda). One table, one item per record, keyed by `pk = "<kind>#<id>"`.
 *
 * Every compare-and-set is a conditional write: create is a PutItem with
 * `attribute_not_exists(pk)`, update an UpdateItem with `version = :expected`, a versioned
 * delete a DeleteItem with the same condition. DynamoDB evaluates the condition and the write
 * atomically on the item, so exactly one of several replicas wins.
 *
 * Item attributes: `pk`, `kind`, `id`, `version` (N), `state`, `due_at` (N, only when the
 * record has a dueAt), `owner` (only when it has one), `data` (S, JSON), `created_at`,
 * `updated_at` (N, epoch ms). Index keys, kept in step by every write:
 * - `by_kind`  (`kind`, `created_at`): every record of a kind, in creation order;
 * - `by_state` (`kind_state` = "<kind>#<state>", `created_at`): records in a state;
 * - `by_owner` (`kind_owner` = "<kind>#<owner>", `created_at`): only items with an owner;
 * - `by_due`   (`kind_due` = "<kind>", `due_at`): only items with a dueAt (a sparse index).
 *
 * The table has TTL on `expires_at` (epoch seconds, see docs/deployment.md). Approvals, grants
 * and hides get one on every write ({@link expiresAtSeconds}: their due time plus a retention),
 * so DynamoDB deletes them some time after they stop mattering. TTL deletion is lazy, so nothing
 * here or in the callers relies on it: reads return an item past its `expires_at` as it is, and
 * the callers check expiry themselves.
 *
 * Leases are items too (`pk = "lease#<name>"`, `lease_owner`, `lease_until`), without `kind`,
 * so no index holds them; one conditional PutItem takes, renews or takes over a lease. So are
 * remembered keys (`pk = "seen#<key>"`, `seen_until`, with a TTL): one conditional PutItem.
 *
 * Queries read global secondary indexes, which are eventually consistent on real DynamoDB: a
 * record written a moment ago may be missing from a query (never from a get, which is a
 * consistent read). Callers act on queried records only through a compare-and-set, so a stale
 * query result costs a lost race, never a double effect.
 */

import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type AttributeValue,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ConflictError,
  type NewRecord,
  type RecordKind,
  type RecordQuery,
  type Lease,
  type Store,
  type StoredRecord,
  StoreError,
} from './store.js';
import { classifyAwsError } from '../aws/aws-errors.js';
import { locksmithUserAgent } from '../aws/user-agent.js';
import { expiresAtSeconds, LEASE_RETENTION_MS } from './retention.js';

/** Index names; the table definition in docs/deployment.md and devkit/dynamo-table.ts match. */
export const DYNAMO_INDEXES = {
  byKind: 'by_kind',
  byState: 'by_state',
  byOwner: 'by_owner',
  byDue: 'by_due',
} as const;

/** The TTL attribute (epoch seconds) the table definition enables. */
export const DYNAMO_TTL_ATTRIBUTE = 'expires_at';

/** Options for {@link openDynamoStore}. */
export interface DynamoStoreOptions {
  /** The table name (config `store.dynamodb.table`). */
  table: string;
  /** AWS region; default: the SDK's (AWS_REGION). Ignored when `client` is given. */
  region?: string;
  /** A client to use (tests, moto); it is not destroyed by close(). */
  client?: DynamoDBClient;
  /** Called with the client the store uses: the bot counts its calls in the AWS metrics. */
  instrument?: (client: DynamoDBClient) => void;
}

type Item = Record<string, AttributeValue>;

const pkOf = (kind: RecordKind, id: string): string => `${kind}#${id}`;
/** `lease` is not a RecordKind, so this key never collides with a record's. */
const leasePk = (name: string): string => `lease#${name}`;
/** Neither is `seen`: remembered keys (rememberOnce). */
const seenPk = (key: string): string => `seen#${key}`;

/**
 * Opens the DynamoDB store on an existing table. Makes no call: a missing table or a denied
 * call shows up on the first operation as a {@link StoreError} naming the table and the fix.
 */
export function openDynamoStore(options: DynamoStoreOptions): Store {
  const table = options.table;
  const ownClient = options.client === undefined;
  const client =
    options.client ??
    new DynamoDBClient({
      ...(options.region ? { region: options.region } : {}),
      maxAttempts: 3,
      customUserAgent: locksmithUserAgent(),
      // Without throwOnRequestTimeout the SDK only logs a warning and waits on a hung call forever.
      requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
    });
  options.instrument?.(client);
  let closed = false;

  /** Sends one command, turning "no table" and "access denied" into a StoreError. */
  const send = async <T>(run: () => Promise<T>): Promise<T> => {
    if (closed) throw new StoreError(`the DynamoDB store on table ${table} is closed`);
    try {
      return await run();
    } catch (err) {
      throw translate(err, table);
    }
  };

  const fromItem = <T>(item: Item): StoredRecord<T> => {
    const record: StoredRecord<T> = {
      kind: str(item, 'kind') as RecordKind,
      id: str(item, 'id'),
      version: num(item, 'version'),
      state: str(item, 'state'),
      data: JSON.parse(str(item, 'data')) as T,
      createdAt: num(item, 'created_at'),
      updatedAt: num(item, 'updated_at'),
    };
    // Key order as the SQLite store returns them, absent properties left out entirely.
    const out: StoredRecord<T> = {
      kind: record.kind,
      id: record.id,
      version: record.version,
      state: record.state,
      ...(item['due_at'] !== undefined ? { dueAt: num(item, 'due_at') } : {}),
      ...(item['owner'] !== undefined ? { owner: str(item, 'owner') } : {}),
      data: record.data,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
    return out;
  };

  /** A conditional PutItem: true if it was written, false if its condition failed. */
  const putIf = async (input: Omit<PutItemCommandInput, 'TableName'>): Promise<boolean> => {
    try {
      await send(() => client.send(new PutItemCommand({ ...input, TableName: table })));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  };

  const queryAll = async (input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> => {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await send(() =>
        client.send(new QueryCommand({ ...input, TableName: table, ExclusiveStartKey: start })),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  };

  return {
    async create<T>(record: NewRecord<T>, now: number): Promise<StoredRecord<T>> {
      const item: Item = {
        pk: { S: pkOf(record.kind, record.id) },
        kind: { S: record.kind },
        id: { S: record.id },
        version: { N: '1' },
        state: { S: record.state },
        kind_state: { S: `${record.kind}#${record.state}` },
        data: { S: JSON.stringify(record.data) },
        created_at: { N: String(now) },
        updated_at: { N: String(now) },
      };
      if (record.dueAt !== undefined) {
        item['due_at'] = { N: String(record.dueAt) };
        item['kind_due'] = { S: record.kind };
      }
      if (record.owner !== undefined) {
        item['owner'] = { S: record.owner };
        item['kind_owner'] = { S: `${record.kind}#${record.owner}` };
      }
      const expiresAt = expiresAtSeconds(record.kind, record.dueAt, now);
      if (expiresAt !== undefined) item[DYNAMO_TTL_ATTRIBUTE] = { N: String(expiresAt) };
      try {
        await send(() =>
          client.send(
            new PutItemCommand({
              TableName: table,
              Item: item,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new ConflictError(record.kind, record.id);
        throw err;
      }
      return fromItem<T>(item);
    },

    async get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined> {
      const out = await send(() =>
        client.send(
          new GetItemCommand({ TableName: table, Key: { pk: { S: pkOf(kind, id) } }, ConsistentRead: true }),
        ),
      );
      return out.Item === undefined ? undefined : fromItem<T>(out.Item);
    },

    async update<T>(
      kind: RecordKind,
      id: string,
      expectedVersion: number,
      change: { state: string; dueAt?: number; owner?: string; data: T },
      now: number,
    ): Promise<StoredRecord<T> | undefined> {
      const set = [
        '#version = :next',
        '#state = :state',
        'kind_state = :kind_state',
        '#data = :data',
        'updated_at = :now',
      ];
      const remove: string[] = [];
      const values: Item = {
        ':expected': { N: String(expectedVersion) },
        ':next': { N: String(expectedVersion + 1) },
        ':state': { S: change.state },
        ':kind_state': { S: `${kind}#${change.state}` },
        ':data': { S: JSON.stringify(change.data) },
        ':now': { N: String(now) },
      };
      if (change.dueAt !== undefined) {
        set.push('due_at = :due_at', 'kind_due = :kind');
        values[':due_at'] = { N: String(change.dueAt) };
        values[':kind'] = { S: kind };
      } else {
        remove.push('due_at', 'kind_due');
      }
      const expiresAt = expiresAtSeconds(kind, change.dueAt, now);
      if (expiresAt !== undefined) {
        set.push(`${DYNAMO_TTL_ATTRIBUTE} = :expires_at`);
        values[':expires_at'] = { N: String(expiresAt) };
      }
      if (change.owner !== undefined) {
        set.push('#owner = :owner', 'kind_owner = :kind_owner');
        values[':owner'] = { S: change.owner };
        values[':kind_owner'] = { S: `${kind}#${change.owner}` };
      } else {
        remove.push('#owner', 'kind_owner');
      }
      const names: Record<string, string> = {
        '#version': 'version',
        '#state': 'state',
        '#data': 'data',
      };
      if (change.owner !== undefined || remove.includes('#owner')) names['#owner'] = 'owner';
      try {
        const out = await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { pk: { S: pkOf(kind, id) } },
              // On a missing item `version` is absent and the comparison is false: no upsert.
              ConditionExpression: '#version = :expected',
              UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return out.Attributes === undefined ? undefined : fromItem<T>(out.Attributes);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return undefined;
        throw err;
      }
    },

    async delete(kind: RecordKind, id: string, expectedVersion?: number): Promise<boolean> {
      try {
        await send(() =>
          client.send(
            new DeleteItemCommand({
              TableName: table,
              Key: { pk: { S: pkOf(kind, id) } },
              ...(expectedVersion === undefined
                ? { ConditionExpression: 'attribute_exists(pk)' }
                : {
                    ConditionExpression: '#version = :expected',
                    ExpressionAttributeNames: { '#version': 'version' },
                    ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
                  }),
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },

    async query<T>(query: RecordQuery): Promise<StoredRecord<T>[]> {
      if (query.states !== undefined && query.states.length === 0) return [];
      if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
        throw new RangeError(`query limit must be a non-negative integer, got ${query.limit}`);
      }
      if (query.limit === 0) return [];

      // Filters on whatever the chosen index's key does not already cover.
      const filters: string[] = [];
      const names: Record<string, string> = {};
      const values: Item = {};
      const addOwnerFilter = (): void => {
        if (query.owner === undefined) return;
        filters.push('#owner = :owner');
        names['#owner'] = 'owner';
        values[':owner'] = { S: query.owner };
      };
      const addDueFilter = (): void => {
        if (query.dueBy === undefined) return;
        filters.push('due_at <= :due_by');
        values[':due_by'] = { N: String(query.dueBy) };
      };
      const filterPart = (): Partial<QueryCommandInput> => ({
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      });

      let items: Item[];
      if (query.states !== undefined) {
        addOwnerFilter();
        addDueFilter();
        const states = [...new Set(query.states)];
        const pages = await Promise.all(
          states.map((state) =>
            queryAll({
              IndexName: DYNAMO_INDEXES.byState,
              KeyConditionExpression: 'kind_state = :key',
              ExpressionAttributeValues: { ...values, ':key': { S: `${query.kind}#${state}` } },
              ...filterPart(),
            }),
          ),
        );
        items = pages.flat();
      } else if (query.owner !== undefined) {
        addDueFilter();
        items = await queryAll({
          IndexName: DYNAMO_INDEXES.byOwner,
          KeyConditionExpression: 'kind_owner = :key',
          ExpressionAttributeValues: { ...values, ':key': { S: `${query.kind}#${query.owner}` } },
          ...filterPart(),
        });
      } else if (query.dueBy !== undefined) {
        items = await queryAll({
          IndexName: DYNAMO_INDEXES.byDue,
          KeyConditionExpression: 'kind_due = :key AND due_at <= :due_by',
          ExpressionAttributeValues: { ':key': { S: query.kind }, ':due_by': { N: String(query.dueBy) } },
        });
      } else {
        items = await queryAll({
          IndexName: DYNAMO_INDEXES.byKind,
          KeyConditionExpression: '#kind = :key',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: { ':key': { S: query.kind } },
        });
      }

      // The same order as the SQLite store, total thanks to the id; then the limit.
      const records = items.map((item) => fromItem<T>(item));
      const byCreated = (a: StoredRecord<T>, b: StoredRecord<T>): number =>
        a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      records.sort(
        query.dueBy !== undefined ? (a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || byCreated(a, b) : byCreated,
      );
      return query.limit === undefined ? records : records.slice(0, query.limit);
    },

    async acquireLease(
      name: string,
      owner: string,
      until: number,
      now: number,
      replacing?: string,
    ): Promise<boolean> {
      const values: Item = { ':owner': { S: owner }, ':now': { N: String(now) } };
      if (replacing !== undefined) values[':replacing'] = { S: replacing };
      return putIf({
        Item: {
          pk: { S: leasePk(name) },
          lease_owner: { S: owner },
          lease_until: { N: String(until) },
          [DYNAMO_TTL_ATTRIBUTE]: { N: String(Math.ceil((until + LEASE_RETENTION_MS) / 1000)) },
        },
        // Atomic on the item: free, ours (renewal), the holder's time is up, or the holder
        // is the one the caller knows to be dead (takeovers).
        ConditionExpression:
          'attribute_not_exists(pk) OR lease_owner = :owner OR lease_until <= :now' +
          (replacing !== undefined ? ' OR lease_owner = :replacing' : ''),
        ExpressionAttributeValues: values,
      });
    },

    async releaseLease(name: string, owner: string): Promise<boolean> {
      try {
        await send(() =>
          client.send(
            new DeleteItemCommand({
              TableName: table,
              Key: { pk: { S: leasePk(name) } },
              ConditionExpression: 'lease_owner = :owner',
              ExpressionAttributeValues: { ':owner': { S: owner } },
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },

    async getLease(name: string): Promise<Lease | undefined> {
      const out = await send(() =>
        client.send(
          new GetItemCommand({ TableName: table, Key: { pk: { S: leasePk(name) } }, ConsistentRead: true }),
        ),
      );
      if (out.Item === undefined) return undefined;
      return { name, owner: str(out.Item, 'lease_owner'), until: num(out.Item, 'lease_until') };
    },

    async rememberOnce(key: string, until: number, now: number): Promise<boolean> {
      return putIf({
        Item: {
          pk: { S: seenPk(key) },
          seen_until: { N: String(until) },
          // TTL deletes it some time after; seen_until, not TTL, decides (TTL is lazy).
          [DYNAMO_TTL_ATTRIBUTE]: { N: String(Math.ceil(until / 1000) + 3600) },
        },
        ConditionExpression: 'attribute_not_exists(pk) OR seen_until <= :now',
        ExpressionAttributeValues: { ':now': { N: String(now) } },
      });
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownClient) client.destroy();
    },
  };
}

function str(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new StoreError(`DynamoDB item is missing the string attribute ${name}`);
  return value;
}

function num(item: Item, name: string): number {
  const value = item[name]?.N;
  if (value === undefined) throw new StoreError(`DynamoDB item is missing the number attribute ${name}`);
  return Number(value);
}

/** Turns a missing table or a denied call into a StoreError an operator can act on. */
function translate(err: unknown, table: string): unknown {
  if (err instanceof StoreError) return err;
  // The one AWS error classification (aws/aws-errors.ts): any 403 is denied, whatever its body.
  const failure = classifyAwsError(err);
  if (failure === 'not_found') {
    return new StoreError(`DynamoDB table ${table} not found: create it as docs/deployment.md shows`, {
      cause: err,
    });
  }
  if (failure === 'access_denied') {
    return new StoreError(
      `access to DynamoDB table ${table} was denied: give the bot's role the policy in docs/deployment.md`,
      { cause: err },
    );
  }
  return err;
}
