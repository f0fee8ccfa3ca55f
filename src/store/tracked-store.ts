/**
 * A store wrapper that knows which of its calls are still running, so a caller can wait until
 * every write it started has landed. AWS Lambda needs this: an invocation ends when its handler
 * returns, and the runtime then freezes the process, so a write some listener started without
 * awaiting (an auto-hide's record is saved in the background) would hang frozen until the next
 * invocation of that container, if there is one. The Lambda entry waits for {@link
 * TrackedStore.settled} before it returns.
 */
import type { Store } from './store.js';

/** A {@link Store} plus a way to wait for its calls in flight. */
export interface TrackedStore {
  store: Store;
  /**
   * Resolves once no call is in flight, including calls that callers chain onto finished ones
   * (a read, then the write it decided): it waits a macrotask turn after each round, so
   * promise chains in progress get to start their next call before it looks again.
   */
  settled(): Promise<void>;
}

/** Wraps `inner`; every method passes through unchanged. */
export function trackStore(inner: Store): TrackedStore {
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(call: Promise<T>): Promise<T> => {
    inFlight.add(call);
    const done = () => inFlight.delete(call);
    call.then(done, done);
    return call;
  };
  const store: Store = {
    create: (record, now) => track(inner.create(record, now)),
    get: (kind, id) => track(inner.get(kind, id)),
    update: (kind, id, expectedVersion, change, now) =>
      track(inner.update(kind, id, expectedVersion, change, now)),
    delete: (kind, id, expectedVersion) => track(inner.delete(kind, id, expectedVersion)),
    query: (query) => track(inner.query(query)),
    acquireLease: (name, owner, until, now, replacing) =>
      track(inner.acquireLease(name, owner, until, now, replacing)),
    releaseLease: (name, owner) => track(inner.releaseLease(name, owner)),
    getLease: (name) => track(inner.getLease(name)),
    rememberOnce: (key, until, now) => track(inner.rememberOnce(key, until, now)),
    close: () => inner.close(),
  };
  return {
    store,
    async settled() {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (inFlight.size === 0) return;
        await Promise.allSettled([...inFlight]);
      }
    },
  };
}
