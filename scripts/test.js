#!/usr/bin/env node
// `npm test` after the build: checks that the Jupyter side the kernel tests need is
// present (failing with the exact install command if not), then runs every compiled test
// file under tests/dist with node's test runner.
// Each run gets one fresh folder, removed at the end (also on failure or Ctrl-C): TMPDIR points
// into it, so every temp folder a test, a notebook or a Python oracle makes lands there, and so
// does the cache folder (WEIGHTLAB_CACHE_DIR, and XDG_CACHE_HOME for the kernel's code cache).
// Notebooks executed several times within the run (weightlab run, nbclient, the browser tests)
// share the zoos they build; nothing survives into the next run, so a stale zoo cannot hide a
// regression. A throw-away notebook first fills the run's kernel code cache. Set
// WEIGHTLAB_KEEP_TEST_FOLDER=1 to keep the folder for a post-mortem.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { jupyterStatus, installInstructions } = require(path.join(root, 'kernel', 'dist', 'jupyter', 'requirements'));
const status = jupyterStatus(['jupyter_client', 'nbclient', 'nbconvert', 'jupyter_kernel_test']);
if (!status.python || status.missing.length) {
  process.stderr.write(
    `npm test: the kernel tests need Jupyter (missing: ${status.missing.join(', ')}).\n${installInstructions()}\n`,
  );
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
const files = testFiles(path.join(root, 'tests', 'dist')).filter(
  (file) => only.length === 0 || only.some((part) => file.includes(part)),
);
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

const environment = {
  ...process.env,
  WEIGHTLAB_PYTHON: status.python,
  // Python oracles run from tests/python: no __pycache__ left in the checkout.
  PYTHONDONTWRITEBYTECODE: '1',
  TMPDIR: folders.tmp,
  XDG_CACHE_HOME: folders.cache,
  WEIGHTLAB_CACHE_DIR: path.join(folders.cache, 'weightlab'),
};

// The child running now (warm-up, then the test runner), in a process group of its own with
// everything it starts: Ctrl-C and a TERM from outside are passed to the group, and once the
// child has exited, whatever of its group is still running (a kernel or notebook run orphaned
// by a crashed test file) is killed before the folder is removed, so nothing writes there after.
let current;
let stopped = false;
const signalGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone */
  }
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    stopped = true;
    if (current) signalGroup(current.pid, signal);
  });
function run(args, output) {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', output, output],
    cwd: root,
    env: environment,
    detached: true,
  });
  current = child;
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      signalGroup(child.pid, 'SIGKILL');
      resolve({ code, signal });
    }),
  );
}

async function main() {
  // The run's code cache starts empty, so its first kernel compiles TypeScript's 8 MB from
  // scratch; kernel tests that interrupt a cell 500 ms after it starts would then interrupt the
  // start-up instead. One throw-away notebook through `weightlab run` fills the cache first.
  const warmUp = path.join(folders.tmp, 'warm-up.ipynb');
  fs.writeFileSync(
    warmUp,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ cell_type: 'code', id: 'warm-up', metadata: {}, execution_count: null, outputs: [], source: '1 + 1' }],
    }),
  );
  const warmed = await run(
    [path.join(root, 'kernel', 'bin', 'weightlab.js'), 'run', warmUp, '--out', `${warmUp}.out`],
    'ignore',
  );
  if (stopped) return 1;
  if (warmed.code !== 0)
    process.stderr.write("npm test: warming the kernel's code cache failed; the kernel tests will say why\n");
  const tests = await run(['--test', '--test-concurrency=2', '--test-timeout=1800000', ...files], 'inherit');
  return tests.code ?? 1;
}

main().then((code) => {
  removeRunFolder();
  process.exit(code);
});
