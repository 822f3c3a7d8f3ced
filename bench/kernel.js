#!/usr/bin/env node
// Kernel start-up and per-cell latency: the weightlab kernel against stock tslab 1.0.22 and
// Debian's ipykernel (when installed), in the same run and interleaved, so machine load hits all
// alike. Not a test; prints a table. WEIGHTLAB_KERNEL_TRACE=1 adds the weightlab kernel's start-up
// steps to stderr.
//   node bench/kernel.js [--runs N] [--cells N] [--pause MS]      (npm run bench:kernel builds first)
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const root = path.resolve(__dirname, '..');
const { launchKernel } = require(path.join(root, 'kernel', 'dist', 'client', 'launcher'));

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const runs = option('runs', 5);
const cells = option('cells', 20);
/** The pause before the second series of trivial cells, as a user writing the next cell. */
const PAUSE_MS = option('pause', 3000);
const libraryPath = path.dirname(require.resolve('weightlab/package.json', { paths: [root] }));
const tslabBin = path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');

/** The weightlab kernel as the kernelspec starts it (bin/start-kernel.sh), with `env` added. */
const weightlabKernel = (env) => ({
  argv: undefined,
  env,
  setup: [],
  libraryCell: (i) => `zoo.parseShard('${i}/${cells}')`,
  completion: (i) => completionAfter(`const v${i} = ${i};\n`, 'readSafet'),
});

const kernels = {
  // The default: deferred type-checking, started the ordinary way.
  weightlab: weightlabKernel({ WEIGHTLAB_TYPECHECK: '', WEIGHTLAB_SNAPSHOT: '' }),
  // Deferred, but started from the V8 startup snapshot (WEIGHTLAB_SNAPSHOT=1): the checker is ready sooner.
  'weightlab-snapshot': weightlabKernel({ WEIGHTLAB_TYPECHECK: '', WEIGHTLAB_SNAPSHOT: '1' }),
  // Every cell checked before it runs (what `weightlab run` asks for), from the snapshot.
  'weightlab-blocking': weightlabKernel({ WEIGHTLAB_TYPECHECK: 'blocking', WEIGHTLAB_SNAPSHOT: '' }),
  tslab: {
    argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
    // Stock tslab has no preload: the notebook imports the library itself, once.
    setup: [`import { zoo, readSafetensors } from ${JSON.stringify(libraryPath)};`],
    libraryCell: (i) => `zoo.parseShard('${i}/${cells}')`,
    completion: (i) => completionAfter(`const v${i} = ${i};\n`, 'readSafet'),
  },
};

// The Python kernel a Debian Jupyter runs, from its own kernelspec; a reference for what a
// notebook user is used to, not a TypeScript kernel. Left out when it is not installed.
const IPYKERNEL_SPEC = '/usr/share/jupyter/kernels/python3/kernel.json';
if (fs.existsSync(IPYKERNEL_SPEC)) {
  kernels.ipykernel = {
    argv: JSON.parse(fs.readFileSync(IPYKERNEL_SPEC, 'utf8')).argv,
    setup: [],
    libraryCell: (i) => `len("bench${i}")`,
    completion: (i) => completionAfter(`v${i} = ${i}\n`, 'import os; os.pat'),
  };
}

/** A completion request at the end of `line` after `before` (cursor in code points, as Jupyter counts). */
function completionAfter(before, line) {
  const code = before + line;
  return { code, cursor: [...code].length };
}

/**
 * The n-th trivial cell: a new expression each time, as a user's next cell is. A kernel may keep
 * its last program when a cell's text is the one it just checked (TypeScript compares file
 * versions), so repeating one text would time a cache, not a cell.
 */
const trivialCell = (n) => `${n + 2} + 1`;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function timed(kernel, code) {
  const started = performance.now();
  // allowStdin as JupyterLab sends it: the weightlab kernel runs batch cells (allow_stdin false) checked.
  const { reply } = await kernel.client.execute(code, { timeoutMs: 120000, allowStdin: true });
  if (reply.content.status !== 'ok') throw new Error(`${code}: ${reply.content.status} ${reply.content.evalue ?? ''}`);
  return performance.now() - started;
}

/** One complete_request's round trip; it must return at least one match. */
async function completed(kernel, { code, cursor }) {
  const started = performance.now();
  const reply = await kernel.client.request('shell', 'complete_request', { code, cursor_pos: cursor }, 120000);
  if (reply.content.status !== 'ok' || reply.content.matches.length === 0)
    throw new Error(`completion of ${code}: ${JSON.stringify(reply.content)}`);
  return performance.now() - started;
}

