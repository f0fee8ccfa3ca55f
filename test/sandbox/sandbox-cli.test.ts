/**
 * `npm run sandbox` as a process (the built dist-sandbox/sandbox/main.js, which the npm script runs
 * after building): it starts and serves the page, and its failures are one clear sentence.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist-sandbox/sandbox/main.js');

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** Every sandbox started: whatever a failed test leaves running is killed with its moto. */
const started: ChildProcess[] = [];
after(() => {
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) continue;
    try {
      process.kill(-child.pid, 'SIGKILL'); // its process group: the sandbox and the moto it started
    } catch {
      // already gone
    }
  }
});

function sandbox(args: string[]): Running {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a test that fails half-way can still stop it and its moto.
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

// Generous: the sandbox starts moto and seeds it, which takes far longer on a loaded CI machine.
async function waitForOutput(run: Running, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(run.output());
    if (match) return match;
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no output matching ${pattern}; got:\n${run.output()}`);
}

before(() => {
  assert.ok(
    existsSync(MAIN),
    'dist-sandbox/sandbox/main.js is missing: run `npm run build:sandbox` first (npm test does)',
  );
});

describe('npm run sandbox', { timeout: 300_000 }, () => {
  it('starts everything, prints the URL and what to try, serves the page, and stops on SIGTERM', async () => {
    const run = sandbox(['--port', '0']);
    const [, url] = await waitForOutput(run, /open (http:\/\/localhost:\d+)/);
    assert.match(run.output(), /\/secret get shared\/grafana-admin/);
    assert.match(run.output(), /\/rotate-key ci-deploy/);
    const page = await fetch(url!.replace('localhost', '127.0.0.1'));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>locksmith sandbox<\/title>/);
    const script = await fetch(`${url!.replace('localhost', '127.0.0.1')}/js/page.js`);
    assert.equal(script.status, 200);
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 0);
  });

  it('names the busy port and how to pick another', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const run = sandbox(['--port', String(port)]);
      assert.equal(await run.exit, 2);
      assert.match(run.output(), new RegExp(`port ${port} is already in use .*--port ${port + 1}`));
      assert.doesNotMatch(run.output(), /at .*\.js:\d+/, 'no stack trace');
    } finally {
      server.close();
    }
  });

  it('says how to install moto when the Python has none', async () => {
    const run = sandbox(['--port', '0', '--python', '/nonexistent/python3']);
    assert.equal(await run.exit, 2);
    assert.match(run.output(), /moto is not installed for \/nonexistent\/python3/);
    // The system-wide pip install is refused on Debian 12 / Ubuntu 24.04: the venv and pipx forms.
    assert.match(run.output(), /python3 -m venv \.venv && \.venv\/bin\/pip install 'moto\[server\]'/);
    assert.match(run.output(), /pipx install 'moto\[server\]'/);
    assert.doesNotMatch(run.output(), /python3 -m pip install/);
  });

  it('reports each problem in a bad sandbox file by field, and starts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-file-'));
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'slack:',
        '  people: [{ id: nobody, name: Erin, real_name: E, email: e@example.com }]',
        '  channels: [{ id: C0GENERAL, name: general, members: [U0MISSING] }]',
        'aws:',
        '  roles: [{ name: r, policy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "*", Resource: "*" }] } }]',
        '  secrets: [{ name: ci/key, value: "{{nokey.id}}" }]',
        '  colour: blue',
      ].join('\n'),
    );
    const run = sandbox(['--port', '0', '--sandbox', bad]);
    assert.equal(await run.exit, 2);
    const out = run.output();
    assert.match(out, /bad\.yml: slack\.people\[0\]\.id: expected a Slack user ID/);
    assert.match(out, /bad\.yml: slack\.people\[0\]\.name: a Slack handle/);
    assert.match(out, /bad\.yml: aws: unknown field\(s\) "colour"/);
    assert.doesNotMatch(out, /locksmith sandbox is running/);
  });

  it('reports a sandbox file that is not YAML with its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-file-'));
    const bad = join(dir, 'broken.yml');
    writeFileSync(bad, 'slack:\n  people: [\n');
    const run = sandbox(['--port', '0', '--sandbox', bad]);
    assert.equal(await run.exit, 2);
    assert.match(run.output(), /broken\.yml:\d+:\d+: not valid YAML/);
  });
});
