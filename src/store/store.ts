/**
 * The state store: rotations, approvals and pending auto-hides. One small record model that
 * every backend (SQLite now, DynamoDB later) implements the same way, proven by one contract
 * suite (test/store/store-contract.ts).
 *
 * Every record carries a `version`. Creating writes version 1; every update is a
 * compare-and-set on the version the writer read, so a double click, a Slack retry or a second
 * replica cannot apply a step twice: exactly one writer wins and the others learn they lost.
 *
 * Secret values are never stored. Records hold ids, names, people and states only.
 *
 * Besides records, a store keeps leases: named, time-limited claims that at most one owner
 * holds at a time across every process sharing the store. The scheduler takes one per job so
 * that, with several replicas, one of them does each job's work (see scheduling/lease.ts). And
 * it remembers keys for a while (`rememberOnce`): the requests already answered.
 */

/** The kinds of record; each backend keeps them apart. */
export type RecordKind = 'approval' | 'hide' | 'rotation' | 'grant' | 'edit' | 'report' | 'key-home';

export interface StoredRecord<T = Record<string, unknown>> {
  kind: RecordKind;
  id: string;
  /** 1 on create, +1 on every successful update. */
  version: number;
  /** A short state name, indexed for queries (e.g. "pending", "approved"). */
  state: string;
  /** Epoch ms when the scheduler should next look at this record; undefined = never. */
  dueAt?: number;
  /** Slack user id of the person the record belongs to, indexed for the App Home. */
  owner?: string;
  /** The record's own data, JSON-serialisable. Never a secret value. */
  data: T;
  createdAt: number;
  updatedAt: number;
}

export interface NewRecord<T> {
  kind: RecordKind;
  id: string;
  state: string;
  dueAt?: number;
  owner?: string;
  data: T;
}

export interface RecordQuery {
  kind: RecordKind;
  /** Only records in one of these states. */
  states?: string[];
  owner?: string;
  /** Only records with dueAt <= this (epoch ms), oldest due first. */
  dueBy?: number;
  limit?: number;
}

/** A write lost a compare-and-set, or a create found the id taken. */
export class ConflictError extends Error {
  readonly code = 'store_conflict';
  constructor(kind: RecordKind, id: string) {
    super(`${kind} ${id} was changed by someone else`);
    this.name = 'ConflictError';
  }
}

/**
 * The store cannot work at all: its data directory is not writable, its file is not a
 * database, or its schema is newer than this code. Raised at open time so a misconfigured
 * deployment stops at start-up with a sentence an operator can act on, instead of failing
 * on the first click.
 */
export class StoreError extends Error {
  readonly code = 'store_unusable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** A lease as stored: who holds it and until when (epoch ms, the holder's clock). */
export interface Lease {
  name: string;
  /** The holder's owner id (unique per process: host, pid and a random part). */
  owner: string;
  until: number;
}

export interface Store {
  /** Creates a record at version 1; throws ConflictError if the id exists. */
  create<T>(record: NewRecord<T>, now: number): Promise<StoredRecord<T>>;
  get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined>;
  /**
   * Replaces state, dueAt, owner and data if the stored version still equals
   * `expectedVersion`; returns the record at the new version, or undefined if it lost (the
   * record changed or is gone). Never throws for a lost race.
   */
  update<T>(
    kind: RecordKind,
    id: string,
    expectedVersion: number,
    change: { state: string; dueAt?: number; owner?: string; data: T },
    now: number,
  ): Promise<StoredRecord<T> | undefined>;
  /** Deletes if the version matches (or unconditionally without one); true if it deleted. */
  delete(kind: RecordKind, id: string, expectedVersion?: number): Promise<boolean>;
  query<T>(query: RecordQuery): Promise<StoredRecord<T>[]>;
  /**
   * Takes or renews the lease `name` for `owner` until `until` (epoch ms), atomically: it
   * succeeds if nobody holds the lease, if `owner` already holds it (a renewal, which may also
   * shorten it), if the holder's `until` is at or before `now` (a takeover of a lease whose
   * holder died), or if the holder is exactly `replacing` (a takeover from a holder the caller
   * knows to be dead; a holder that renewed meanwhile is still the same owner, so callers must
   * only pass owners that cannot come back). True if `owner` holds the lease afterwards. Never
   * throws for a held lease.
   */
  acquireLease(name: string, owner: string, until: number, now: number, replacing?: string): Promise<boolean>;
  /** Gives the lease up if `owner` holds it, so another owner need not wait for it to expire. */
  releaseLease(name: string, owner: string): Promise<boolean>;
  /** The lease as stored (possibly expired), for logs and tests; undefined if none. */
  getLease(name: string): Promise<Lease | undefined>;
  /**
   * Remembers `key` until `until` (epoch ms), atomically across every process sharing the
   * store: true if the key was new (never seen, or its memory had ended at or before `now`),
   * false if it is already remembered. The receivers use it so that a replayed Slack request
   * (the same signature, or the same Socket Mode envelope) has no second effect on any replica.
   * Keys are opaque (callers pass a digest); forgotten keys are cleaned up by the backend.
   */
  rememberOnce(key: string, until: number, now: number): Promise<boolean>;
  close(): Promise<void>;
}
