#!/usr/bin/env node
// Builds kernel/dist/kernel.blob, the kernel's V8 startup snapshot (see src/kernel/snapshot-entry.ts),
// and kernel/dist/kernel.blob.version, the Node version that built it. A blob only loads in the
// Node version that wrote it, so it is built on each machine and never committed; bin/start-kernel.sh
// (what the kernelspec runs) uses it only when that version matches the Node it starts, and
// starts the kernel the ordinary way otherwise. A failure here costs start-up time, not the build:
// it prints a warning and leaves no blob.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const kernelRoot = path.resolve(__dirname, '..');
const blob = path.join(kernelRoot, 'dist', 'kernel.blob');
const stamp = `${blob}.version`;
const entry = path.join(kernelRoot, 'dist', 'kernel', 'snapshot-entry.js');
const tslab = path.dirname(require.resolve('tslab/package.json', { paths: [kernelRoot] }));
/** The @types folder of the @types/node that `paths` resolve to first. */
function typeRoot(paths) {
  return path.dirname(path.dirname(require.resolve('@types/node/package.json', { paths })));
}
// The same files the kernel resolves at run time (src/executor/typescript.ts): notebooks inside
// this repository get its @types/node, others the kernel's own (the same copy here), else tslab's.
const typescript = require.resolve('@tslab/typescript-for-tslab', { paths: [tslab] });
const ts = require(typescript);
const { cellCompilerOptions } = require(path.join(kernelRoot, 'dist', 'executor', 'converter'));
const config = {
  typescript,
  library: path.dirname(require.resolve('weightlab/package.json', { paths: [kernelRoot] })),
  typeRoots: [...new Set([typeRoot([kernelRoot]), typeRoot([path.join(kernelRoot, 'dist', 'executor'), tslab])])],
  // Parsed and bound as the kernel's converter will (its enums come from this TypeScript).
  compilerOptions: cellCompilerOptions(ts),
};
// The bundles and the flattened libs that build-declarations.js wrote just before, when the kernel
// will use them.
const { DECLARATION_BUNDLE_FILE, NODE_TYPES_FILE, flatLibraries } = require(
  path.join(kernelRoot, 'dist', 'executor', 'typescript'),
);
const { readDeclarationBundle, LIBRARY_STUB } = require(
  path.join(kernelRoot, 'dist', 'executor', 'declaration-bundle'),
);
const bundle = readDeclarationBundle(DECLARATION_BUNDLE_FILE, ts.version);
if (bundle) config.declarations = { file: bundle.file, modules: [...bundle.modules] };
const defaultLibrary = flatLibraries(ts);
if (defaultLibrary) config.defaultLibrary = { ...defaultLibrary, stub: LIBRARY_STUB };
const nodeTypes = readDeclarationBundle(NODE_TYPES_FILE, ts.version);
if (nodeTypes?.typeRoot)
  config.nodeTypes = { file: nodeTypes.file, typeRoot: nodeTypes.typeRoot, modules: [...nodeTypes.modules] };

fs.rmSync(stamp, { force: true });
const temporary = `${blob}.${process.pid}.tmp`;
const started = performance.now();
const result = spawnSync(process.execPath, ['--snapshot-blob', temporary, '--build-snapshot', entry], {
  cwd: kernelRoot,
  env: { ...process.env, WEIGHTLAB_SNAPSHOT_CONFIG: JSON.stringify(config) },
  encoding: 'utf8',
});
// Node notes on stderr that it drops Error.stackTraceLimit from the snapshot; that is expected.
const messages = (result.stderr ?? '')
  .split('\n')
  .filter((line) => line.trim() && !line.includes('Error.stackTraceLimit'))
  .join('\n');
if (result.status !== 0 || !fs.existsSync(temporary)) {
  fs.rmSync(temporary, { force: true });
  fs.rmSync(blob, { force: true });
  process.stderr.write(
    `warning: the kernel's startup snapshot was not built (exit ${result.status ?? result.signal}); kernels start without it, ` +
      `about 2 s slower.\n${messages}\n`,
  );
} else {
  if (messages) process.stderr.write(`${messages}\n`);
  fs.renameSync(temporary, blob);
  fs.writeFileSync(stamp, `${process.version}\n`);
  const size = fs.statSync(blob).size / 2 ** 20;
  process.stdout.write(
    `kernel startup snapshot: ${path.relative(process.cwd(), blob)} (${size.toFixed(0)} MiB, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}