async function measure(name) {
  const spec = kernels[name];
  // Inside the repository (in the git-ignored .bench/), so both kernels see its node_modules/@types as notebooks do.
  const scratch = path.join(root, '.bench');
  fs.mkdirSync(scratch, { recursive: true });
  const cwd = fs.mkdtempSync(path.join(scratch, 'kernel-'));
  const started = performance.now();
  const kernel = await launchKernel({
    argv: spec.argv,
    cwd,
    startupTimeoutMs: 120000,
    env: spec.env,
    stderr: process.env.WEIGHTLAB_KERNEL_TRACE ? 'inherit' : undefined,
  });
  const ready = kernel.client.firstKernelInfoReplyAt - started;
  try {
    await timed(kernel, '1+1');
    const firstCell = performance.now() - started;
    for (const code of spec.setup) await timed(kernel, code);
    // weightlab preloads the library; stock tslab needs the import cell above first.
    const libraryReady = performance.now() - started;
    let checkedCell = 0;
    const trivial = [];
    for (let i = 0; i < cells; i++) {
      trivial.push(await timed(kernel, trivialCell(i)));
      // The second cell: under deferred type-checking it waits for the checker, built after the first.
      if (i === 0) checkedCell = performance.now() - started;
    }
    // A user takes seconds to write the next cell; the kernel rehearses typical cells meanwhile.
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const afterPause = [];
    for (let i = 0; i < cells; i++) afterPause.push(await timed(kernel, trivialCell(cells + i)));
    const library = [];
    for (let i = 0; i < cells; i++) library.push(await timed(kernel, spec.libraryCell(i)));
    const completion = [];
    for (let i = 0; i < cells; i++) completion.push(await completed(kernel, spec.completion(i)));
    return {
      ready,
      firstCell,
      libraryReady,
      checkedCell,
      trivial: median(trivial),
      afterPause: median(afterPause),
      library: median(library),
      completion: median(completion),
    };
  } finally {
    await kernel.shutdown();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

async function main() {
  const results = Object.fromEntries(Object.keys(kernels).map((name) => [name, []]));
  for (let run = 1; run <= runs; run++) {
    for (const name of Object.keys(kernels)) {
      const result = await measure(name);
      results[name].push(result);
      process.stderr.write(
        `run ${run}/${runs} ${name}: kernel_info ${result.ready.toFixed(0)} ms, first 1+1 done ${result.firstCell.toFixed(0)} ms, library usable ${result.libraryReady.toFixed(0)} ms, second cell done ${result.checkedCell.toFixed(0)} ms, trivial cell ${result.trivial.toFixed(1)} ms, after the pause ${result.afterPause.toFixed(1)} ms, library call ${result.library.toFixed(1)} ms, completion ${result.completion.toFixed(1)} ms\n`,
      );
    }
  }
  const rows = [
    ['cold start -> first kernel_info_reply', 'ready', 's'],
    ['cold start -> first `1+1` answered', 'firstCell', 's'],
    ['cold start -> weightlab usable in cells', 'libraryReady', 's'],
    ['cold start -> second cell (`2 + 1`) answered (type-checked)', 'checkedCell', 's'],
    ['trivial cell (`2 + 1`, `3 + 1`, …), right after start (median round trip)', 'trivial', 'ms'],
    [`trivial cell after a ${PAUSE_MS / 1000} s pause (median)`, 'afterPause', 'ms'],
    ['preloaded library call cell (median)', 'library', 'ms'],
    ['completion of a preloaded name (median)', 'completion', 'ms'],
  ];
  const python = 'ipykernel' in kernels;
  const format = (value, unit) => (unit === 's' ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
  const lines = [
    `Kernel bench: ${runs} cold starts each, ${cells} cells per kind and start; medians over starts (${os.cpus().length} CPUs, Node ${process.version})`,
    '',
    `| metric | weightlab | from snapshot | blocking (weightlab run) | tslab 1.0.22 | weightlab / tslab |${python ? ' ipykernel | weightlab / ipykernel |' : ''}`,
    `|---|---|---|---|---|---|${python ? '---|---|' : ''}`,
  ];
  for (const [label, key, unit] of rows) {
    const value = (name) => median(results[name].map((result) => result[key]));
    const ours = value('weightlab');
    const cellsOf = (name) => `${format(value(name), unit)} | ${(ours / value(name)).toFixed(2)}x |`;
    lines.push(
      `| ${label} | ${format(ours, unit)} | ${format(value('weightlab-snapshot'), unit)} | ${format(value('weightlab-blocking'), unit)} | ${cellsOf('tslab')}${python ? ` ${cellsOf('ipykernel')}` : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
