import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { nodeHttpFetch } from '../../../src/slack/node-http-fetch.js';

let base: string;
const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    });
    if (req.url === '/hang') return;
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/target' }).end();
      return;
    }
    if (req.url === '/empty') {
      res.writeHead(204).end();
      return;
    }
    res
      .writeHead(req.url === '/target' ? 200 : 418, 'Teapot', [
        ['content-type', 'application/json'],
        ['x-many', 'a'],
        ['x-many', 'b'],
      ])
      .end(JSON.stringify({ ok: true, url: req.url }));
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe('nodeHttpFetch (the Slack clients’ fetch on node:http)', () => {
  it('sends the method, headers and a string body, and hands back status, status text, headers and body', async () => {
    const res = await nodeHttpFetch(`${base}/api/views.open`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-test' },
      body: 'trigger_id=1.2&view=%7B%7D',
    });
    const req = seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.body, 'trigger_id=1.2&view=%7B%7D');
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(req.headers['content-length'], String(req.body.length));
    assert.equal(req.headers.authorization, 'Bearer xoxb-test');
    assert.equal(res.status, 418);
    assert.equal(res.statusText, 'Teapot');
    assert.equal(res.headers.get('x-many'), 'a, b');
    assert.deepEqual(await res.json(), { ok: true, url: '/api/views.open' });
  });

  it('sends URLSearchParams and bytes as fetch does, with fetch’s default content type for a form', async () => {
    await nodeHttpFetch(`${base}/form`, { method: 'POST', body: new URLSearchParams({ a: '1 2' }) });
    assert.equal(seen.at(-1)!.body, 'a=1+2');
    assert.match(String(seen.at(-1)!.headers['content-type']), /^application\/x-www-form-urlencoded/);
    await nodeHttpFetch(`${base}/bytes`, { method: 'POST', body: new TextEncoder().encode('héllo') });
    assert.equal(seen.at(-1)!.body, 'héllo');
  });

  it('gives a bodiless answer a null body', async () => {
    const res = await nodeHttpFetch(`${base}/empty`);
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
  });

  it("refuses a redirect under redirect: 'error' (the Web API client's setting) and follows one by default", async () => {
    await assert.rejects(nodeHttpFetch(`${base}/moved`, { method: 'POST', body: '{}', redirect: 'error' }), {
      name: 'TypeError',
    });
    const res = await nodeHttpFetch(`${base}/moved`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, url: '/target' });
  });

  it('rejects with the signal’s reason when it fires, and at once when it already has', async () => {
    await assert.rejects(
      nodeHttpFetch(`${base}/hang`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(100) }),
      {
        name: 'TimeoutError',
      },
    );
    await assert.rejects(nodeHttpFetch(`${base}/x`, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('rejects a connection failure as fetch does (a TypeError), without the URL in its message', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await assert.rejects(
      nodeHttpFetch(`http://127.0.0.1:${port}/respond/secret-path`, { method: 'POST' }),
      (err: Error) => {
        assert.equal(err.name, 'TypeError');
        assert.ok(!err.message.includes('secret-path'));
        return true;
      },
    );
  });
});
