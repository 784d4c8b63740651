/**
 * No import circle in engine/ or roles/ (type-only imports count: they tie the modules' designs
 * together all the same). The graph is read from the TypeScript sources with the compiler's own
 * import scanner (ts.preProcessFile), so re-exports and `import type` are seen too.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/run-play.js';

type Graph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Each file's relative imports, as repository paths of .ts files. */
export function importGraph(roots: readonly string[]): Graph {
  const files = roots.flatMap((r) => sourceFiles(path.join(REPO_ROOT, r)));
  const graph: Graph = new Map();
  for (const file of files) {
    const imported = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
    const local = imported.filter((name) => name.startsWith('.')).map((name) => path.resolve(path.dirname(file), name.replace(/\.js$/, '.ts')));
    graph.set(path.relative(REPO_ROOT, file), local.map((f) => path.relative(REPO_ROOT, f)));
  }
  return graph;
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function importCircles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) circles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

describe('imports', () => {
  it('finds a circle when there is one (the checker itself)', () => {
    const graph: Graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
    ]);
    expect(importCircles(graph)).to.deep.equal([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('engine/ and roles/ have no import circle', () => {
    const graph = importGraph(['engine', 'roles']);
    expect(graph.size, 'source files read').to.be.greaterThan(100);
    expect(graph.get('engine/runner/execute.ts'), 'imports read').to.include('engine/runner/host-flow.ts');
    expect(importCircles(graph)).to.deep.equal([]);
  });

  it('a role imports the engine, its own folder and the shared folders only, never another role', () => {
    const graph = importGraph(['roles']);
    const folderOf = (file: string): string => file.split('/')[1]!;
    const isShared = (folder: string): boolean => folder.endsWith('-shared');
    const crossings = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => target.startsWith('roles/'))
        .filter((target) => folderOf(target) !== folderOf(file) && !isShared(folderOf(target)))
        .map((target) => `${file} -> ${target}`),
    );
    expect(graph.size, 'role files read').to.be.greaterThan(40);
    expect(crossings).to.deep.equal([]);
    // Shared folders hold knowledge, not tasks of a role: they never import a role.
    const sharedToRole = [...graph].filter(([file]) => isShared(folderOf(file))).flatMap(([file, imports]) => imports.filter((t) => t.startsWith('roles/') && !isShared(folderOf(t))).map((t) => `${file} -> ${t}`));
    expect(sharedToRole).to.deep.equal([]);
  });

  it('roles do not reach around the engine to node:fs or child_process', () => {
    const users = sourceFiles(path.join(REPO_ROOT, 'roles'))
      .filter((file) => ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.some((i) => /^(node:)?(fs|fs\/promises|child_process)$/.test(i.fileName)))
      .map((file) => path.relative(REPO_ROOT, file))
      .sort();
    expect(users).to.deep.equal([]);
  });
});
