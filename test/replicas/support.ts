/**
 * What the multi-replica tests put between the bot processes and the outside world:
 * - {@link AwsFrontProxy}: the one AWS endpoint every replica talks to. It forwards everything
 *   to moto and records which replica (by the access key that signed the request) made which
 *   DynamoDB call. It also sends DynamoDB requests to moto one at a time: moto (5.x) checks a
 *   ConditionExpression and applies the write without a lock, on several threads, so two
 *   conditional writes arriving together could both succeed, which real DynamoDB (atomic per
 *   item) never allows. Serialising takes away only moto's race; the bot's conditions still
 *   decide every outcome, as they do on DynamoDB.
 * - {@link RoundRobin}: the load balancer, one HTTP entry sending each Slack request to the
 *   next replica in turn, noting which replica got it.
 * - process helpers as in test/e2e: `node dist/main.js`, stdout/stderr kept as lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const MAIN = join(import.meta.dirname, '../../dist/main.js');

/** One DynamoDB call as the proxy saw it. */
export interface DynamoCall {
  /** The access key id that signed it: each replica runs with its own. */
  accessKeyId: string;
  /** `PutItem`, `Query`, … */
  operation: string;
  body: Record<string, unknown>;
  /** Date.now() when it reached the proxy. */
  at: number;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards one request with the same method, path, headers and body; pipes the answer back. */
function forward(target: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const out = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', () => resolve());
      },
    );
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err.message));
      resolve();
    });
    out.end(body);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The AWS endpoint of every replica: moto behind it, DynamoDB one request at a time. */
export class AwsFrontProxy {
  readonly dynamoCalls: DynamoCall[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(motoUrl: string): Promise<AwsFrontProxy> {
    const target = new URL(motoUrl);
    const holder: { proxy?: AwsFrontProxy } = {};
    const server = createServer((req, res) => void holder.proxy!.handle(target, req, res));
    holder.proxy = new AwsFrontProxy(server, await listen(server));
    return holder.proxy;
  }

  private async handle(target: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    if (!amzTarget.startsWith('DynamoDB_')) return forward(target, req, body, res);
    const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // not JSON: recorded with an empty body
    }
    this.dynamoCalls.push({
      accessKeyId,
      operation: amzTarget.split('.')[1] ?? amzTarget,
      body: parsed,
      at: Date.now(),
    });
    const sent = this.queue.then(() => forward(target, req, body, res));
    this.queue = sent.catch(() => undefined);
    await sent;
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

/** The load balancer: each request to the next backend in turn. */
export class RoundRobin {
  /** Index of the backend each request went to, in arrival order. */
  readonly routed: number[] = [];
  private next = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly backends: URL[],
  ) {}

  static async start(backends: string[]): Promise<RoundRobin> {
    const holder: { lb?: RoundRobin } = {};
    const server = createServer((req, res) => void holder.lb!.handle(req, res));
    const url = await listen(server);
    holder.lb = new RoundRobin(
      server,
      url,
      backends.map((b) => new URL(b)),
    );
    return holder.lb;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Chosen on arrival, before the body is read: two requests sent together go to two replicas.
    const index = this.next;
    this.next = (this.next + 1) % this.backends.length;
    this.routed.push(index);
    const body = await readBody(req);
    await forward(this.backends[index]!, req, body, res);
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

/** A running `node dist/main.js`. */
export interface BotProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

export function startBot(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (d: Buffer) => stdout.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (d: Buffer) => stderr.push(...d.toString().split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exit };
}

export async function waitForLine(lines: string[], pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${lines.join('\n')}`);
}

/** The JSON log lines of a process, parsed. */
export function logLines(bot: BotProcess): Record<string, unknown>[] {
  return bot.stdout.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
