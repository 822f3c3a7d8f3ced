#!/usr/bin/env node
// `npm test` after the build: checks that the Jupyter side the kernel tests need is
// present (failing with the exact install command if not), then runs every compiled test
// file under tests/dist with node's test runner.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { jupyterStatus, installInstructions } = require(path.join(root, 'kernel', 'dist', 'jupyter', 'requirements'));
const status = jupyterStatus(['jupyter_client', 'nbclient', 'nbconvert', 'jupyter_kernel_test']);
if (!status.python || status.missing.length) {
  process.stderr.write(`npm test: the kernel tests need Jupyter (missing: ${status.missing.join(', ')}).\n${installInstructions()}\n`);
  process.exit(1);
}

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

const only = process.argv.slice(2);
const files = testFiles(path.join(root, 'tests', 'dist')).filter((file) => only.length === 0 || only.some((part) => file.includes(part)));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=1800000', ...files], {
  stdio: 'inherit',
  cwd: root,
  // Python oracles run from tests/python: no __pycache__ left in the checkout.
  env: { ...process.env, WEIGHTLAB_PYTHON: status.python, PYTHONDONTWRITEBYTECODE: '1' },
});
process.exit(result.status ?? 1);
