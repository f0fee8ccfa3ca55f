/**
 * The state store: the backend-neutral contract and the embedded SQLite default.
 */

export {
  DEFAULT_SQLITE_FILE_NAME,
  openSqliteStore,
  SQLITE_MIGRATIONS,
  type SqliteStore,
  type SqliteStoreOptions,
} from './sqlite-store.js';
export {
  ConflictError,
  type Lease,
  type NewRecord,
  type RecordKind,
  type RecordQuery,
  type Store,
  type StoredRecord,
  StoreError,
} from './store.js';
export {
  DYNAMO_INDEXES,
  DYNAMO_TTL_ATTRIBUTE,
  type DynamoStoreOptions,
  openDynamoStore,
} from './dynamodb-store.js';
