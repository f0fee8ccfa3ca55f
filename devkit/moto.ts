/**
 * Starts and drives moto, the open-source AWS emulator, for tests, benchmarks and the sandbox.
 * The bot never knows: it is pointed at moto through AWS_ENDPOINT_URL like at any endpoint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.js';

/**
 * The launcher: moto plus the devkit's extensions, CloudTrail event history and a movable clock
 * (read from devkit/, whether this module runs from there or from dist-sandbox/devkit). See
 * docs/moto.md.
 */
const MOTO_LAUNCHER = join(REPO_ROOT, 'devkit', 'moto-server.py');

export interface MotoOptions {
  /** Use an already running moto (or LocalStack) instead of starting one. */
  externalUrl?: string;
  python?: string;
  port?: number;
  startTimeoutMs?: number;
}

/** What `GET /_cloudtrail/stats` answers. */
export interface CloudTrailStats {
  lookupEvents: Array<{ account: string; region: string; served: number; throttled: number }>;
  /** Events held in the history, all accounts and Regions. */
  events: number;
}

/**
 * How to install moto, in the forms that work where the system Python is "externally managed"
 * (Debian 12, Ubuntu 24.04 refuse `pip install` outside a virtual environment, PEP 668).
 */
export const MOTO_INSTALL_HINT =
  "install it in a virtual environment here: `python3 -m venv .venv && .venv/bin/pip install 'moto[server]'` (found by itself in ./.venv), or with pipx: `pipx install 'moto[server]'` and LOCKSMITH_PYTHON=~/.local/share/pipx/venvs/moto/bin/python";

export class MotoNotInstalledError extends Error {
  constructor(python: string) {
    super(
      `moto is not installed for ${python}: ${MOTO_INSTALL_HINT}; or set MOTO_URL to a running moto or LocalStack`,
    );
    this.name = 'MotoNotInstalledError';
  }
}

/** The project's own virtual environment (the install hint's), else the system's python3. */
export function defaultPython(cwd: string = process.cwd()): string {
  const venv = `${cwd}/.venv/bin/python`;
  return existsSync(venv) ? venv : 'python3';
}

/** A free loopback TCP port, found by letting the OS pick one. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class MotoServer {
  private constructor(
    readonly url: string,
    private readonly child?: ChildProcess,
  ) {}

  static async start(options: MotoOptions = {}): Promise<MotoServer> {
    if (options.externalUrl) {
      const moto = new MotoServer(options.externalUrl.replace(/\/$/, ''));
      await moto.waitUntilUp(options.startTimeoutMs ?? 10_000);
      return moto;
    }
    const python = options.python ?? defaultPython();
    const port = options.port ?? (await freePort());
    // Always through the launcher: every test, benchmark and sandbox gets the same AWS.
    const args = [MOTO_LAUNCHER, '127.0.0.1', String(port)];
    const child = spawn(python, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 10_000) stderr += d.toString();
    });
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(err.message.includes('ENOENT') ? new MotoNotInstalledError(python) : err),
      );
      child.once('exit', (code) =>
        reject(
          /No module named/.test(stderr)
            ? new MotoNotInstalledError(python)
            : new Error(`moto exited with code ${code} before it was ready: ${stderr.slice(-500)}`),
        ),
      );
    });
    const moto = new MotoServer(`http://127.0.0.1:${port}`, child);
    try {
      // Generous: moto's imports take ~2 s on an idle core but much longer on a busy 2-core CI
      // machine running two test files at once; a slow start must not fail a test.
      await Promise.race([moto.waitUntilUp(options.startTimeoutMs ?? 90_000), exited]);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    exited.catch(() => {});
    return moto;
  }

  private async waitUntilUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`moto did not answer at ${this.url} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The moto process (undefined for an external one): benchmarks read its CPU time. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Forgets every resource (and turns IAM enforcement off again). */
  async reset(): Promise<void> {
    await this.post('/moto-api/reset-auth', 'inf');
    await this.post('/moto-api/reset', '');
  }

  /** From the next request on, IAM policies are enforced (docs/moto.md lists moto's limits). */
  async enforceIam(): Promise<void> {
    await this.post('/moto-api/reset-auth', '0');
  }

  /**
   * Puts moto's clock `offsetMs` ahead of the real one (not with an external moto):
   * key creation, "last used" and secret version dates are stamped with the shifted time.
   */
  async setClockOffset(offsetMs: number): Promise<void> {
    await this.post('/_sandbox/clock', JSON.stringify({ offset_ms: offsetMs }));
  }

  /**
   * The CloudTrail emulator's counters (devkit/moto_cloudtrail.py): per account and Region,
   * how many LookupEvents it served and how many it throttled (over 2 per second); and how many
   * events its history holds.
   */
  async cloudTrailStats(): Promise<CloudTrailStats> {
    const res = await fetch(`${this.url}/_cloudtrail/stats`);
    if (!res.ok) {
      await res.arrayBuffer();
      throw new Error(
        `moto /_cloudtrail/stats answered HTTP ${res.status}: is it started by moto-server.py?`,
      );
    }
    return (await res.json()) as CloudTrailStats;
  }

  private async post(path: string, body: string): Promise<void> {
    const res = await fetch(`${this.url}${path}`, { method: 'POST', body });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`moto ${path} answered HTTP ${res.status}`);
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const gone = new Promise((r) => this.child?.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
