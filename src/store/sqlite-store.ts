/**
 * The embedded default store: one SQLite file (better-sqlite3, WAL) under the data directory,
 * created on first start. Good for one replica; several replicas need the DynamoDB store.
 *
 * better-sqlite3 is synchronous. Every statement here is short (one indexed row, or one small
 * indexed query), so blocking the event loop for it is cheaper than a worker hop, and it also
 * means no two statements of this process ever interleave: the compare-and-set lives entirely
 * in the `WHERE version = ?` of one UPDATE, which also holds between processes sharing the file.
 */

import {
  accessSync,
  chmodSync,
  closeSync,
  existsSync,
  constants as fsConstants,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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

/** The file name used under the data directory when none is given. */
export const DEFAULT_SQLITE_FILE_NAME = 'locksmith.db';

/** How long a write waits for another connection's write lock before failing (ms). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The schema, one step per version: step N (1-based) takes the file from `user_version` N-1
 * to N. Append only: a released step is never edited, because files in the field already ran
 * it; a change is a new step.
 *
 * Design notes on version 1:
 * - `due_at`/`owner` are real columns (not inside `data`) so the scheduler and the App Home
 *   query them through indexes; everything else stays in the `data` JSON.
 * - (kind, state, due_at) serves "pending records of a kind" and "due records in these
 *   states"; (kind, due_at) serves the scheduler's "anything due"; (kind, owner, created_at)
 *   serves one person's records in creation order.
 * - WITHOUT ROWID: the natural key is the primary key and every lookup is by it.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE records (
     kind       TEXT    NOT NULL,
     id         TEXT    NOT NULL,
     version    INTEGER NOT NULL CHECK (version >= 1),
     state      TEXT    NOT NULL,
     due_at     INTEGER,
     owner      TEXT,
     data       TEXT    NOT NULL CHECK (json_valid(data)),
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   ) WITHOUT ROWID;
   CREATE INDEX records_by_state ON records (kind, state, due_at);
   CREATE INDEX records_by_due ON records (kind, due_at) WHERE due_at IS NOT NULL;
   CREATE INDEX records_by_owner ON records (kind, owner, created_at) WHERE owner IS NOT NULL;`,
  // Version 2: the scheduler's leases. A table of their own, not a record kind, so that
  // record queries never see them and taking one is a single upsert (see acquireLease).
  `CREATE TABLE leases (
     name  TEXT    NOT NULL PRIMARY KEY,
     owner TEXT    NOT NULL,
     until INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Version 3: keys remembered for a while (rememberOnce): requests already answered. The index
  // on `until` serves the periodic clean-up of forgotten keys.
  `CREATE TABLE remembered (
     key   TEXT    NOT NULL PRIMARY KEY,
     until INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX remembered_by_until ON remembered (until);`,
];

/** Forgotten keys are deleted every this many rememberOnce calls (one indexed DELETE). */
const FORGET_EVERY = 256;

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Directory for the database file (config `store.data_dir`); created if missing. */
  dataDir: string;
  /** File name inside `dataDir`; default {@link DEFAULT_SQLITE_FILE_NAME}. */
  fileName?: string;
}

/** A {@link Store} on one SQLite file. */
export interface SqliteStore extends Store {
  /** The database file's path (`dataDir` joined with the file name). */
  readonly path: string;
}

/** One row of `records` as better-sqlite3 returns it. */
interface RecordRow {
  kind: string;
  id: string;
  version: number;
  state: string;
  due_at: number | null;
  owner: string | null;
  data: string;
  created_at: number;
  updated_at: number;
}

