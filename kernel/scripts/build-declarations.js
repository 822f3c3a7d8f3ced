#!/usr/bin/env node
// Writes the declaration files every cell program of the kernel holds as one file each (see
// src/executor/declaration-bundle.ts), each with its manifest (`<file>.json`):
//   dist/declarations/weightlab.d.ts  weightlab's declarations and those of the packages they
//                                     import, as ambient modules (instead of 233 files);
//   dist/declarations/libraries.d.ts  TypeScript's lib.es2022 and the libs it references (55 files);
//   dist/declarations/node.d.ts       the kernel's @types/node and the undici-types it imports (100 files).
// Runs before build-snapshot.js, which parses them into the startup snapshot. One that cannot be
// made costs per-cell time, not the build: a warning, and the kernel reads the separate files.
const fs = require('node:fs');
const path = require('node:path');

const kernelRoot = path.resolve(__dirname, '..');
const dist = path.join(kernelRoot, 'dist');
const tslab = path.dirname(require.resolve('tslab/package.json', { paths: [kernelRoot] }));
const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslab] }));
const { bundleDeclarations, bundleNodeTypes, flattenLibraries, DeclarationBundleError } = require(
  path.join(dist, 'executor', 'declaration-bundle'),
);
const { cellCompilerOptions } = require(path.join(dist, 'executor', 'converter'));
const { DECLARATION_BUNDLE_FILE, LIBRARIES_FILE, NODE_TYPES_FILE, ownTypeRoot } = require(
  path.join(dist, 'executor', 'typescript'),
);
const library = path.dirname(require.resolve('weightlab/package.json', { paths: [kernelRoot] }));
const options = { ...cellCompilerOptions(ts), types: [] };

function build(output, what, make) {
  fs.rmSync(`${output}.json`, { force: true });
  try {
    const started = performance.now();
    const { text, manifest } = make();
    fs.mkdirSync(path.dirname(output), { recursive: true });
    // The manifest last: a kernel uses a file only with its manifest, so never a half-written one.
    for (const [file, data] of [
      [output, text],
      [`${output}.json`, `${JSON.stringify(manifest, null, 1)}\n`],
    ]) {
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, data);
      fs.renameSync(temporary, file);
    }
    process.stdout.write(
      `kernel declarations: ${path.relative(process.cwd(), output)} (${what(manifest)}, ` +
        `${(text.length / 2 ** 20).toFixed(1)} MiB, ${(performance.now() - started).toFixed(0)} ms)\n`,
    );
  } catch (error) {
    if (!(error instanceof DeclarationBundleError)) throw error;
    fs.rmSync(output, { force: true });
    process.stderr.write(
      `warning: ${path.basename(output)} was not made (${error.message}); cells read the separate files, a little slower each.\n`,
    );
  }
}

build(
  DECLARATION_BUNDLE_FILE,
  (manifest) => `${manifest.modules.length} modules`,
  () => bundleDeclarations(ts, library, kernelRoot, options),
);
build(
  LIBRARIES_FILE,
  (manifest) => `${manifest.sources.length} libs`,
  () => flattenLibraries(ts, options),
);
build(
  NODE_TYPES_FILE,
  (manifest) => `${manifest.sources.length} files`,
  () => bundleNodeTypes(ts, ownTypeRoot() ?? path.join(kernelRoot, 'node_modules', '@types'), options),
);
