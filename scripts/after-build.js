#!/usr/bin/env node
// Runs the build steps tsc cannot do (AssemblyScript kernels, generated kernel prelude, ...):
// every `<workspace>/scripts/build-*.js`, lib before kernel, the extension before the lab that bundles it, in name order.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
for (const workspace of ['lib', 'kernel', 'extension', 'lab']) {
  const dir = path.join(root, workspace, 'scripts');
  if (!fs.existsSync(dir)) continue;
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => /^build-.*\.js$/.test(f))
    .sort()) {
    execFileSync(process.execPath, [path.join(dir, name)], { stdio: 'inherit', cwd: path.join(root, workspace) });
  }
}
