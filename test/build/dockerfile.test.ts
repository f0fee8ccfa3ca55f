/**
 * The Dockerfile is proven in the test command (issue 15): no Docker engine runs here, so its
 * stages are performed step by step as written (test/support/dockerfile-emulator.ts), and the
 * runtime stage is checked for what the image must and must not hold. The image once failed to
 * build (TS5058: `npm run build` needed a tsconfig the Dockerfile did not copy) and nothing saw it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DockerfileEmulator, listFiles, parseDockerfile } from '../support/dockerfile-emulator.js';

const ROOT = join(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const LOCK = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};
const temps: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'locksmith-docker-'));
  temps.push(dir);
  return dir;
};
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** `@scope/name` or `name` of a bare import specifier. */
const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

describe('the Dockerfile', () => {
  it('builds: every stage performed as written, and the runtime stage holds the bot only', () => {
    const docker = new DockerfileEmulator(ROOT, temp());
    const runtime = docker.run(DOCKERFILE);
    const app = docker.at(runtime, '/app');

    // Runs as a non-root user, in production mode, the compiled entry point.
    assert.notEqual(runtime.user, 'root');
    assert.notEqual(runtime.user, '0');
    assert.equal(runtime.env.NODE_ENV, 'production');
    assert.match(runtime.cmd ?? '', /"node",\s*"dist\/main\.js"/);

    const dist = listFiles(join(app, 'dist'));
    assert.ok(dist.includes('main.js'), 'dist/main.js is in the image');
    assert.ok(dist.includes('lambda.js'), 'dist/lambda.js is in the image');
    // No test double, no sandbox.
    assert.deepEqual(
      dist.filter((f) => /^(devkit|sandbox)\//.test(f)),
      [],
      'dist/devkit and dist/sandbox are not in the image',
    );
    for (const dir of ['devkit', 'sandbox', 'dist-sandbox'])
      assert.ok(!existsSync(join(app, dir)), `${dir}/ is not in the image`);

    // No dev dependency in node_modules, and every package the compiled code imports is there.
    const installed = new Set(
      Object.keys(LOCK.packages)
        .map((p) => /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(p)?.[1])
        .filter((n): n is string => Boolean(n))
        .filter((n) => {
          try {
            return readFileSync(join(app, 'node_modules', n, 'package.json')).length > 0;
          } catch {
            return false;
          }
        }),
    );
    const dev = [...installed].filter((n) => LOCK.packages[`node_modules/${n}`]?.dev);
    assert.deepEqual(dev, [], 'no dev dependency in the image');
    for (const name of ['typescript', 'eslint', 'tsx', 'ws', 'playwright-core', 'fast-check'])
      assert.ok(!installed.has(name), `${name} is not in the image`);

    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of dist.filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(app, 'dist', file), 'utf8');
      for (const m of code.matchAll(/(?:from\s+|import\(\s*)'([^'.][^']*)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || builtins.has(spec)) continue;
        if (!installed.has(packageOf(spec))) missing.add(`${packageOf(spec)} (imported by dist/${file})`);
      }
    }
    assert.deepEqual([...missing], [], 'every package the bot imports is installed in the image');
  });

  it('uses the Node.js major CI tests on (.nvmrc) in every stage', () => {
    const major = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim().replace(/^v/, '').split('.')[0];
    const froms = parseDockerfile(DOCKERFILE).filter((i) => i.op === 'FROM');
    assert.ok(froms.length >= 2);
    for (const from of froms) assert.match(from.args, new RegExp(`^node:${major}-`), `line ${from.line}`);
  });

  it('fails when a stage needs a file it did not copy (the TS5058 break)', () => {
    const broken = DOCKERFILE.replace('COPY tsconfig.json tsconfig.build.json ./', 'COPY tsconfig.json ./');
    assert.notEqual(broken, DOCKERFILE, 'the Dockerfile copies the tsconfig files in one line');
    assert.throws(() => new DockerfileEmulator(ROOT, temp()).run(broken), /RUN npm run build/);
  });

  it('fails on a COPY of a file the build context lacks or .dockerignore leaves out', () => {
    const missing = DOCKERFILE.replace('COPY src ./src', 'COPY src ./src\nCOPY tsconfig.missing.json ./');
    assert.throws(
      () => new DockerfileEmulator(ROOT, temp()).run(missing),
      /tsconfig\.missing\.json: not found/,
    );
    const ignored = DOCKERFILE.replace('COPY src ./src', 'COPY test ./test');
    assert.throws(() => new DockerfileEmulator(ROOT, temp()).run(ignored), /excluded by \.dockerignore/);
    // The test doubles and the sandbox cannot be copied in by mistake either.
    for (const dir of ['devkit', 'sandbox']) {
      const copied = DOCKERFILE.replace('COPY src ./src', `COPY src ./src\nCOPY ${dir} ./${dir}`);
      assert.throws(
        () => new DockerfileEmulator(ROOT, temp()).run(copied),
        new RegExp(`${dir}: excluded by \\.dockerignore`),
      );
    }
  });

  it('refuses a RUN step it cannot perform instead of skipping it', () => {
    const unknown = DOCKERFILE.replace('RUN npm ci\n', 'RUN ./configure && npm ci\n');
    assert.notEqual(unknown, DOCKERFILE);
    assert.throws(
      () => new DockerfileEmulator(ROOT, temp()).run(unknown),
      /does not know how to perform "\.\/configure"/,
    );
  });
});
