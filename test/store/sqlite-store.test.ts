import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore, SQLITE_MIGRATIONS, StoreError } from '../../src/store/index.js';
import { migrate } from '../../src/store/sqlite-store.js';
import { runStoreContract } from './store-contract.js';

/** A fresh temp directory per call; removed by the caller. */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'locksmith-store-'));
}

runStoreContract('sqlite', async () => {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  return {
    store: openSqliteStore({ dataDir }),
    reopen: async () => openSqliteStore({ dataDir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

/** Reads a pragma through a separate, read-only connection: what is in the file, not in our handle. */
function filePragma(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

function indexNames(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'",
      )
      .all()
      .map((r) => r.name)
      .filter((n) => !n.startsWith('sqlite_autoindex'))
      .sort();
  } finally {
    db.close();
  }
}

describe('SQLite store', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => {
    // Undo any chmod so the tree can be removed.
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the data directory (mkdir -p) and the file under it on first open', async () => {
    const dataDir = join(dir, 'first-start', 'nested', 'data');
    assert.equal(existsSync(dataDir), false);
    const store = openSqliteStore({ dataDir });
    try {
      assert.equal(store.path, join(dataDir, 'locksmith.db'));
      assert.equal(existsSync(store.path), true);
    } finally {
      await store.close();
    }

    const custom = openSqliteStore({ dataDir, fileName: 'other.db' });
    await custom.close();
    assert.equal(custom.path, join(dataDir, 'other.db'));
    assert.equal(existsSync(custom.path), true);
  });

  it('runs in WAL mode', async () => {
    const store = openSqliteStore({ dataDir: join(dir, 'wal') });
    try {
      await store.create({ kind: 'hide', id: 'h', state: 'pending', data: {} }, 1);
      assert.equal(filePragma(store.path, 'journal_mode'), 'wal');
      assert.equal(existsSync(`${store.path}-wal`), true, 'writes go to the write-ahead log');
    } finally {
      await store.close();
    }
  });

  it('records the applied migrations in user_version and does not re-run them on reopen', async () => {
    const dataDir = join(dir, 'migrations');
    const store = openSqliteStore({ dataDir });
    await store.create({ kind: 'rotation', id: 'r', state: 'inspect', data: { kept: true } }, 1);
    await store.close();
    assert.ok(SQLITE_MIGRATIONS.length >= 1);
    assert.equal(filePragma(store.path, 'user_version'), SQLITE_MIGRATIONS.length);
    assert.deepEqual(indexNames(store.path), ['records_by_due', 'records_by_owner', 'records_by_state']);

    // Remove something migration 1 creates: if reopening re-ran it, it would be back (or fail).
    const raw = new Database(store.path);
    raw.exec('DROP INDEX records_by_owner');
    raw.close();

    const reopened = openSqliteStore({ dataDir });
    try {
      assert.deepEqual(indexNames(reopened.path), ['records_by_due', 'records_by_state']);
      assert.equal(filePragma(reopened.path, 'user_version'), SQLITE_MIGRATIONS.length);
      assert.deepEqual((await reopened.get('rotation', 'r'))?.data, { kept: true });
    } finally {
      await reopened.close();
    }
  });

  it('applies each migration step in its own transaction: a failing step leaves the previous version', () => {
    const db = new Database(':memory:');
    try {
      const steps = ['CREATE TABLE a (x)', 'CREATE TABLE b (x); CREATE TABLE a (y)'];
      assert.throws(() => migrate(db, steps, 'test'), /table a already exists/);
      assert.equal(db.pragma('user_version', { simple: true }), 1, 'step 1 committed');
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all();
      assert.deepEqual(
        tables.map((t) => t.name),
        ['a'],
        'step 2 rolled back whole, including table b',
      );

      migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (x)'], 'test');
      assert.equal(db.pragma('user_version', { simple: true }), 2, 'resumes at step 2');
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema, and leaves it alone', () => {
    const dataDir = join(dir, 'newer');
    mkdirSync(dataDir);
    const path = join(dataDir, 'locksmith.db');
    const newer = SQLITE_MIGRATIONS.length + 1;
    const raw = new Database(path);
    raw.pragma(`user_version = ${newer}`);
    raw.close();

    assert.throws(
      () => openSqliteStore({ dataDir }),
      (err: unknown) => {
        assert.ok(err instanceof StoreError);
        assert.match(
          err.message,
          new RegExp(
            `schema version ${newer}, but this locksmith knows versions up to ${SQLITE_MIGRATIONS.length}`,
          ),
        );
        assert.match(err.message, /run a newer locksmith/);
        return true;
      },
    );
    assert.equal(filePragma(path, 'user_version'), newer);
    assert.deepEqual(indexNames(path), [], 'no migration ran');
  });

  it('gives a clear StoreError when the data directory cannot be created (parent is a file)', () => {
    // ENOTDIR stops root too, unlike permission bits.
    const file = join(dir, 'afile');
    writeFileSync(file, 'not a directory');
    const dataDir = join(file, 'data');
    assert.throws(
      () => openSqliteStore({ dataDir }),
      (err: unknown) => {
        assert.ok(err instanceof StoreError);
        assert.equal(
          err.message,
          `data directory ${dataDir} is not writable (ENOTDIR): set store.data_dir to a writable directory`,
        );
        return true;
      },
    );
  });

  it(
    'gives a clear StoreError when the data directory is read-only',
    { skip: process.getuid?.() === 0 ? 'root ignores permission bits' : false },
    () => {
      const readOnly = join(dir, 'read-only');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o500);
      try {
        for (const dataDir of [readOnly, join(readOnly, 'data')]) {
          assert.throws(
            () => openSqliteStore({ dataDir }),
            (err: unknown) => {
              assert.ok(err instanceof StoreError);
              assert.equal(
                err.message,
                `data directory ${dataDir} is not writable (EACCES): set store.data_dir to a writable directory`,
              );
              return true;
            },
          );
        }
      } finally {
        chmodSync(readOnly, 0o700);
      }
    },
  );

  it('gives a clear StoreError when the file is not a database', () => {
    const dataDir = join(dir, 'garbage');
    mkdirSync(dataDir);
    writeFileSync(
      join(dataDir, 'locksmith.db'),
      'this is not an SQLite file, just some text that is long enough',
    );
    assert.throws(() => openSqliteStore({ dataDir }), {
      name: 'StoreError',
      message: /cannot open the state database .*locksmith\.db \(SQLITE_NOTADB\)/,
    });
  });

  /** Permission bits of a path, e.g. 0o700. */
  const modeOf = (path: string): number => statSync(path).mode & 0o777;

  it('keeps its state private: the data directory 0700, the database and its -wal and -shm 0600, whatever the umask', async () => {
    // A permissive umask, as in a container started without one: the modes must not come from it.
    const previous = process.umask(0);
    try {
      const dataDir = join(dir, 'private', 'data');
      const store = openSqliteStore({ dataDir });
      try {
        await store.create({ kind: 'hide', id: 'h', state: 'pending', data: { responseUrl: 'x' } }, 1);
        assert.equal(modeOf(join(dir, 'private')), 0o700, 'a directory it creates on the way');
        assert.equal(modeOf(dataDir), 0o700);
        for (const file of [store.path, `${store.path}-wal`, `${store.path}-shm`]) {
          assert.equal(existsSync(file), true, `${file} exists`);
          assert.equal(modeOf(file).toString(8), '600', file);
        }
      } finally {
        await store.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  it('makes an existing data directory and database private when it opens them', async () => {
    const dataDir = join(dir, 'was-open');
    mkdirSync(dataDir, { mode: 0o777 });
    chmodSync(dataDir, 0o777);
    const first = openSqliteStore({ dataDir });
    await first.close();
    chmodSync(first.path, 0o666);
    chmodSync(dataDir, 0o755);
    const reopened = openSqliteStore({ dataDir });
    try {
      assert.equal(modeOf(dataDir), 0o700);
      assert.equal(modeOf(reopened.path), 0o600);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a shared (sticky) directory such as /tmp instead of changing its mode', () => {
    const shared = join(dir, 'shared-tmp');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    assert.throws(() => openSqliteStore({ dataDir: shared }), {
      name: 'StoreError',
      message: /data directory .*shared-tmp is a shared directory \(sticky bit, like \/tmp\)/,
    });
    assert.equal(statSync(shared).mode & 0o7777, 0o1777, 'left as it was');
  });

  it('close is idempotent', async () => {
    const store = openSqliteStore({ dataDir: join(dir, 'close') });
    await store.close();
    await store.close();
    await assert.rejects(store.get('hide', 'x'));
  });
});
