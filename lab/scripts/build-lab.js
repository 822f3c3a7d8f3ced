#!/usr/bin/env node
// Builds the lab's front end (lab/src -> lab/build: bundle.js + lazily loaded chunks,
// bundle.css, fonts, the page template) with esbuild. The bundle is cached: a stamp holds a
// hash of everything that goes into it (our sources, the extension's compiled renderer, the
// lockfile that fixes every @jupyterlab/* version), so `npm run build` and `weightlab lab`
// rebuild only when one of those changed. Usage: node lab/scripts/build-lab.js [--check]
// (--check: exit 1 if the build is stale, build nothing).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const labRoot = path.resolve(__dirname, '..');
const repositoryRoot = path.resolve(labRoot, '..');
const output = path.join(labRoot, 'build');
const stamp = path.join(output, '.build-inputs');

function filesUnder(dir, keep = () => true) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full, keep) : keep(full) ? [full] : [];
    })
    .sort();
}

function inputsHash() {
  const extension = path.join(repositoryRoot, 'extension');
  const inputs = [
    ...filesUnder(path.join(labRoot, 'src')),
    ...filesUnder(path.join(labRoot, 'static')),
    path.join(labRoot, 'package.json'),
    __filename,
    path.join(repositoryRoot, 'package-lock.json'),
    ...filesUnder(path.join(extension, 'lib'), (file) => file.endsWith('.js')),
    ...filesUnder(path.join(extension, 'style')),
  ];
  const hash = crypto.createHash('sha256');
  for (const file of inputs) {
    if (!fs.existsSync(file)) continue;
    hash.update(path.relative(repositoryRoot, file)).update('\0').update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

function upToDate(wanted) {
  return (
    fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted && fs.existsSync(path.join(output, 'bundle.js'))
  );
}

async function build() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require(require.resolve('esbuild', { paths: [labRoot] }));
  const staging = `${output}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { bundle: path.join(labRoot, 'src', 'index.ts') },
    outdir: staging,
    bundle: true,
    // ES modules with splitting: vega-embed, the CodeMirror languages and other dynamic
    // imports become chunks the page loads only when a cell needs them.
    format: 'esm',
    splitting: true,
    minify: true,
    target: 'es2022',
    logLevel: 'warning',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    // @jupyterlab/coreutils reads `path` only outside browsers; give it the browser shim.
    alias: { path: 'path-browserify' },
    loader: {
      '.svg': 'text',
      '.woff': 'file',
      '.woff2': 'file',
      '.ttf': 'file',
      '.eot': 'file',
      '.png': 'dataurl',
      '.gif': 'dataurl',
    },
    // One copy of every shared package (lumino's message loop, the rendermime tokens): the
    // extension's compiled files resolve their imports from the lab's dependencies.
    nodePaths: [path.join(repositoryRoot, 'node_modules')],
    plugins: [
      {
        // JupyterLab's CSS imports packages webpack-style: url('~@lumino/widgets/style/index.css').
        name: 'tilde-imports',
        setup(builder) {
          builder.onResolve({ filter: /^~/ }, (args) => ({
            path: require.resolve(args.path.slice(1), { paths: [args.resolveDir] }),
          }));
        },
      },
    ],
  });
  fs.copyFileSync(path.join(labRoot, 'static', 'index.html'), path.join(staging, 'index.html'));
  for (const folder of ['settings', 'schemas', 'themes', 'user-settings', 'workspaces'])
    fs.mkdirSync(path.join(staging, folder), { recursive: true });
  fs.rmSync(output, { recursive: true, force: true });
  fs.renameSync(staging, output);
}

async function main() {
  const wanted = inputsHash();
  if (upToDate(wanted)) {
    process.stderr.write('lab: build/ is up to date\n');
    return;
  }
  if (process.argv.includes('--check')) {
    process.stderr.write('lab: build/ is stale\n');
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  await build();
  fs.writeFileSync(stamp, wanted);
  const size = filesUnder(output).reduce((sum, file) => sum + fs.statSync(file).size, 0);
  process.stderr.write(
    `lab: built lab/build (${(size / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`lab: build failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
