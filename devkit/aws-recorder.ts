/**
 * A recording proxy in front of moto. It forwards every AWS request unchanged and notes the
 * service, the operation, the access key that signed it and (for query-protocol services such
 * as STS and IAM) the parameters. Tests use it to prove that a call ran under a person's
 * session, that AssumeRole carried SourceIdentity and tags, and how many AssumeRoles happened.
 * It also lets a test make AWS misbehave (`failNext`): answer with an error (throttling, a 500;
 * see aws-faults.ts for AWS's real bodies), answer late, never answer, or drop the connection.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedAwsCall {
  service: string;
  operation: string;
  accessKeyId: string;
  /** Form parameters for query-protocol calls (STS, IAM); JSON body fields otherwise. */
  params: Record<string, unknown>;
  /** The User-Agent header: what CloudTrail records as the event's userAgent. */
  userAgent: string;
  status: number;
}

/** An answer given instead of moto's. */
export interface InjectedFailure {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * What the proxy does with a matched call instead of forwarding it at once:
 * - an {@link InjectedFailure}: answers with it;
 * - `delay`: forwards it to moto after `ms` (a slow AWS);
 * - `hang`: never answers; the connection stays open until the client gives up or the
 *   recorder stops (a hung AWS);
 * - `reset`: drops the connection with a TCP reset before answering (ECONNRESET);
 * - `lose-answer`: forwards the call to moto (so it takes effect) and then drops the connection
 *   instead of passing the answer on: a write that happened although the caller saw it fail.
 */
export type AwsFault =
  | InjectedFailure
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'lose-answer' };

export class AwsRecorder {
  readonly calls: RecordedAwsCall[] = [];
  private failures: Array<{
    match: (c: Omit<RecordedAwsCall, 'status'>) => boolean;
    failure: AwsFault;
    times: number;
  }> = [];
  /** Calls held open by a `hang` fault, so stop() can release them. */
  private readonly hung = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<AwsRecorder> {
    const targetUrl = new URL(target);
    const holder: { recorder?: AwsRecorder } = {};
    const server = createServer((req, res) => holder.recorder!.handle(req, res, targetUrl));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.recorder = new AwsRecorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.recorder;
  }

  /** Calls of one operation, e.g. callsOf('AssumeRole'). */
  callsOf(operation: string): RecordedAwsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /**
   * The next `times` calls of `operation` (`'*'`: of any operation) get this fault instead of
   * reaching moto at once. Faults queue up in the order they were added.
   */
  failNext(operation: string, failure: AwsFault, times = 1): void {
    this.failures.push({ match: (c) => operation === '*' || c.operation === operation, failure, times });
  }

  /** Like {@link failNext}, for the calls `match` picks, e.g. the reads of one secret. */
  failWhere(match: (call: Omit<RecordedAwsCall, 'status'>) => boolean, failure: AwsFault, times = 1): void {
    this.failures.push({ match, failure, times });
  }

  /** Calls currently held open by a `hang` fault. */
  get hangingCalls(): number {
    return this.hung.size;
  }

  /**
   * Resolves once no AWS call has arrived for `quietMs`: work a request started after its reply
   * (notify-on-view's DescribeSecret, for one) has landed, so it is not counted for the next.
   */
  async quiet(quietMs = 200): Promise<void> {
    for (let seen = -1; this.calls.length !== seen;) {
      seen = this.calls.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }

  /** Forgets recorded calls and queued faults, and drops every hung call. */
  clear(): void {
    this.calls.length = 0;
    this.failures = [];
    this.releaseHung();
  }

  private releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call = describe(req, body);
      const injected = this.failures.find((f) => f.times > 0 && f.match(call));
      if (injected) injected.times--;
      const fault = injected?.failure;
      if (fault && !('kind' in fault)) {
        this.calls.push({ ...call, status: fault.status });
        res.writeHead(fault.status, {
          'content-type': fault.contentType ?? 'application/x-amz-json-1.1',
          ...fault.headers,
        });
        res.end(fault.body);
        return;
      }
      if (fault?.kind === 'hang') {
        this.calls.push({ ...call, status: 0 });
        this.hung.add(res);
        res.on('close', () => this.hung.delete(res));
        return;
      }
      if (fault?.kind === 'reset') {
        this.calls.push({ ...call, status: 0 });
        req.socket.resetAndDestroy();
        return;
      }
      if (fault?.kind === 'lose-answer') {
        this.forward(req, res, target, call, body, true);
        return;
      }
      if (fault?.kind === 'delay') {
        const timer = setTimeout(() => this.forward(req, res, target, call, body), fault.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      this.forward(req, res, target, call, body);
    });
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: URL,
    call: Omit<RecordedAwsCall, 'status'>,
    body: Buffer,
    loseAnswer = false,
  ): void {
    if (res.destroyed) return; // the client gave up while the call was delayed
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        this.calls.push({ ...call, status: up.statusCode ?? 0 });
        if (loseAnswer) {
          up.resume();
          req.socket.resetAndDestroy();
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
    upstream.end(body);
  }

  async stop(): Promise<void> {
    this.releaseHung();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function describe(req: IncomingMessage, body: Buffer): Omit<RecordedAwsCall, 'status'> {
  const auth = String(req.headers.authorization ?? '');
  const cred = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth);
  const accessKeyId = cred?.[1] ?? '';
  const service = cred?.[2] ?? '';
  const userAgent = String(req.headers['user-agent'] ?? '');
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    let params: Record<string, unknown> = {};
    try {
      params = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // not JSON; leave params empty
    }
    return { service, operation: target.split('.').pop() ?? target, accessKeyId, params, userAgent };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const params: Record<string, unknown> = {};
  for (const [k, v] of form) params[k] = v;
  return { service, operation: String(params.Action ?? ''), accessKeyId, params, userAgent };
}
