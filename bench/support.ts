/**
 * Shared pieces of the benchmarks: percentiles, the bot as its own process (so its memory and
 * CPU are its own, as in production), and the memory it used.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

/**
 * The NODE_OPTIONS the Docker image runs the bot with (its heap limit), read from the
 * Dockerfile so the benchmarks measure the bot as it is deployed.
 */
export function imageNodeOptions(): string {
  const dockerfile = readFileSync(join(import.meta.dirname, '..', 'Dockerfile'), 'utf8');
  const found = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile);
  if (!found) throw new Error('the Dockerfile sets no NODE_OPTIONS');
  return found[1]!;
}

export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1] ?? NaN };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function fmt(s: Stats): string {
  return `p50 ${s.p50.toFixed(1)} · p90 ${s.p90.toFixed(1)} · p99 ${s.p99.toFixed(1)} · max ${s.max.toFixed(1)}`;
}

/** Resident memory of a process now and at its peak (VmRSS / VmHWM), in MB; Linux only. */
export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** CPU time a process has used so far (user + system), in ms; Linux only. */
export function cpuMsOf(pid: number): number {
  // Fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux); the command
  // name (field 2) may hold spaces, so count from the closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Keeps a process (all its threads) on the given CPUs (taskset syntax: "0", "0-1"). */
export function pinToCpu(pid: number, cpu: number | string): void {
  const result = spawnSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`taskset could not pin ${pid} to CPU ${cpu}`);
}

export interface BotProcess {
  child: ChildProcess;
  /** Spawn → "locksmith ready" line, ms. */
  readyMs: number;
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts `node dist/main.js` with `env` and waits for its ready line; with `cpu`, on that CPU
 * only (taskset), so it does not compete with moto and the load generator for a core.
 */
export async function startBot(
  env: Record<string, string>,
  cpu?: number,
  timeoutMs = 20_000,
): Promise<BotProcess> {
  const t0 = performance.now();
  // e.g. BENCH_BOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the bot. They come
  // after the image's NODE_OPTIONS, so they win: "--max-old-space-size=4096" lifts the limit.
  const nodeArgs = (process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const command = cpu === undefined ? [process.execPath] : ['taskset', '-c', String(cpu), process.execPath];
  // taskset execs node in its own process, so the child's pid is the bot's.
  const child = spawn(command[0]!, [...command.slice(1), ...nodeArgs, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_NO_WARNINGS: '1',
      NODE_OPTIONS: imageNodeOptions(),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let buffered = 0;
  const keep = (d: Buffer) => {
    // Keep the start of the output for error messages; the rest is read and dropped, as a
    // log shipper would, so the bot never blocks on a full pipe.
    if (process.env.BENCH_BOT_OUTPUT) process.stderr.write(d);
    if (buffered < 200_000) {
      output.push(d.toString());
      buffered += d.length;
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bot not ready in ${timeoutMs} ms:\n${output.join('')}`)),
      timeoutMs,
    );
    const check = () => {
      if (output.join('').includes('locksmith ready')) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(performance.now() - t0);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited with ${code}:\n${output.join('')}`));
    });
  });
  return {
    child,
    readyMs,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
