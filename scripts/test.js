#!/usr/bin/env node
// `npm test` after the build: checks that the Jupyter side the kernel tests need is
// present (failing with the exact install command if not), then runs every compiled test
// file under tests/dist with node's test runner.
// Each run gets one fresh folder, removed at the end (also on failure or Ctrl-C): TMPDIR points
// into it, so every temp folder a test, a notebook or a Python oracle makes lands there, and so
// does the cache folder (WEIGHTLAB_CACHE_DIR, and XDG_CACHE_HOME for the kernel's code cache).
// Notebooks executed several times within the run (weightlab run, nbclient, the browser tests)
// share the zoos they build; nothing survives into the next run, so a stale zoo cannot hide a
// regression. WEIGHTLAB_KEEP_TEST_FOLDER=1 keeps the folder for a post-mortem.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
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
const runFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-test-'));
const folders = { tmp: path.join(runFolder, 'tmp'), cache: path.join(runFolder, 'cache') };
for (const folder of Object.values(folders)) fs.mkdirSync(folder);
let removed = false;
function removeRunFolder() {
  if (removed) return;
  removed = true;
  if (process.env.WEIGHTLAB_KEEP_TEST_FOLDER) process.stderr.write(`npm test: kept ${runFolder}\n`);
  else fs.rmSync(runFolder, { recursive: true, force: true, maxRetries: 3 });
}
process.on('exit', removeRunFolder);

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=1800000', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: {
    ...process.env,
    WEIGHTLAB_PYTHON: status.python,
    // Python oracles run from tests/python: no __pycache__ left in the checkout.
    PYTHONDONTWRITEBYTECODE: '1',
    TMPDIR: folders.tmp,
    XDG_CACHE_HOME: folders.cache,
    WEIGHTLAB_CACHE_DIR: path.join(folders.cache, 'weightlab'),
  },
});
// Ctrl-C reaches the test runner too (same process group); a TERM from outside is passed on.
// Either way the folder goes only after the runner and its children have exited.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => { child.kill(signal); });
child.on('exit', (code, signal) => {
  removeRunFolder();
  process.exit(code ?? (signal ? 1 : 0));
});
