#!/usr/bin/env node
// Compiles every AssemblyScript kernel lib/assembly/<name>.ts twice: lib/wasm/<name>.wasm with
// plain SIMD, and lib/wasm/relaxed/<name>.wasm with relaxed SIMD as well (fused multiply-add, see
// lib/assembly/_multiply-add.ts). The loader (lib/src/backend/wasm.ts) takes the relaxed build
// when the runtime accepts it and the plain one otherwise.
// Run by `npm run build` (scripts/after-build.js) and usable alone: `node lib/scripts/build-wasm.js`.
// The .wasm files are build outputs (not committed) and ship in the npm package (`files`: wasm).
//
// Flags and why:
//   -O3 --converge      speed over size (kernels are a few KB anyway)
//   --enable simd       f64x2 / v128 (every Node >= 16 and current browser has wasm SIMD)
//   (threads)           atomic loads and stores, for the two-thread bulge chasing on shared
//                       memory (every Node >= 16 has them; on an unshared memory they are plain)
//   (relaxed-simd)      only for the relaxed variant: Node 20 validates it behind a V8 flag the
//                       loader sets, Node >= 22 and current browsers without one
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
const common = ['-O3', '--converge', '--runtime', 'stub', '--noAssert', '--use', 'abort='];
const variants = [
  { dir: outDir, features: 'simd,threads' },
  { dir: path.join(outDir, 'relaxed'), features: 'simd,threads,relaxed-simd' },
];

const scriptTime = fs.statSync(__filename).mtimeMs;
const kernels = fs
  .readdirSync(sourceDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
  .sort();
for (const { dir, features } of variants) {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of kernels) {
    const name = file.slice(0, -3);
    const source = path.join(sourceDir, file);
    const target = path.join(dir, `${name}.wasm`);
    const newestInput = Math.max(
      scriptTime,
      fs.statSync(source).mtimeMs,
      ...sharedIncludes().map((f) => fs.statSync(f).mtimeMs),
    );
    if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= newestInput) continue;
    const started = Date.now();
    execFileSync(process.execPath, [asc, source, '--outFile', target, '--enable', features, ...common], {
      stdio: 'inherit',
      cwd: lib,
    });
    console.log(
      `build-wasm: ${path.relative(lib, target)} (${fs.statSync(target).size} bytes, ${Date.now() - started} ms)`,
    );
  }
}

function sharedIncludes() {
  return fs
    .readdirSync(sourceDir)
    .filter((f) => f.startsWith('_') && f.endsWith('.ts'))
    .map((f) => path.join(sourceDir, f));
}
