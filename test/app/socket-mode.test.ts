import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createApp } from '../../src/app.js';
import { buildDeps } from '../../src/build-deps.js';
import type { Config } from '../../src/config.js';
import { SlackAppTokenError } from '../../src/slack/receiver.js';
import { APP_TOKEN, type Harness, startHarness } from '../support/app-harness.js';
import { CANARY_PASSWORD, CANARY_TOKEN, config, seed, usergroups, users } from '../support/fixtures.js';
import { captureLogger } from '../support/log-capture.js';
import { hiddenWindow, shownIn } from '../support/windows.js';

let h: Harness;
let stopped = false;

before(async () => {
  h = await startHarness({ config, seed, users, usergroups, enforceIam: true, socketMode: true });
});
after(async () => {
  if (!stopped) await h?.stop();
});

/** Sends /secret get as an envelope; waits for the reveal window it opens. */
async function secret(userId: string, text: string) {
  const sent = await h.slack.socketMode.sendSlashCommand({ userId, command: '/secret', text });
  const shown = await shownIn(h.slack, sent.triggerId);
  return { sent, shown, json: shown.json };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('Socket Mode', () => {
  it('connects through apps.connections.open with the app-level token, and nothing else uses it', async () => {
    const opens = h.slack.callsTo('apps.connections.open');
    assert.equal(opens.length, 1);
    assert.equal(opens[0]!.response.ok, true);
    assert.match(
      String(opens[0]!.response.url),
      /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A\w+$/,
    );
    const [connection] = h.slack.socketMode.connections;
    assert.ok(connection, 'the app opened a WebSocket');
    assert.equal(connection.closedAt, undefined, 'and keeps it open');
    // The stand-in answers not_allowed_token_type to the app token anywhere else, invalid_auth
    // to anything but the bot token: every other call succeeding proves the tokens were not mixed.
    assert.ok(h.slack.calls.length > 1);
    for (const call of h.slack.calls) assert.equal(call.response.ok, true, call.method);
  });

  it('/secret get arrives as a slash_commands envelope, is acked at once, and the value comes in a window', async () => {
    h.aws.clear();
    const { sent, shown, json } = await secret('U0ALICE', 'get 2ndline/fastly');
    const { ack } = sent;
    assert.equal(ack.type, 'slash_commands');
    assert.equal(ack.envelope.accepts_response_payload, true);
    assert.deepEqual(ack.envelope.payload, sent.fields, 'the HTTP form fields, as JSON');
    assert.deepEqual(ack.payload, {}, 'a bare ack: no message in it');
    assert.equal(sent.body, '');
    assert.ok(!ack.late && ack.ackMs < 3000, `acked in ${ack.ackMs} ms`);

    assert.equal(h.slack.view(shown.viewId)?.user, 'U0ALICE');
    assert.ok(json.includes(CANARY_PASSWORD) && json.includes(CANARY_TOKEN));
    const [assume] = h.aws.callsOf('AssumeRole');
    assert.equal(assume?.params.RoleSessionName, 'slack-U0ALICE');
    const [read] = h.aws.callsOf('GetSecretValue');
    assert.notEqual(read?.accessKeyId, h.seeded.botCredentials!.accessKeyId, 'read under her role');
  });

  it('a click on "Hide now" arrives as an interactive block_actions envelope and hides the window', async () => {
    const { shown } = await secret('U0ALICE', 'get 2ndline/plain');
    assert.match(shown.json, /"action_id":"reveal_hide"/, 'the window has Hide now');
    const click = await h.slack.socketMode.sendBlockActions({
      userId: 'U0ALICE',
      actionId: 'reveal_hide',
      view: { id: shown.viewId },
    });
    assert.equal(click.ack.type, 'interactive');
    assert.equal(click.ack.envelope.payload['type'], 'block_actions');
    assert.ok(!click.ack.late);
    const hidden = await hiddenWindow(h.slack, shown.viewId);
    assert.ok(hidden && !JSON.stringify(hidden.view).includes(CANARY_PASSWORD));
  });

  it('answers GET /healthz with 200 on the health port, and 404 for anything else there', async () => {
    const health = await fetch(h.healthUrl);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const other = await fetch(h.healthUrl.replace('/healthz', '/slack/events'), { method: 'POST' });
    assert.equal(other.status, 404, 'Socket Mode serves no request URL');
  });

  it('keeps the link alive: answers pings, and pings the stand-in', async () => {
    const rtt = await h.slack.socketMode.ping();
    assert.ok(rtt < 1000, `pong after ${rtt} ms`);
    const connection = h.slack.socketMode.openConnections().at(-1)!;
    // The Socket Mode client pings every clientPingTimeout / 3 (5 s / 3).
    await h.slack.waitFor(() => connection.pingsFromApp > 0, 4000);
  });

  it('acknowledges 20 envelopes in a row well inside the 3 s window', async (t) => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { sent } = await secret('U0ALICE', 'get 2ndline/fastly');
      times.push(sent.ack.ackMs);
    }
    const mid = median(times);
    t.diagnostic(
      `socket-mode ack ms: median ${mid.toFixed(2)}, max ${Math.max(...times).toFixed(2)}, ` +
        `min ${Math.min(...times).toFixed(2)} (n=${times.length})`,
    );
    assert.ok(mid < 500, `median ${mid} ms`);
    assert.ok(
      times.every((ms) => ms < 3000),
      `every ack inside 3 s: ${times.map((ms) => ms.toFixed(1)).join(', ')}`,
    );
  });

  it('opens a new connection when Slack asks it to (refresh_requested), and keeps answering', async () => {
    const before = h.slack.socketMode.connections.length;
    h.slack.socketMode.requestDisconnect('refresh_requested');
    const old = h.slack.socketMode.connections[before - 1]!;
    await h.slack.waitFor(() => old.closedAt !== undefined, 2000);
    assert.equal(old.closedBy, 'app', 'the app closed the old connection itself');
    // The Socket Mode client waits clientPingTimeout (5 s) before reconnecting.
    const fresh = await h.slack.socketMode.waitForConnection(10_000);
    assert.notEqual(fresh.id, old.id);
    assert.notEqual(fresh.ticket, old.ticket, 'a fresh URL from apps.connections.open');
    assert.equal(h.slack.callsTo('apps.connections.open').length, 2);
    const { sent, json } = await secret('U0ALICE', 'get 2ndline/fastly');
    assert.equal(sent.ack.connectionId, fresh.id);
    assert.ok(json.includes(CANARY_PASSWORD));
  });

  it('fails start-up with SlackAppTokenError when Slack refuses the app-level token', async () => {
    const captured = captureLogger('error');
    const wrong: Config = {
      ...h.deps.config,
      store: { data_dir: mkdtempSync(join(tmpdir(), 'locksmith-test-wrong-token-')) },
      transport: { kind: 'socket', appToken: 'xapp-1-A0LOCKSMITH-1-revoked', healthPort: 0 },
    };
    const deps = buildDeps(wrong, { logger: captured.logger });
    const app = createApp(deps);
    const connectionsBefore = h.slack.socketMode.connections.length;
    try {
      await assert.rejects(app.start(), (err: unknown) => {
        assert.ok(err instanceof SlackAppTokenError, String(err));
        assert.equal(err.slackError, 'invalid_auth');
        assert.equal(err.code, 'slack_app_token_refused');
        return true;
      });
    } finally {
      await deps.store.close();
    }
    assert.equal(h.slack.callsTo('apps.connections.open').at(-1)?.response.error, 'invalid_auth');
    assert.equal(h.slack.socketMode.connections.length, connectionsBefore, 'no socket was opened');
    assert.ok(!captured.lines.join('\n').includes('revoked'), 'the token is not logged');
  });

  it('logs no secret value, token or response_url', () => {
    const logs = h.logs.join('\n');
    assert.ok(h.logs.length > 20, 'logs were captured');
    for (const leak of [CANARY_PASSWORD, CANARY_TOKEN, APP_TOKEN, 'xoxb-test-bot-token', '/respond/']) {
      assert.ok(!logs.includes(leak), `logs contain ${leak}`);
    }
  });
});

