#!/usr/bin/env node
// Builds the prebuilt JupyterLab extension (labextension/: package.json + static/ with the
// module-federation remoteEntry) from the tsc output in lib/, with npm packages only:
// @jupyterlab/builder's build-labextension needs a "core path", a folder whose
// package.json is JupyterLab's staging package.json; @jupyterlab/core-meta publishes
// exactly that file as core.package.json. `npm run build` runs this after `tsc -b`
// (scripts/after-build.js). Skips the ~6 s webpack run when its inputs have not changed.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const output = path.join(root, 'labextension');
const stamp = path.join(output, '.build-inputs');

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full) : [full];
    })
    .sort();
}

function inputsHash() {
  const hash = crypto.createHash('sha256');
  // weightlab/payloads (lib/dist/display/payloads.js) and the two modules it imports go into the bundle.
  const payloads = require.resolve('weightlab/payloads', { paths: [root] });
  const inputs = [
    ...filesUnder(path.join(root, 'lib')).filter((f) => f.endsWith('.js')),
    ...filesUnder(path.join(root, 'style')),
    path.join(root, 'package.json'),
    payloads,
    path.join(path.dirname(payloads), 'protocol.js'),
    path.join(path.dirname(payloads), '..', 'errors', 'index.js'),
  ];
  for (const file of inputs) hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file));
  return hash.digest('hex');
}

const wanted = inputsHash();
if (
  fs.existsSync(stamp) &&
  fs.readFileSync(stamp, 'utf8') === wanted &&
  fs.existsSync(path.join(output, 'package.json'))
) {
  process.stderr.write('extension: labextension/ is up to date\n');
  process.exit(0);
}

const corePath = path.join(root, '.core');
fs.mkdirSync(corePath, { recursive: true });
const coreMeta = require.resolve('@jupyterlab/core-meta/core.package.json', { paths: [root] });
fs.copyFileSync(coreMeta, path.join(corePath, 'package.json'));
const builder = require.resolve('@jupyterlab/builder/lib/build-labextension.js', { paths: [root] });
const started = Date.now();
fs.rmSync(output, { recursive: true, force: true });
execFileSync(process.execPath, [builder, '--core-path', corePath, root], {
  stdio: ['ignore', 'ignore', 'inherit'],
  cwd: root,
});
const remoteEntry = fs.readdirSync(path.join(output, 'static')).find((name) => /^remoteEntry\..*\.js$/.test(name));
if (!remoteEntry) throw new Error(`extension: build-labextension wrote no static/remoteEntry.*.js in ${output}`);
fs.writeFileSync(stamp, wanted);
process.stderr.write(
  `extension: built labextension/static/${remoteEntry} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
