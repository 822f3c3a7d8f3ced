#!/usr/bin/env node
// `npm run build`: one TypeScript compiler for everything. The kernel type-checks notebook cells
// with tslab's TypeScript (@tslab/typescript-for-tslab, a pinned fork that adds the hooks tslab's
// converter needs), so the library, kernel, extension and tests are compiled by that same compiler
// and version; `npm start`, `npm test` and the benchmarks all come through here. Then the steps tsc
// cannot do (AssemblyScript kernels, the kernel prelude, the lab bundle) run in scripts/after-build.js.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** The compiler the kernel loads: resolved from tslab, as kernel/src/executor/typescript.ts does. */
function tscPath() {
  const tslab = path.dirname(require.resolve('tslab/package.json', { paths: [path.join(root, 'kernel')] }));
  const compiler = path.dirname(require.resolve('@tslab/typescript-for-tslab/package.json', { paths: [tslab] }));
  return path.join(compiler, 'bin', 'tsc');
}

function run(args) {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (require.main === module) {
  run([tscPath(), '-b']);
  run([path.join(root, 'scripts', 'after-build.js')]);
}

module.exports = { tscPath };
