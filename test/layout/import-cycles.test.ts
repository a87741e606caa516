// The one-way layout (../shared/STYLE.md, docs/ARCHITECTURE.md) inside a layer too: no module of src/ reaches itself
// through the modules it imports at run time. ESLint's layering rule sees one import at a time; a cycle needs the
// whole graph. Type-only imports are left out: they leave nothing behind in the JavaScript.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../../src');

/** The modules of src/, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

/** The relative modules a file imports or re-exports at run time (as .ts paths), read with TypeScript's parser. */
function runtimeImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const add = (spec: ts.Expression | undefined): void => {
    if (spec !== undefined && ts.isStringLiteral(spec) && spec.text.startsWith('.')) out.push(resolve(dirname(file), spec.text.replace(/\.js$/, '.ts')));
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly || (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) add(node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node)) {
      if (!node.isTypeOnly) add(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every cycle found by a depth-first walk, each as the list of its modules. */
function findCycles(deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of deps.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push(stack.slice(stack.indexOf(d)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of deps.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('imports inside src/', () => {
  it('finds a cycle where there is one (so the check below can fail)', () => {
    const deps = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(deps)).toEqual([['a', 'b', 'c']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('form no cycle at run time', () => {
    const files = sources(src);
    expect(files.length).toBeGreaterThan(100);
    const deps = new Map(files.map((f) => [f, runtimeImports(f)]));
    const edges = [...deps.values()].reduce((n, d) => n + d.length, 0);
    expect(edges).toBeGreaterThan(files.length);
    const cycles = findCycles(deps).map((c) => c.map((f) => relative(src, f)).join(' -> '));
    expect(cycles).toEqual([]);
  });
});
