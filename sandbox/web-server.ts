/**
 * The sandbox page's server on 127.0.0.1: the page itself, and a small JSON API through which
 * the page does what a Slack client does (send a slash command, click, submit a modal, open
 * the App Home — each as a signed request to the bot, sent by the devkit's request sender)
 * and what the world does on its own (time passing, a consumer using a key). Everything the
 * page shows is read back from the Slack stand-in, the way the person would see it: channel
 * messages, their own ephemeral messages, their modal, their Home tab.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SlackRequestSender } from '../devkit/slack-request-sender.js';
import type { SlackStandin } from '../devkit/slack-standin.js';
import { isRecord, readBody, sendJson, stringArg } from '../devkit/standin-http.js';
import { REPO_ROOT as ROOT } from '../devkit/repo-root.js';
import { type AwsConsole, ConsoleError } from './aws-console.js';
import type { SandboxClock } from './sandbox.js';
import type { SandboxFile } from './sandbox-file.js';

const STATIC_DIR = join(ROOT, 'sandbox', 'web', 'static');
const SCRIPT_DIR = join(ROOT, 'dist-sandbox', 'sandbox', 'web');
const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: join(STATIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/sandbox.css': { file: join(STATIC_DIR, 'sandbox.css'), type: 'text/css; charset=utf-8' },
  '/favicon.ico': { file: join(STATIC_DIR, 'favicon.svg'), type: 'image/svg+xml' },
};

export interface WebServerOptions {
  port: number;
  file: SandboxFile;
  standin: SlackStandin;
  sender: SlackRequestSender;
  console: AwsConsole;
  clock: SandboxClock;
  logFile: string;
  advanceClock(ms: number): Promise<void>;
}

export interface SandboxWebServer {
  url: string;
  stop(): Promise<void>;
}

/** A request the page got wrong, or an action Slack itself would refuse; shown as a toast. */
class PageError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The slash commands the app's manifest declares: Slack routes only these to the app. */
function manifestCommands(): Array<{ command: string; description: string; usageHint: string }> {
  try {
    const manifest = parseYaml(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')) as {
      features?: { slash_commands?: Array<{ command: string; description?: string; usage_hint?: string }> };
    };
    return (manifest.features?.slash_commands ?? []).map((c) => ({
      command: c.command,
      description: c.description ?? '',
      usageHint: c.usage_hint ?? '',
    }));
  } catch {
    return [];
  }
}

