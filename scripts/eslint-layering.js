// @ts-check
// The one-way layout of ../shared/STYLE.md as a lint rule: a folder of src/ may import from model/ and from the
// folders above it in LAYERS, never from below; the shells (cli/, web/) use only the public API in src/index.ts.
import path from 'node:path';

const LAYERS = ['model', 'sources', 'framing', 'parse', 'correlate', 'diagnose', 'present'];
const SHELLS = ['cli', 'web'];

/** @param {string} file */
function placeOf(file) {
  const parts = path.normalize(file).split(path.sep);
  const i = parts.lastIndexOf('src');
  if (i < 0) return undefined;
  const top = parts[i + 1];
  if (top === undefined) return undefined;
  if (top === 'index.ts' || top === 'index.js') return 'index'; // imports name the .js the .ts compiles to
  return top;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'keeps the src/ layers one-way (see docs/ARCHITECTURE.md)' },
    schema: [],
  },
  create(context) {
    const from = placeOf(context.filename);
    if (from === undefined) return {};
    /** @param {import('estree').Node & { source?: unknown }} node */
    function check(node) {
      const source = /** @type {{ value?: unknown } | null | undefined} */ (node.source);
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = placeOf(path.resolve(path.dirname(context.filename), source.value));
      if (target === undefined || target === from) return;
      const report = (/** @type {string} */ why) => context.report({ node, message: `${from}/ may not import ${source.value}: ${why}` });
      if (from === 'index') {
        if (SHELLS.includes(target)) report('the public API never depends on a shell');
        return;
      }
      if (SHELLS.includes(from)) {
        if (target === 'index') return;
        if (from === 'cli' && target === 'web') return; // `siplens serve` starts the web shell
        report('shells use only the public API (src/index.ts)');
        return;
      }
      const a = LAYERS.indexOf(from);
      const b = LAYERS.indexOf(target);
      if (b < 0) report(`${target}/ is not a library layer`);
      else if (b > a) report(`${target}/ comes after ${from}/ in the flow model -> sources -> framing -> parse -> correlate -> diagnose -> present`);
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
