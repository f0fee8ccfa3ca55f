import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createReadingFetch, readingFetch } from '../../../src/slack/reading-fetch.js';
import { webClientOptions } from '../../../src/slack/web-client-options.js';

let base: string;
const server = createServer((req, res) => {
  if (req.url === '/hang') return; // never answers
  if (req.url === '/empty') {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain', 'x-slack-thing': 'kept' }).end('expired_url');
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe('the fetch Bolt and the Web API client use', () => {
  it('hands back the status, headers and body it read', async () => {
    const res = await createReadingFetch(2000)(`${base}/respond/x`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-slack-thing'), 'kept');
    assert.equal(await res.text(), 'expired_url');
  });

  it('handles answers without a body', async () => {
    const res = await createReadingFetch(2000)(`${base}/empty`);
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
  });

  it("is the fetch of every Slack client, Bolt's respond() included", () => {
    assert.equal(webClientOptions({ slack: { api_timeout_ms: 5000 } } as never).fetch, readingFetch);
  });

  it('gives up on a response_url that never answers, instead of waiting forever', async () => {
    await assert.rejects(createReadingFetch(200)(`${base}/hang`, { method: 'POST', body: '{}' }), {
      name: 'TimeoutError',
    });
  });
});
