/**
 * The owner id a process uses for scheduler leases. It must differ between any two processes
 * that share a store, including a process and its own restart on the same host (same hostname,
 * possibly the same pid in a container), hence the random part.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** `<hostname>:<pid>:<8 random hex digits>`, e.g. `ip-10-0-1-7:1:3f9a0c21`. */
export function createReplicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
