/**
 * The repository's root folder, for the files tsc does not emit (moto-server.py, the sandbox
 * page's static files, manifest.yml). The devkit and the sandbox run from their sources
 * (devkit/, sandbox/: tests and benchmarks, through tsx) and from their build
 * (dist-sandbox/devkit, dist-sandbox/sandbox: `npm run sandbox`), at different depths, so the
 * root is found, not counted: the nearest folder above this module that holds package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
