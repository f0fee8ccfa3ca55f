/**
 * Creates the DynamoDB table of the DynamoDB store, for tests and the sandbox only: production
 * never creates its own table (docs/deployment.md gives the CloudFormation definition, which
 * this mirrors: the same keys, indexes, on-demand billing and TTL attribute).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DYNAMO_INDEXES, DYNAMO_TTL_ATTRIBUTE } from '../src/store/dynamodb-store.js';

/** Creates `table` if it does not exist and waits until it is ACTIVE. */
export async function ensureDynamoTable(
  client: DynamoDBClient,
  table: string,
  timeoutMs = 30_000,
): Promise<void> {
  const index = (name: string, hash: string, range: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' as const },
      { AttributeName: range, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  let created = false;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'kind', AttributeType: 'S' },
          { AttributeName: 'kind_state', AttributeType: 'S' },
          { AttributeName: 'kind_owner', AttributeType: 'S' },
          { AttributeName: 'kind_due', AttributeType: 'S' },
          { AttributeName: 'created_at', AttributeType: 'N' },
          { AttributeName: 'due_at', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          index(DYNAMO_INDEXES.byKind, 'kind', 'created_at'),
          index(DYNAMO_INDEXES.byState, 'kind_state', 'created_at'),
          index(DYNAMO_INDEXES.byOwner, 'kind_owner', 'created_at'),
          index(DYNAMO_INDEXES.byDue, 'kind_due', 'due_at'),
        ],
      }),
    );
    created = true;
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`DynamoDB table ${table} is not ACTIVE after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (created) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: DYNAMO_TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  }
}
