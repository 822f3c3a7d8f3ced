#!/usr/bin/env node
// Generates kernel/dist/prelude.json: every name lib/dist/index.d.ts exports (weightlab's public
// surface: its flat names and its namespaces), marked 'value' or 'type' and, for a namespace
// (`spectral`, `display`, ...), `namespace: true`, read with the TypeScript compiler API. The
// kernel imports all of them at start-up so cells need no import, and names the namespaces in its
// banner. This reads whatever index.d.ts has at build time, so the surface is chosen in one place.
const fs = require('node:fs');
const path = require('node:path');

const kernelRoot = path.resolve(__dirname, '..');
const libraryRoot = path.dirname(require.resolve('weightlab/package.json', { paths: [kernelRoot] }));
const declarations = path.join(libraryRoot, 'dist', 'index.d.ts');
const output = path.join(kernelRoot, 'dist', 'prelude.json');
const ts = require(
  require.resolve('@tslab/typescript-for-tslab', {
    paths: [path.dirname(require.resolve('tslab/package.json', { paths: [kernelRoot] }))],
  }),
);

if (!fs.existsSync(declarations)) {
  process.stderr.write(`build-prelude: ${declarations} does not exist; build lib first (npx tsc -b)\n`);
  process.exit(1);
}

const program = ts.createProgram([declarations], {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  types: [],
  noEmit: true,
  skipLibCheck: true,
});
const checker = program.getTypeChecker();
const source = program.getSourceFile(declarations);
const moduleSymbol = source && checker.getSymbolAtLocation(source);
if (!moduleSymbol) {
  process.stderr.write(`build-prelude: ${declarations} is not a module\n`);
  process.exit(1);
}

const names = [];
for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
  const name = symbol.getName();
  if (name === 'default' || name === 'weightlab') continue;
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const kind = target.flags & ts.SymbolFlags.Value ? 'value' : 'type';
  // `import * as io` re-exported is a module symbol; `display` is a function merged with a namespace.
  const namespace = (target.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) !== 0;
  names.push(namespace ? { name, kind, namespace } : { name, kind });
}
names.sort((a, b) => a.name.localeCompare(b.name));

fs.mkdirSync(path.dirname(output), { recursive: true });
const temporary = `${output}.${process.pid}.tmp`;
fs.writeFileSync(temporary, `${JSON.stringify({ source: path.relative(kernelRoot, declarations), names }, null, 2)}\n`);
fs.renameSync(temporary, output);
process.stdout.write(
  `build-prelude: ${names.length} names (${names.filter((n) => n.kind === 'value').length} values, ${names.filter((n) => n.namespace).length} namespaces) -> ${path.relative(process.cwd(), output)}\n`,
);
