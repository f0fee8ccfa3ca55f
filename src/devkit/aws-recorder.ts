/**
 * A recording proxy in front of moto. It forwards every AWS request unchanged and notes the
 * service, the operation, the access key that signed it and (for query-protocol services such
 * as STS and IAM) the parameters. Tests use it to prove that a call ran under a person's
 * session, that AssumeRole carried SourceIdentity and tags, and how many AssumeRoles happened.
 * It also lets a test make AWS fail (`failNext`), as throttling or an outage would.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedAwsCall {
  service: string;
  operation: string;
  accessKeyId: string;
  /** Form parameters for query-protocol calls (STS, IAM); JSON body fields otherwise. */
  params: Record<string, unknown>;
  status: number;
}

export interface InjectedFailure {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export class AwsRecorder {
  readonly calls: RecordedAwsCall[] = [];
  private failures: Array<{
    match: (c: Omit<RecordedAwsCall, 'status'>) => boolean;
    failure: InjectedFailure;
    times: number;
  }> = [];

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

  /** The next `times` calls of `operation` get this answer instead of reaching moto. */
  failNext(operation: string, failure: InjectedFailure, times = 1): void {
    this.failures.push({ match: (c) => c.operation === operation, failure, times });
  }

  clear(): void {
    this.calls.length = 0;
    this.failures = [];
  }

  private handle(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call = describe(req, body);
      const injected = this.failures.find((f) => f.times > 0 && f.match(call));
      if (injected) {
        injected.times--;
        this.calls.push({ ...call, status: injected.failure.status });
        res.writeHead(injected.failure.status, {
          'content-type': injected.failure.contentType ?? 'application/x-amz-json-1.1',
          ...injected.failure.headers,
        });
        res.end(injected.failure.body);
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          this.calls.push({ ...call, status: up.statusCode ?? 0 });
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function describe(req: IncomingMessage, body: Buffer): Omit<RecordedAwsCall, 'status'> {
  const auth = String(req.headers.authorization ?? '');
  const cred = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth);
  const accessKeyId = cred?.[1] ?? '';
  const service = cred?.[2] ?? '';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    let params: Record<string, unknown> = {};
    try {
      params = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // not JSON; leave params empty
    }
    return { service, operation: target.split('.').pop() ?? target, accessKeyId, params };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const params: Record<string, unknown> = {};
  for (const [k, v] of form) params[k] = v;
  return { service, operation: String(params.Action ?? ''), accessKeyId, params };
}
