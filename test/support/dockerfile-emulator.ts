/**
 * Performs a Dockerfile's stages in temporary directories, without a Docker engine (none runs
 * here, and no base image can be pulled), so a test can prove the image builds as written.
 *
 * Each stage gets a directory standing for its filesystem root. What it does per instruction:
 * - `COPY a b ./` from the build context, with .dockerignore applied as Docker does (a file the
 *   context does not hold fails the stage, exactly as `docker build` would);
 * - `COPY --from=stage` from that stage's directory;
 * - `WORKDIR`, `ENV`, `USER` are recorded; `RUN` is performed:
 *   - `npm ci` / `npm ci --omit=dev`: needs package.json and package-lock.json in the working
 *     directory, identical to the repository's (npm ci refuses otherwise); the packages the lock
 *     file names for that mode are linked from the repository's own `npm ci` (reinstalling them
 *     would only repeat what CI's `npm ci` just proved, at minutes per stage);
 *   - `npm run SCRIPT`: run for real in the stage's directory (`npm run build` compiles there);
 *   - `apt-get …` (system packages of the base image), `npm cache clean`, `chown`: noted only;
 *   - `mkdir -p DIR…`: made inside the stage's root;
 *   - anything else fails the check, so a new RUN line is taught here rather than skipped.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  root: string;
  workdir: string;
  user: string;
  env: Record<string, string>;
  /** What the emulator did not perform itself (apt-get, chown…), for the record. */
  noted: string[];
  cmd?: string;
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + ' ' + lines[++i]!.replace(/^\s*#.*$/, '');
    }
    const m = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot read "${line}"`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

/** .dockerignore patterns (Go filepath.Match per path, a match also excludes what is below). */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (patterns.some((p) => p.startsWith('!')))
    throw new Error(
      '.dockerignore exceptions (!) are not emulated: teach test/support/dockerfile-emulator.ts',
    );
  const regexes = patterns.map((p) => {
    const body = p
      .replace(/^\/+|\/+$/g, '')
      .split('')
      .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')
      .replace(/\[\^\/\]\*\[\^\/\]\*/g, '.*'); // ** crosses folders
    return new RegExp(`^${body}(/.*)?$`);
  });
  return (path) => regexes.some((r) => r.test(path));
}

interface LockPackage {
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

export class DockerfileEmulator {
  readonly stages = new Map<string, Stage>();
  private readonly ignored: (path: string) => boolean;

  constructor(
    private readonly context: string,
    private readonly tmp: string,
  ) {
    const ignoreFile = join(context, '.dockerignore');
    this.ignored = dockerignore(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '');
  }

  /** Runs every stage in order; throws with the Dockerfile line on the first failing step. */
  run(dockerfile: string): Stage {
    let stage: Stage | undefined;
    for (const ins of parseDockerfile(dockerfile)) {
      try {
        if (ins.op === 'FROM') {
          const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
          if (!m) throw new Error(`cannot read FROM ${ins.args}`);
          const name = m[2] ?? `stage${this.stages.size}`;
          const root = join(this.tmp, name);
          mkdirSync(root, { recursive: true });
          stage = { name, from: m[1]!, root, workdir: '/', user: 'root', env: {}, noted: [] };
          this.stages.set(name, stage);
          continue;
        }
        if (!stage) throw new Error(`${ins.op} before FROM`);
        this.perform(stage, ins);
      } catch (error) {
        throw new Error(`Dockerfile line ${ins.line} (${ins.op} ${ins.args}): ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    if (!stage) throw new Error('no FROM in the Dockerfile');
    return stage;
  }

  /** A path inside a stage's root. */
  at(stage: Stage, path: string): string {
    const absolute = path.startsWith('/') ? path : join(stage.workdir, path);
    return join(stage.root, resolve('/', absolute));
  }

  private perform(stage: Stage, ins: Instruction): void {
    switch (ins.op) {
      case 'WORKDIR':
        stage.workdir = resolve(stage.workdir, ins.args);
        mkdirSync(this.at(stage, stage.workdir), { recursive: true });
        return;
      case 'ENV': {
        const m = /^(\w+)[= ](.*)$/.exec(ins.args);
        if (m) stage.env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
        return;
      }
      case 'USER':
        stage.user = ins.args;
        return;
      case 'COPY':
        return this.copy(stage, ins.args);
      case 'RUN':
        for (const command of ins.args.split(/\s*&&\s*/)) this.runCommand(stage, command.trim());
        return;
      case 'CMD':
        stage.cmd = ins.args;
        return;
      case 'ARG':
      case 'EXPOSE':
      case 'VOLUME':
      case 'HEALTHCHECK':
      case 'LABEL':
        return;
      default:
        throw new Error(`the emulator does not know ${ins.op}`);
    }
  }

  private copy(stage: Stage, args: string): void {
    const words = args.split(/\s+/);
    let from: Stage | undefined;
    while (words[0]?.startsWith('--')) {
      const flag = words.shift()!;
      const m = /^--from=(.+)$/.exec(flag);
      if (m) {
        from = this.stages.get(m[1]!);
        if (!from) throw new Error(`no stage named ${m[1]}`);
      } else if (!/^--(chown|chmod|link)/.test(flag)) throw new Error(`unknown COPY flag ${flag}`);
    }
    const dest = words.pop();
    if (!dest || words.length === 0) throw new Error('COPY needs a source and a destination');
    const target = this.at(stage, dest);
    for (const source of words) {
      const path = from ? this.at(from, source) : this.fromContext(source);
      if (!existsSync(path))
        throw new Error(`${source}: not found${from ? ` in stage ${from.name}` : ' in the build context'}`);
      if (statSync(path).isDirectory()) {
        // Docker copies a folder's contents into the destination.
        cpSync(path, target, {
          recursive: true,
          verbatimSymlinks: true,
          filter: (p) => (from ? true : !this.ignored(relative(this.context, p))),
        });
      } else {
        const into = dest.endsWith('/') || words.length > 1 ? join(target, source.split('/').pop()!) : target;
        mkdirSync(dirname(into), { recursive: true });
        cpSync(path, into);
      }
    }
  }

  /** A source in the build context, refused when .dockerignore leaves it out. */
  private fromContext(source: string): string {
    const rel = relative(this.context, resolve(this.context, source));
    if (rel.startsWith('..')) throw new Error(`${source} is outside the build context`);
    if (this.ignored(rel)) throw new Error(`${source}: excluded by .dockerignore`);
    return join(this.context, rel);
  }

  private runCommand(stage: Stage, command: string): void {
    const cwd = this.at(stage, stage.workdir);
    if (/^apt-get\b|^rm -rf \/var\/lib\/apt\/lists/.test(command) || /^npm cache clean\b/.test(command)) {
      stage.noted.push(command);
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^npm ci(?:\s+(--omit=dev))?$/.exec(command))) return this.npmCi(stage, cwd, Boolean(m[1]));
    if ((m = /^npm run (\S+)$/.exec(command))) {
      execFileSync('npm', ['run', '-s', m[1]!], {
        cwd,
        stdio: 'pipe',
        env: { ...process.env, ...stage.env },
      });
      return;
    }
    if ((m = /^mkdir -p (.+)$/.exec(command))) {
      for (const dir of m[1]!.split(/\s+/)) mkdirSync(this.at(stage, dir), { recursive: true });
      return;
    }
    if (/^chown /.test(command)) {
      stage.noted.push(command);
      return;
    }
    throw new Error(
      `the emulator does not know how to perform "${command}": teach test/support/dockerfile-emulator.ts`,
    );
  }

  /** npm ci: the lock file's packages for the mode, linked from the repository's install. */
  private npmCi(stage: Stage, cwd: string, omitDev: boolean): void {
    for (const file of ['package.json', 'package-lock.json']) {
      const here = join(cwd, file);
      if (!existsSync(here)) throw new Error(`npm ci: ${file} is missing in ${stage.workdir}`);
      if (readFileSync(here, 'utf8') !== readFileSync(join(this.context, file), 'utf8'))
        throw new Error(`npm ci: ${file} differs from the repository's`);
    }
    const lock = JSON.parse(readFileSync(join(cwd, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockPackage>;
    };
    const modules = join(cwd, 'node_modules');
    mkdirSync(modules, { recursive: true });
    for (const [path, info] of Object.entries(lock.packages)) {
      // Top-level packages only; nested node_modules come with their parent.
      const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path);
      if (!m || (omitDev && info.dev)) continue;
      const source = join(this.context, path);
      if (!existsSync(source)) {
        if (info.optional) continue; // another platform's optional binary
        throw new Error(`npm ci: ${m[1]} is in the lock file but not installed in the repository`);
      }
      mkdirSync(dirname(join(modules, m[1]!)), { recursive: true });
      symlinkSync(source, join(modules, m[1]!));
    }
    if (!omitDev) {
      // npm ci also links the packages' executables (tsc for `npm run build`).
      symlinkSync(join(this.context, 'node_modules/.bin'), join(modules, '.bin'));
    }
  }
}

/** Every file under a folder, relative to it. */
export function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}