/**
 * Opens (creating on first start) the SQLite store under `options.dataDir`.
 *
 * Checks up front that the directory can be created and written, so a bad `store.data_dir`
 * fails at start-up with a {@link StoreError} that names the directory and the fix, rather
 * than as an SQLITE_CANTOPEN on the first write. Applies pending schema migrations; refuses a
 * file whose schema is newer than this code (an older locksmith must not write to it).
 *
 * @throws StoreError if the directory or file is unusable, or the schema is too new.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { dataDir } = options;
  const path = join(dataDir, options.fileName ?? DEFAULT_SQLITE_FILE_NAME);
  ensureWritableDir(dataDir);
  if (existsSync(path)) {
    try {
      accessSync(path, fsConstants.R_OK | fsConstants.W_OK);
    } catch (err) {
      throw new StoreError(
        `database file ${path} is not writable (${errorCode(err)}): fix its permissions or set store.data_dir to a writable directory`,
        { cause: err },
      );
    }
  }

  let db: Database.Database | undefined;
  try {
    // Created owner-only before SQLite opens it: SQLite gives the -wal and -shm files the mode
    // of the database file, so they are born private too.
    closeSync(openSync(path, 'a', PRIVATE_FILE));
    db = new Database(path);
    // busy_timeout first, so that switching to WAL below also waits for another opener.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL: readers never block the writer. NORMAL is durable across a process crash in WAL
    // mode (only an OS crash/power loss can drop the last commits), which suits this state.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, SQLITE_MIGRATIONS, path);
    // A file from an older locksmith (or one restored from a backup) may be readable by others.
    makePrivate(path);
    return new SqliteRecordStore(db, path);
  } catch (err) {
    db?.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      `cannot open the state database ${path} (${errorCode(err)}): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/**
 * Brings `db` up to `steps.length`, recorded in `PRAGMA user_version`. Each step runs in its
 * own IMMEDIATE transaction together with its version bump, so a failed step leaves the file
 * at the previous version, and a second process opening the same file at the same moment
 * waits and then sees the step as done instead of running it twice.
 *
 * Exported for tests of the migration mechanism; the app uses {@link openSqliteStore}.
 *
 * @param label names the database in errors (its path).
 * @throws StoreError if the file's version is newer than `steps` knows.
 */
export function migrate(db: Database.Database, steps: readonly string[], label: string): void {
  const target = steps.length;
  const readVersion = (): number => Number(db.pragma('user_version', { simple: true }));
  const tooNew = (found: number): StoreError =>
    new StoreError(
      `state database ${label} has schema version ${found}, but this locksmith knows versions up to ${target}: ` +
        'run a newer locksmith, or set store.data_dir to another directory',
    );

  const initial = readVersion();
  if (initial > target) throw tooNew(initial);
  for (let next = initial + 1; next <= target; next++) {
    const step = steps[next - 1];
    if (step === undefined) break; // unreachable: next <= steps.length
    db.transaction(() => {
      // Re-read under the write lock: another process may have migrated meanwhile.
      const current = readVersion();
      if (current >= next) {
        if (current > target) throw tooNew(current);
        return;
      }
      db.exec(step);
      // PRAGMA does not take bound parameters; `next` is an integer we computed.
      db.pragma(`user_version = ${next}`);
    }).immediate();
  }
}

/**
 * The state files hold live response_urls (anyone holding one can post into that person's
 * conversation for 30 minutes) and who asked for what: the directory is owner-only (0700) and
 * every database file owner-only (0600), whatever the umask.
 */
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** The sticky bit (S_ISVTX), which marks a directory shared by several users, such as /tmp. */
const STICKY_BIT = 0o1000;

/**
 * mkdir -p (0700), take group and other access away if it already existed, then prove
 * writability by writing a probe file (access() lies for root and for read-only mounts). A
 * shared directory (sticky bit, as /tmp) is refused rather than chmodded: it is not ours to
 * close.
 */
function ensureWritableDir(dataDir: string): void {
  const probe = join(dataDir, `.locksmith-write-probe-${process.pid}`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR });
  } catch (err) {
    throw new StoreError(
      `data directory ${dataDir} is not writable (${errorCode(err)}): set store.data_dir to a writable directory`,
      { cause: err },
    );
  }
  if ((statSync(dataDir).mode & STICKY_BIT) !== 0) {
    throw new StoreError(
      `data directory ${dataDir} is a shared directory (sticky bit, like /tmp): set store.data_dir to a directory of locksmith's own`,
    );
  }
  try {
    ownerOnly(dataDir);
  } catch (err) {
    throw new StoreError(
      `data directory ${dataDir} cannot be made private (chmod go-rwx: ${errorCode(err)}): run locksmith as the directory's owner, or set store.data_dir to a directory of its own`,
      { cause: err },
    );
  }
  try {
    writeFileSync(probe, '', { mode: PRIVATE_FILE });
    rmSync(probe, { force: true });
  } catch (err) {
    throw new StoreError(
      `data directory ${dataDir} is not writable (${errorCode(err)}): set store.data_dir to a writable directory`,
      { cause: err },
    );
  }
}

