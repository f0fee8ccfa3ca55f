/**
 * The import graph between src/'s top-level folders (issue 15, item 3: no import cycles between
 * folders). A node is a top-level folder of src/ (`secrets`, `slack`, ...); a file directly in src/
 * is its own node, named by the file (`config.ts`). Every import counts, `import type` too: a type
 * import is still a dependency of the folder's design, and the cycle it closes is the same one.
 *
 * Imports are read with TypeScript's own pre-processor (static imports, `export ... from`,
 * `import()` with a literal, `import x = require()`), relative specifiers only: packages are not
 * folders of src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import of one folder by another: the first one found, as the example in a report. */
export interface Edge {
  from: string;
  to: string;
  /** `src/config.ts:11 → ./rotation/slack/due-schedule.js` */
  example: string;
  /** How many imports make the edge. */
  count: number;
}

export interface FolderGraph {
  nodes: string[];
  /** `from` → `to` → edge */
  edges: Map<string, Map<string, Edge>>;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|cts)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The node a path under `srcDir` belongs to, or undefined when it is outside `srcDir`. */
export function nodeOf(srcDir: string, path: string): string | undefined {
  const rel = relative(srcDir, path);
  if (rel.startsWith('..') || rel === '') return undefined;
  const parts = rel.split(sep);
  // A file directly in src/ is its own node; `./deps.js` in an import is the file `deps.ts`.
  if (parts.length === 1) return parts[0]!.replace(/\.[mc]?[jt]sx?$/, '.ts');
  return parts[0];
}

export function buildFolderGraph(srcDir: string, options: { exclude?: string[] } = {}): FolderGraph {
  const root = resolve(srcDir);
  const excluded = new Set(options.exclude ?? []);
  const nodes = new Set<string>();
  const edges = new Map<string, Map<string, Edge>>();
  for (const file of sourceFiles(root)) {
    const from = nodeOf(root, file)!;
    if (excluded.has(from)) continue;
    nodes.add(from);
    const text = readFileSync(file, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), ref.fileName);
      const to = nodeOf(root, target);
      if (to === undefined || to === from || excluded.has(to)) continue;
      let out = edges.get(from);
      if (!out) edges.set(from, (out = new Map()));
      const known = out.get(to);
      if (known) known.count += 1;
      else {
        const line = text.slice(0, ref.pos).split('\n').length;
        const where = relative(resolve(root, '..'), file).split(sep).join('/');
        out.set(to, { from, to, example: `${where}:${line} imports '${ref.fileName}'`, count: 1 });
      }
    }
  }
  return { nodes: [...nodes].sort(), edges };
}

/** Strongly connected components with more than one node (Tarjan), each sorted, largest first. */
export function cyclicComponents(graph: FolderGraph): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.edges.get(v)?.keys() ?? [])].sort()) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.nodes) if (!indexOf.has(v)) visit(v);
  return out.sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}

/** The edges inside a component: each one takes part in at least one cycle. */
export function edgesWithin(graph: FolderGraph, component: string[]): Edge[] {
  const inside = new Set(component);
  const out: Edge[] = [];
  for (const from of component)
    for (const [to, edge] of graph.edges.get(from) ?? []) if (inside.has(to)) out.push(edge);
  return out.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** A report a person can act on: each component, each edge in it with one example import. */
export function describeCycles(graph: FolderGraph): string {
  return cyclicComponents(graph)
    .map((component) => {
      const lines = edgesWithin(graph, component).map(
        (e) => `  ${e.from} → ${e.to} (${e.count} import${e.count === 1 ? '' : 's'}; e.g. ${e.example})`,
      );
      return `Import cycle between ${component.join(', ')}:\n${lines.join('\n')}`;
    })
    .join('\n\n');
}
