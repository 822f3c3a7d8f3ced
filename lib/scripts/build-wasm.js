#!/usr/bin/env node
// Compiles every AssemblyScript kernel lib/assembly/<name>.ts into lib/wasm/<name>.wasm.
// Run by `npm run build` (scripts/after-build.js) and usable alone: `node lib/scripts/build-wasm.js`.
// The .wasm files are build outputs (not committed) and ship in the npm package (`files`: wasm).
//
// Flags and why:
//   -O3 --converge      speed over size (kernels are a few KB anyway)
//   --enable simd       f64x2 / v128 (every Node >= 16 and current browser has wasm SIMD)
//   --runtime stub      no garbage collector: kernels never allocate, JS owns the memory layout
//   --noAssert          bounds are checked on the JS side before a call
//   --use abort=        no `env.abort` import, so a kernel instantiates with no imports at all
// Files starting with '_' are shared includes, not kernels. A kernel is rebuilt only when its
// source (or this script) is newer than its .wasm.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const lib = path.resolve(__dirname, '..');
const sourceDir = path.join(lib, 'assembly');
const outDir = path.join(lib, 'wasm');
const asc = require.resolve('assemblyscript/bin/asc.js', { paths: [lib] });
const flags = ['-O3', '--converge', '--enable', 'simd', '--runtime', 'stub', '--noAssert', '--use', 'abort='];

fs.mkdirSync(outDir, { recursive: true });
const scriptTime = fs.statSync(__filename).mtimeMs;
const kernels = fs.readdirSync(sourceDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_')).sort();
for (const file of kernels) {
  const name = file.slice(0, -3);
  const source = path.join(sourceDir, file);
  const target = path.join(outDir, `${name}.wasm`);
  const newestInput = Math.max(scriptTime, fs.statSync(source).mtimeMs, ...sharedIncludes().map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= newestInput) continue;
  const started = Date.now();
  execFileSync(process.execPath, [asc, source, '--outFile', target, ...flags], { stdio: 'inherit', cwd: lib });
  console.log(`build-wasm: ${path.relative(lib, target)} (${fs.statSync(target).size} bytes, ${Date.now() - started} ms)`);
}

function sharedIncludes() {
  return fs.readdirSync(sourceDir).filter((f) => f.startsWith('_') && f.endsWith('.ts')).map((f) => path.join(sourceDir, f));
}