/**
 * Takes every group and other permission away, keeping the owner's: a directory the operator
 * made read-only stays read-only (and is then reported as not writable).
 */
function ownerOnly(path: string): void {
  const mode = statSync(path).mode & 0o7777;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & ~0o077);
}

/** The database file and its -wal and -shm files, where they exist, owner-only. */
function makePrivate(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) ownerOnly(file);
  }
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return 'unknown error';
}

/** Serialises record data; refuses what JSON cannot carry rather than storing something else. */
function toJson(data: unknown): string {
  const json = JSON.stringify(data);
  if (typeof json !== 'string') {
    throw new TypeError('record data must be JSON-serialisable (got undefined, a function or a symbol)');
  }
  return json;
}

/** Builds the public record; absent due_at/owner become absent properties, not `undefined` ones. */
function fromRow<T>(row: RecordRow): StoredRecord<T> {
  const record: StoredRecord<T> = {
    // Only this module writes `kind`, always from a RecordKind.
    kind: row.kind as RecordKind,
    id: row.id,
    version: row.version,
    state: row.state,
    data: JSON.parse(row.data) as T,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.due_at !== null) record.dueAt = row.due_at;
  if (row.owner !== null) record.owner = row.owner;
  return record;
}

class SqliteRecordStore implements SqliteStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[RecordRow]>;
  readonly #get: Database.Statement<[string, string], RecordRow>;
  readonly #update: Database.Statement<
    [
      {
        kind: string;
        id: string;
        expected: number;
        state: string;
        due_at: number | null;
        owner: string | null;
        data: string;
        now: number;
      },
    ],
    RecordRow
  >;
  readonly #deleteAt: Database.Statement<[string, string, number]>;
  readonly #deleteAny: Database.Statement<[string, string]>;
  readonly #acquireLease: Database.Statement<
    [{ name: string; owner: string; until: number; now: number; replacing: string | null }]
  >;
  readonly #releaseLease: Database.Statement<[string, string]>;
  readonly #getLease: Database.Statement<[string], Lease>;
  readonly #remember: Database.Statement<{ key: string; until: number; now: number }>;
  readonly #forget: Database.Statement<[number]>;
  #remembered = 0;
  /** Query statements by SQL text; there are only a handful of filter combinations. */
  readonly #queries = new Map<string, Database.Statement<unknown[], RecordRow>>();

  constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.path = path;
    // ON CONFLICT DO NOTHING + changes: a taken id is an expected outcome, not an exception
    // to parse out of SQLite's error codes.
    this.#insert = db.prepare(
      `INSERT INTO records (kind, id, version, state, due_at, owner, data, created_at, updated_at)
       VALUES (@kind, @id, @version, @state, @due_at, @owner, @data, @created_at, @updated_at)
       ON CONFLICT (kind, id) DO NOTHING`,
    );
    this.#get = db.prepare('SELECT * FROM records WHERE kind = ? AND id = ?');
    // The compare-and-set: one statement, so nothing can come between the version check and
    // the write. RETURNING yields a row exactly when changes === 1 (the key is unique), and
    // gives back created_at without a second read.
    this.#update = db.prepare(
      `UPDATE records
          SET version = version + 1, state = @state, due_at = @due_at, owner = @owner,
              data = @data, updated_at = @now
        WHERE kind = @kind AND id = @id AND version = @expected
       RETURNING *`,
    );
    this.#deleteAt = db.prepare('DELETE FROM records WHERE kind = ? AND id = ? AND version = ?');
    this.#deleteAny = db.prepare('DELETE FROM records WHERE kind = ? AND id = ?');
    // One upsert decides who holds the lease: the UPDATE branch only runs when the caller
    // already holds it or the holder's time is up, so `changes` is 1 exactly when the caller
    // holds the lease afterwards. One statement is atomic between processes sharing the file.
    this.#acquireLease = db.prepare(
      `INSERT INTO leases (name, owner, until) VALUES (@name, @owner, @until)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
        WHERE leases.owner = excluded.owner OR leases.until <= @now OR leases.owner = @replacing`,
    );
    this.#releaseLease = db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
    this.#getLease = db.prepare('SELECT name, owner, until FROM leases WHERE name = ?');
    // As for leases: the UPDATE branch runs only over a key whose memory has ended, so
    // `changes` is 1 exactly when the key was new.
    this.#remember = db.prepare(
      `INSERT INTO remembered (key, until) VALUES (@key, @until)
       ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE remembered.until <= @now`,
    );
    this.#forget = db.prepare('DELETE FROM remembered WHERE until <= ?');
  }

  async rememberOnce(key: string, until: number, now: number): Promise<boolean> {
    if (++this.#remembered % FORGET_EVERY === 0) this.#forget.run(now);
    return this.#remember.run({ key, until, now }).changes === 1;
  }

  async acquireLease(
    name: string,
    owner: string,
    until: number,
    now: number,
    replacing?: string,
  ): Promise<boolean> {
    // NULL never equals anything in SQL: without `replacing` that branch is simply false.
    return this.#acquireLease.run({ name, owner, until, now, replacing: replacing ?? null }).changes === 1;
  }

  async releaseLease(name: string, owner: string): Promise<boolean> {
    return this.#releaseLease.run(name, owner).changes === 1;
  }

  async getLease(name: string): Promise<Lease | undefined> {
    const row = this.#getLease.get(name);
    return row === undefined ? undefined : { name: row.name, owner: row.owner, until: row.until };
  }

  async create<T>(record: NewRecord<T>, now: number): Promise<StoredRecord<T>> {
    const row: RecordRow = {
      kind: record.kind,
      id: record.id,
      version: 1,
      state: record.state,
      due_at: record.dueAt ?? null,
      owner: record.owner ?? null,
      data: toJson(record.data),
      created_at: now,
      updated_at: now,
    };
    if (this.#insert.run(row).changes !== 1) throw new ConflictError(record.kind, record.id);
    // Parse back from the stored JSON so the caller gets a copy, exactly as get() would.
    return fromRow<T>(row);
  }

  async get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined> {
    const row = this.#get.get(kind, id);
    return row === undefined ? undefined : fromRow<T>(row);
  }

  async update<T>(
    kind: RecordKind,
    id: string,
    expectedVersion: number,
    change: { state: string; dueAt?: number; owner?: string; data: T },
    now: number,
  ): Promise<StoredRecord<T> | undefined> {
    const row = this.#update.get({
      kind,
      id,
      expected: expectedVersion,
      state: change.state,
      due_at: change.dueAt ?? null,
      owner: change.owner ?? null,
      data: toJson(change.data),
      now,
    });
    return row === undefined ? undefined : fromRow<T>(row);
  }

  async delete(kind: RecordKind, id: string, expectedVersion?: number): Promise<boolean> {
    const result =
      expectedVersion === undefined
        ? this.#deleteAny.run(kind, id)
        : this.#deleteAt.run(kind, id, expectedVersion);
    return result.changes === 1;
  }

  async query<T>(query: RecordQuery): Promise<StoredRecord<T>[]> {
    if (query.states !== undefined && query.states.length === 0) return [];
    if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
      throw new RangeError(`query limit must be a non-negative integer, got ${query.limit}`);
    }
    if (query.limit === 0) return [];

    const where = ['kind = ?'];
    const params: unknown[] = [query.kind];
    if (query.states !== undefined) {
      // One placeholder for any number of states keeps the statement cache small.
      where.push('state IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(query.states));
    }
    if (query.owner !== undefined) {
      where.push('owner = ?');
      params.push(query.owner);
    }
    if (query.dueBy !== undefined) {
      where.push('due_at IS NOT NULL AND due_at <= ?');
      params.push(query.dueBy);
    }
    // id last makes the order total, so pages and tests are deterministic on ties.
    const order = query.dueBy !== undefined ? 'due_at, created_at, id' : 'created_at, id';
    let sql = `SELECT * FROM records WHERE ${where.join(' AND ')} ORDER BY ${order}`;
    if (query.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(query.limit);
    }

    let statement = this.#queries.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], RecordRow>(sql);
      this.#queries.set(sql, statement);
    }
    return statement.all(...params).map((row) => fromRow<T>(row));
  }

  async close(): Promise<void> {
    // Idempotent: shutdown paths may close twice (signal handler and finally).
    if (this.#db.open) this.#db.close();
  }
}