describe("the stand-in's Socket Mode endpoint", () => {
  async function call(method: string, init: { bearer?: string; form?: Record<string, string> }) {
    const res = await fetch(`${h.slack.apiUrl}${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
      },
      body: new URLSearchParams(init.form ?? {}).toString(),
    });
    return (await res.json()) as { ok: boolean; error?: string; url?: string };
  }

  it('takes the app-level token only in the Authorization header, and only for apps.connections.open', async () => {
    assert.equal((await call('apps.connections.open', {})).error, 'not_authed');
    assert.equal((await call('apps.connections.open', { form: { token: APP_TOKEN } })).error, 'invalid_auth');
    assert.equal(
      (await call('apps.connections.open', { bearer: 'xoxb-test-bot-token' })).error,
      'not_allowed_token_type',
    );
    assert.equal(
      (await call('chat.postMessage', { bearer: APP_TOKEN, form: { channel: 'U0ALICE', text: 'hi' } })).error,
      'not_allowed_token_type',
    );
  });

  it('says hello on a fresh URL, and refuses the same URL a second time', async () => {
    const { url } = await call('apps.connections.open', { bearer: APP_TOKEN });
    assert.ok(url);
    const socket = new WebSocket(url);
    const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
      socket.once('error', reject);
    });
    assert.equal(hello.type, 'hello');
    assert.equal(hello.num_connections, 2, "the bot's connection and this one");
    assert.deepEqual(hello.connection_info, { app_id: h.slack.appId });
    const again = new WebSocket(url);
    const status = await new Promise<number | undefined>((resolve) => {
      again.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      again.once('open', () => resolve(undefined));
      again.once('error', () => {});
    });
    assert.equal(status, 401, 'a ticket is single-use');
    again.terminate();
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close(1000);
    await closed;
    await h.slack.waitFor(() => h.slack.socketMode.openConnections().length === 1);
  });
});

describe('stopping', () => {
  it('a graceful stop closes the socket with a normal close and stops the health server', async () => {
    const connection = h.slack.socketMode.openConnections().at(-1)!;
    stopped = true;
    await h.stop();
    assert.ok(connection.closedAt !== undefined);
    assert.equal(connection.closedBy, 'app', 'the app closed it, before the stand-in stopped');
    assert.equal(connection.closeCode, 1000);
    await assert.rejects(fetch(h.healthUrl), 'the health port is closed');
  });
});