function str(body: Record<string, unknown>, name: string): string {
  const value = stringArg(body[name]);
  if (value === undefined || value === '') throw new PageError(`missing "${name}"`);
  return value;
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/**
 * Why a request to the page server is refused, or undefined. The server drives the bot as any
 * sandbox person, so only this machine's own browser tab may use it:
 * - it listens on 127.0.0.1 only (not here: in listen());
 * - `Host` must name it by a loopback name and its port: a web page that rebinds its own DNS
 *   name to 127.0.0.1 reaches the port, but sends its own name as Host;
 * - `Origin`, which browsers send with every POST and every cross-origin request, must be the
 *   page's own: another site cannot drive it from a visitor's browser;
 * - a POST must be `application/json`, which no HTML form can send, and which a cross-origin
 *   script may send only after a CORS preflight this server never grants.
 */
function refusal(req: IncomingMessage, port: number): { status: number; message: string } | undefined {
  const own = [`localhost:${port}`, `127.0.0.1:${port}`];
  const host = (req.headers.host ?? '').toLowerCase();
  if (!own.includes(host)) {
    return { status: 421, message: `the sandbox answers only as http://localhost:${port}` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !own.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { status: 403, message: 'the sandbox takes requests from its own page only' };
  }
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      return { status: 415, message: 'the sandbox API takes application/json only' };
  }
  return undefined;
}

export async function startWebServer(options: WebServerOptions): Promise<SandboxWebServer> {
  const { standin, sender, file } = options;
  const commands = manifestCommands();
  const people = new Map(file.slack.people.map((p) => [p.id, p]));
  const sseClients = new Set<ServerResponse>();
  let changeTimer: NodeJS.Timeout | undefined;
  const announce = (what: 'slack' | 'aws') => {
    // Bursts of Web API calls (a reveal is 3–4) become one refresh on the page.
    if (changeTimer && what === 'slack') return;
    clearTimeout(changeTimer);
    changeTimer = setTimeout(() => {
      changeTimer = undefined;
      for (const res of sseClients) res.write(`data: ${what}\n\n`);
    }, 40);
  };
  const stopListening = standin.onActivity(() => announce('slack'));

  function person(id: string): string {
    if (!people.has(id)) throw new PageError(`${id} is not a person in the sandbox file`);
    return id;
  }

  /** What `as` sees: their channels, the conversation's messages, their modal and Home. */
  function state(as: string, conversation: string | undefined): Record<string, unknown> {
    // A fresh page (or one remembering a person from another sandbox file) starts as the first person.
    const me = people.has(as) ? as : file.slack.people[0]!.id;
    const dm = standin.dmChannelFor(me);
    const channels = file.slack.channels.filter((c) => (c.members ?? [...people.keys()]).includes(me));
    const conv =
      conversation && (conversation === dm || channels.some((c) => c.id === conversation))
        ? conversation
        : (channels[0]?.id ?? dm);
    const visible = [
      ...standin.channelMessages(conv).map((m) => ({
        ts: m.ts,
        threadTs: m.threadTs,
        user: m.user,
        bot: m.botId !== undefined,
        ephemeral: false,
        text: m.text,
        blocks: m.blocks,
        edited: m.history.length > 0,
      })),
      ...standin
        .ephemeralMessages(me)
        .filter((m) => m.channel === conv && !m.deleted)
        .map((m) => ({
          ts: m.ts,
          threadTs: undefined,
          user: standin.botUserId,
          bot: true,
          ephemeral: true,
          text: m.text,
          blocks: m.blocks,
          edited: m.history.length > 0,
        })),
    ].sort((a, b) => Number(a.ts.split('.')[1]) - Number(b.ts.split('.')[1]));
    const modal = standin.openModalOf(me);
    const home = standin.views(me).find((v) => v.type === 'home');
    return {
      me,
      botUserId: standin.botUserId,
      now: options.clock.now(),
      offsetMs: options.clock.offsetMs,
      people: file.slack.people.map((p) => ({
        id: p.id,
        name: p.name,
        realName: p.real_name,
        about: p.about,
      })),
      users: Object.fromEntries([
        ...file.slack.people.map((p) => [p.id, p.real_name]),
        [standin.botUserId, 'locksmith'],
      ]),
      channelNames: Object.fromEntries(file.slack.channels.map((c) => [c.id, c.name])),
      conversations: [
        ...channels.map((c) => ({ id: c.id, name: c.name, kind: 'channel' })),
        { id: dm, name: 'locksmith', kind: 'app' },
      ],
      conversation: conv,
      messages: visible,
      modal: modal ? { id: modal.id, view: modal.view } : null,
      home: home ? { id: home.id, view: home.view } : null,
      commands,
    };
  }

  async function slashCommand(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const as = person(str(body, 'as'));
    const channel = str(body, 'channel');
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(str(body, 'text').trim());
    if (!match) throw new PageError('a slash command starts with "/"');
    const command = `/${match[1]}`;
    if (!commands.some((c) => c.command === command))
      throw new PageError(
        `${command} is not a valid command. In Slack, all messages that start with "/" are interpreted as commands.`,
      );
    const sent = await sender.slashCommand({ userId: as, command, text: match[2] ?? '', channelId: channel });
    if (sent.status !== 200) throw new PageError(`${command} failed with the error "dispatch_failed"`, 502);
    // Slack shows a non-empty acknowledgement to the person only, like an ephemeral message.
    const ack = record(sent.json);
    if (typeof ack['text'] === 'string' || Array.isArray(ack['blocks'])) {
      standin.addEphemeralMessage({
        channel,
        user: as,
        ...(typeof ack['text'] === 'string' ? { text: ack['text'] } : {}),
        ...(Array.isArray(ack['blocks']) ? { blocks: ack['blocks'] as never } : {}),
      });
    }
    return { ok: true };
  }

  /** A click or a selection in a message or a view. */
  async function action(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const as = person(str(body, 'as'));
    const actionId = str(body, 'actionId');
    const blockId = stringArg(body['blockId']) || undefined;
    const extra: Record<string, unknown> = {};
    if (body['selectedOption'] !== undefined) extra['selected_option'] = body['selectedOption'];
    if (body['selectedOptions'] !== undefined) extra['selected_options'] = body['selectedOptions'];
    const common = {
      userId: as,
      actionId,
      ...(blockId !== undefined ? { blockId } : {}),
      ...(stringArg(body['value']) !== undefined ? { value: stringArg(body['value'])! } : {}),
      ...(stringArg(body['actionType']) !== undefined ? { actionType: stringArg(body['actionType'])! } : {}),
      action: extra,
    };
    const viewId = stringArg(body['viewId']);
    const sent = viewId
      ? await sender.blockActions({
          ...common,
          view: { id: viewId, state: { values: record(body['values']) } },
        })
      : await sender.blockActions({ ...common, channelId: str(body, 'channel'), messageTs: str(body, 'ts') });
    if (sent.status !== 200)
      throw new PageError(`locksmith did not handle the click (HTTP ${sent.status})`, 502);
    return { ok: true };
  }

  async function submit(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const as = person(str(body, 'as'));
    const stored = standin.view(str(body, 'viewId'));
    if (!stored || stored.user !== as || stored.closed) throw new PageError('that window is no longer open');
    const sent = await sender.viewSubmission({
      userId: as,
      view: {
        id: stored.id,
        callback_id: stored.callbackId ?? '',
        ...(stored.privateMetadata !== undefined ? { private_metadata: stored.privateMetadata } : {}),
        state: { values: record(body['values']) },
      },
    });
    if (sent.status !== 200)
      throw new PageError(`locksmith did not handle the form (HTTP ${sent.status})`, 502);
    if (sent.ackViewError)
      throw new PageError(`Slack refused the app's new view: ${sent.ackViewError.error}`, 502);
    const ack = record(sent.json);
    return { ok: true, errors: ack['response_action'] === 'errors' ? record(ack['errors']) : {} };
  }

  async function suggest(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const as = person(str(body, 'as'));
    const result = await sender.blockSuggestion({
      userId: as,
      actionId: str(body, 'actionId'),
      value: stringArg(body['value']) ?? '',
      ...(stringArg(body['blockId']) ? { blockId: stringArg(body['blockId'])! } : {}),
      view: { id: str(body, 'viewId'), state: { values: record(body['values']) } },
    });
    return { options: result.options };
  }

  function readLog(): string[] {
    if (!existsSync(options.logFile)) return [];
    return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').filter(Boolean).slice(-200);
  }

  const routes: Record<string, (body: Record<string, unknown>, url: URL) => Promise<unknown> | unknown> = {
    'GET /api/state': (_, url) =>
      state(url.searchParams.get('as') ?? '', url.searchParams.get('conv') ?? undefined),
    'POST /api/command': slashCommand,
    'POST /api/message': (body) => {
      const as = person(str(body, 'as'));
      const channel = str(body, 'channel');
      if (channel.startsWith('D')) throw new PageError('Sending messages to this app has been turned off.');
      standin.addChannelMessage({ channel, user: as, text: str(body, 'text') });
      return { ok: true };
    },
    'POST /api/action': action,
    'POST /api/submit': submit,
    'POST /api/suggest': suggest,
    'POST /api/close': async (body) => {
      // The person's Close button: Slack tells the bot (view_closed) when the view asked for it.
      const as = person(str(body, 'as'));
      if (standin.openModalOf(as)?.id !== str(body, 'viewId'))
        throw new PageError('that window is no longer open');
      await sender.closeModal({ userId: as });
      return { ok: true };
    },
    'POST /api/home': async (body) => {
      await sender.appHomeOpened({ userId: person(str(body, 'as')) });
      return { ok: true };
    },
    'POST /api/clock': async (body) => {
      const ms = Number(body['advanceMs']);
      if (!Number.isFinite(ms) || ms <= 0 || ms > 400 * 86_400_000)
        throw new PageError('advanceMs: a positive number of milliseconds');
      await options.advanceClock(ms);
      announce('aws');
      return { now: options.clock.now(), offsetMs: options.clock.offsetMs };
    },
    'GET /api/aws': () => options.console.snapshot(),
    'POST /api/use-key': async (body) => {
      const arn = await options.console.useKey(str(body, 'accessKeyId'));
      announce('aws');
      return { arn };
    },
    'GET /api/log': () => ({ lines: readLog() }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refusal(req, port);
    if (refused) return sendJson(res, refused.status, { error: refused.message });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const asset = STATIC_FILES[url.pathname];
    if (req.method === 'GET' && asset) return serveFile(res, asset.file, asset.type);
    const script = /^\/js\/([a-z-]+\.js)$/.exec(url.pathname);
    if (req.method === 'GET' && script) {
      return serveFile(res, join(SCRIPT_DIR, script[1]!), 'text/javascript; charset=utf-8');
    }
    if (req.method === 'GET' && url.pathname === '/api/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) return sendJson(res, 404, { error: 'not found' });
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      try {
        body = record(JSON.parse((await readBody(req)) || '{}'));
      } catch {
        return sendJson(res, 400, { error: 'the body is not JSON' });
      }
    }
    try {
      sendJson(res, 200, (await route(body, url)) as Record<string, unknown>);
    } catch (err) {
      if (err instanceof PageError) return sendJson(res, err.status, { error: err.message });
      if (err instanceof ConsoleError) return sendJson(res, 409, { error: err.message });
      console.error('sandbox page: request failed', err);
      sendJson(res, 500, { error: (err as Error).message });
    }
  }

  function serveFile(res: ServerResponse, path: string, type: string): void {
    if (!existsSync(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`${path} is missing: run \`npm run build\` (npm run sandbox does)`);
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(readFileSync(path));
  }

  let port = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('sandbox page: request failed', err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  const keepAlive = setInterval(() => {
    for (const res of sseClients) res.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    async stop() {
      stopListening();
      clearInterval(keepAlive);
      clearTimeout(changeTimer);
      for (const res of sseClients) res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
