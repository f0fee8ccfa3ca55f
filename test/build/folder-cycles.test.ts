/**
 * No import cycles between src/'s folders (issue 15, item 3). The layering, lowest first:
 *
 *   core/ (errors, clock, text, shared types such as Person: imports nothing else in src/; ESLint too)
 *   ← aws/ ← config.ts ← store/, audit/, metrics/, scheduling/ ← slack/ ← identity/
 *   ← reveal/, approvals/, trail/ ← deps.ts (the Deps contract features get)
 *   ← features: secrets/, otp/, rotation/, home/
 *   ← the composition root: app.ts, build-deps.ts, main.ts, lambda.ts (imported by nothing below)
 *
 * A folder may import only folders below it; two folders that import each other (directly or round a
 * loop) cannot be understood, tested or moved alone. The check builds the folder graph from the
 * imports themselves (test/support/folder-graph.ts) and fails naming each cycle, with one example
 * import for each edge in it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildFolderGraph,
  cyclicComponents,
  describeCycles,
  type FolderGraph,
} from '../support/folder-graph.js';

const SRC = join(import.meta.dirname, '../../src');

/**
 * Imports that still go against the layering, each naming its edge `from → to`. Shrink-only: an
 * entry goes when its edge is gone (the test says so); never add one, break the cycle instead.
 */
const KNOWN_BACK_EDGES: readonly string[] = [];

/** The composition root: it may import anything; nothing else imports it. */
const COMPOSITION_ROOT = ['app.ts', 'build-deps.ts', 'main.ts', 'lambda.ts'];

function without(graph: FolderGraph, edges: readonly string[]): FolderGraph {
  const drop = new Set(edges);
  const kept = new Map(
    [...graph.edges].map(([from, out]) => [
      from,
      new Map([...out].filter(([to]) => !drop.has(`${from} → ${to}`))),
    ]),
  );
  return { nodes: graph.nodes, edges: kept };
}

describe('folders of src/', () => {
  const graph = buildFolderGraph(SRC);

  it('import each other in no cycle', () => {
    const cycles = describeCycles(without(graph, KNOWN_BACK_EDGES));
    assert.equal(
      cycles,
      '',
      `\n${cycles}\n\nBreak the cycle: move the shared piece down a layer (see this file's head).`,
    );
  });

  it('list only back edges that still exist (remove an entry once its import is gone)', () => {
    const gone = KNOWN_BACK_EDGES.filter((e) => {
      const [from, to] = e.split(' → ') as [string, string];
      return !graph.edges.get(from)?.has(to);
    });
    assert.deepEqual(gone, []);
  });

  it('never import the composition root', () => {
    const offenders = [...graph.edges.values()]
      .flatMap((out) => [...out.values()])
      .filter((e) => COMPOSITION_ROOT.includes(e.to) && !COMPOSITION_ROOT.includes(e.from))
      .map((e) => `${e.from} → ${e.to} (e.g. ${e.example})`);
    assert.deepEqual(offenders, []);
  });
});

describe('the cycle check', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tree = (files: Record<string, string>): string => {
    const root = mkdtempSync(join(tmpdir(), 'locksmith-cycles-'));
    dirs.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };

  it('names each cycle with one example import per edge, type imports and root files included', () => {
    const root = tree({
      'a/x.ts': "import { y } from '../b/y.js';\nexport const x = y;\n",
      'b/y.ts': "import type { Z } from '../config.js';\nexport const y: Z = 1;\n",
      'config.ts': "\nimport { x } from './a/x.js';\nexport type Z = number;\nexport const w = x;\n",
      'c/leaf.ts': "import { x } from '../a/x.js';\nexport const leaf = x;\n",
    });
    const graph = buildFolderGraph(root);
    assert.deepEqual(cyclicComponents(graph), [['a', 'b', 'config.ts']]);
    const p = basename(root);
    assert.equal(
      describeCycles(graph),
      [
        'Import cycle between a, b, config.ts:',
        `  a → b (1 import; e.g. ${p}/a/x.ts:1 imports '../b/y.js')`,
        `  b → config.ts (1 import; e.g. ${p}/b/y.ts:1 imports '../config.js')`,
        `  config.ts → a (1 import; e.g. ${p}/config.ts:2 imports './a/x.js')`,
      ].join('\n'),
    );
  });

  it('finds nothing in a tree whose folders import downwards only', () => {
    const root = tree({
      'core/errors.ts': 'export class E extends Error {}\n',
      'feature/f.ts': "import { E } from '../core/errors.js';\nexport const f = new E();\n",
      'app.ts': "import { f } from './feature/f.js';\nexport const app = f;\n",
    });
    assert.equal(describeCycles(buildFolderGraph(root)), '');
  });
});
