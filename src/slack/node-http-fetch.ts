/**
 * A `fetch` for the Slack clients on node:http / node:https with keep-alive agents, reading
 * each answer whole. Node's global fetch (undici behind WHATWG streams) costs about 1.3–1.5 times the
 * wall time and CPU of a plain node:http request per Web API call (`bench/slack-fetch.ts`,
 * figures in the README); every reveal makes two Slack calls (the window with the value, then
 * its hide), one of them between the person's command and the value on screen.
 *
 * It handles what the Slack clients send: POST/GET with a string, URLSearchParams or byte body,
 * an AbortSignal, and `redirect: 'error'` (the Web API client) or the default `'follow'` (Bolt's
 * `respond()`). Anything else (a FormData or stream body: file uploads) and a redirect to follow
 * go to the global fetch, so behaviour never depends on which path a request took.
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

// Keep-alive, as fetch does, and an idle connection closed after 4 s, as undici (the global
// fetch) does by default: the same connection behaviour towards Slack as before.
const agents = {
  'http:': new HttpAgent({ keepAlive: true, timeout: 4000 }),
  'https:': new HttpsAgent({ keepAlive: true, timeout: 4000 }),
};

/** Statuses whose Response may not carry a body (the Fetch standard's null body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The request body as bytes, or `undefined` when none; `null` when only the global fetch can send it. */
function bodyOf(body: RequestInit['body']): { bytes?: Buffer; type?: string } | null {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return { bytes: Buffer.from(body), type: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams)
    return { bytes: Buffer.from(body.toString()), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (body instanceof ArrayBuffer) return { bytes: Buffer.from(body) };
  if (ArrayBuffer.isView(body)) return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  return null;
}

function responseOf(res: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const status = res.statusCode ?? 0;
  return new Response(NULL_BODY.has(status) ? null : body, {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}

/** A fetch over node:http(s) that reads the whole answer before resolving. */
export const nodeHttpFetch: FetchLike = (input, init) => {
  if (input instanceof Request || init?.method === 'CONNECT') return fetch(input, init);
  const url = new URL(String(input));
  const agent = url.protocol === 'http:' || url.protocol === 'https:' ? agents[url.protocol] : undefined;
  const body = bodyOf(init?.body);
  if (!agent || body === null) return fetch(input, init);

  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (body.bytes) {
    if (body.type && headers['content-type'] === undefined) headers['content-type'] = body.type;
    headers['content-length'] = String(body.bytes.length);
  }
  const signal = init?.signal ?? undefined;
  const redirect = init?.redirect ?? 'follow';

  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: init?.method ?? 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location && redirect !== 'manual') {
          if (redirect === 'error')
            fail(new TypeError('fetch failed', { cause: new Error('unexpected redirect') }));
          else fetch(input, init).then(resolve, reject); // a redirect to follow: the global fetch does it
          return;
        }
        resolve(responseOf(res, Buffer.concat(chunks)));
      });
    });
    function fail(err: unknown): void {
      signal?.removeEventListener('abort', onAbort);
      reject(
        err instanceof Error && err.name !== 'TypeError'
          ? new TypeError('fetch failed', { cause: err })
          : err,
      );
    }
    function onAbort(): void {
      req.destroy();
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      if (signal?.aborted) return; // already rejected with the signal's reason
      fail(err);
    });
    req.end(body.bytes);
  });
};
