/**
 * The sandbox is private (issue 14, item 13). Its page server drives the bot as any sandbox
 * person, so only this machine's own tab may use it: everything listens on 127.0.0.1 only, the
 * bot's signing secret is new each run, and the page API takes only same-origin JSON addressed
 * to a loopback host name.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';

let sandbox: Sandbox;
let pageUrl: URL;
let erin: string;
let channel: string;

before(async () => {
  sandbox = await startSandbox({ port: 0 });
  pageUrl = new URL(sandbox.url);
  erin = sandbox.file.slack.people[0]!.id;
  channel = sandbox.file.slack.channels[0]!.id;
});
after(async () => {
  await sandbox?.stop();
});

/** Whether a TCP connection to `host:port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** This machine's addresses other than 127.0.0.1: another loopback one, and its network ones. */
function otherAddresses(): string[] {
  const external = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && a.family === 'IPv4')
    .map((a) => a!.address);
  // All of 127/8 reaches this machine, but a server bound to 127.0.0.1 answers only there.
  return ['127.0.0.2', '::1', ...external];
}

/** A POST to the page API as a browser would send it, with the given headers. */
function post(path: string, body: string, headers: Record<string, string>) {
  return fetch(new URL(path, pageUrl), { method: 'POST', body, headers });
}

const command = (text: string) => JSON.stringify({ as: erin, channel, text });

/** Waits a moment, then says whether the stand-in saw any reply to Erin. */
async function erinGotAReply(since: number): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 800));
  return sandbox.standin.calls.length > since || sandbox.standin.responseUrlPosts.length > 0;
}

describe('the sandbox is private', () => {
  it('the page and the bot answer on 127.0.0.1 only, not from another address of this machine', async () => {
    const botPort = Number(new URL(sandbox.botUrl).port);
    const pagePort = Number(pageUrl.port);
    assert.equal(await accepts('127.0.0.1', pagePort), true);
    assert.equal(await accepts('127.0.0.1', botPort), true);
    for (const address of otherAddresses()) {
      assert.equal(await accepts(address, pagePort), false, `the page answered on ${address}`);
      assert.equal(await accepts(address, botPort), false, `the bot answered on ${address}`);
    }
  });

  it('the bot does not take requests signed with a secret from the source code: its secret is new each run', async () => {
    const body = new URLSearchParams({ command: '/secret', text: 'help', user_id: erin }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const old = 'sandbox-signing-secret-not-a-real-one';
    const signature = `v0=${createHmac('sha256', old).update(`v0:${ts}:${body}`).digest('hex')}`;
    const res = await fetch(sandbox.botUrl, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': signature,
      },
    });
    assert.equal(res.status, 401);
  });

  it('refuses a POST from another origin, and runs nothing', async () => {
    const since = sandbox.standin.calls.length;
    const res = await post('/api/command', command('/secret get shared/grafana-admin'), {
      'content-type': 'application/json',
      origin: 'https://attacker.example',
    });
    assert.equal(res.status, 403);
    assert.equal(await erinGotAReply(since), false);
  });

  it('refuses text/plain (what a cross-site page can send without asking), and runs nothing', async () => {
    const since = sandbox.standin.calls.length;
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await post('/api/command', command('/secret get shared/grafana-admin'), {
        'content-type': type,
      });
      assert.equal(res.status, 415, type);
    }
    assert.equal(await erinGotAReply(since), false);
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: Number(pageUrl.port),
          path: '/api/state',
          headers: { host: `rebound.example:${pageUrl.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 421);
  });

  it('still takes same-origin JSON from its own page: the command runs', async () => {
    const res = await post('/api/command', command('/secret help'), {
      'content-type': 'application/json; charset=utf-8',
      origin: `http://localhost:${pageUrl.port}`,
    });
    assert.equal(res.status, 200, await res.text());
    await sandbox.standin.waitFor(() => sandbox.standin.responseUrlPosts[0]);
  });
});
