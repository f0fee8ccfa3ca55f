/**
 * The owner id a process uses for scheduler leases, and what one process can tell about
 * another's id. Ids must differ between any two schedulers that share a store, including a
 * process and its own restart on the same host (same hostname, and in a container the same
 * PID 1), hence the process start time and the random part.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** The parts of an id made by {@link createReplicaId}. */
export interface ReplicaIdParts {
  host: string;
  pid: number;
  /** When the process started (epoch ms, base 36 in the id): tells a PID's incarnations apart. */
  started: string;
}

/** What {@link isGoneLocalProcess} needs to know about the running process and the host. */
export interface LocalProcess {
  id: string;
  /** Whether a process with this PID runs on this host now. */
  running(pid: number): boolean;
}

/** When this process started; the same for every scheduler in it. */
const processStarted = (): string => Math.round(performance.timeOrigin).toString(36);

/** `<hostname>:<pid>:<process start, base 36>.<8 random hex digits>`, e.g. `ip-10-0-1-7:1:mhz3k2a1.3f9a0c21`. */
export function createReplicaId(): string {
  return `${hostname()}:${process.pid}:${processStarted()}.${randomBytes(4).toString('hex')}`;
}

/** The parts of an id, or undefined for an id not made by {@link createReplicaId}. */
export function parseReplicaId(id: string): ReplicaIdParts | undefined {
  // From the right: a host name has no ":" in practice, but the last two fields never do.
  const m = /^(.+):(\d+):([0-9a-z]+)\.[0-9a-f]+$/.exec(id);
  if (!m) return undefined;
  return { host: m[1]!, pid: Number(m[2]), started: m[3]! };
}

/** Whether a PID runs on this host (signal 0 checks without sending anything). */
export function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user. ESRCH: no such process.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `holder` was a process on this host that is certainly gone: its PID runs no
 * process any more, or it is this process's own PID from an earlier start (a restarted
 * container's PID 1). Then its leases need not be waited out. Anything not certain (another
 * host, a foreign id, a PID that runs) is false, and the lease runs out as usual.
 *
 * This relies on hostnames being unique per replica, as Docker, Kubernetes and ECS make them.
 * Not for AWS Lambda, whose instances may share a host name and a PID.
 */
export function isGoneLocalProcess(holder: string, self: LocalProcess): boolean {
  if (holder === self.id) return false;
  const h = parseReplicaId(holder);
  const me = parseReplicaId(self.id);
  if (!h || !me || h.host !== me.host) return false;
  if (h.pid === me.pid) return h.started !== me.started;
  return !self.running(h.pid);
}
