#!/usr/bin/env node
// Kernel start-up and per-cell latency: the weightlab kernel against stock tslab 1.0.22, in the
// same run and interleaved, so machine load hits both alike. Not a test; prints a table.
//   node bench/kernel.js [--runs N] [--cells N]      (npm run bench:kernel builds first)
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
const libraryPath = path.dirname(require.resolve('weightlab/package.json', { paths: [root] }));
const tslabBin = path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');

const kernels = {
  weightlab: {
    argv: undefined, // the launcher's default: this Node and kernel/dist/kernel/entry.js
    setup: [],
    libraryCell: "weightlabMimeType('bench')",
  },
  tslab: {
    argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
    // Stock tslab has no preload: the notebook imports the library itself, once.
    setup: [`import { weightlabMimeType } from ${JSON.stringify(libraryPath)};`],
    libraryCell: "weightlabMimeType('bench')",
  },
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function timed(kernel, code) {
  const started = performance.now();
  const { reply } = await kernel.client.execute(code, { timeoutMs: 120000 });
  if (reply.content.status !== 'ok') throw new Error(`${code}: ${reply.content.status} ${reply.content.evalue ?? ''}`);
  return performance.now() - started;
}

async function measure(name) {
  const spec = kernels[name];
  // Inside the repository (in the git-ignored .bench/), so both kernels see its node_modules/@types as notebooks do.
  const scratch = path.join(root, '.bench');
  fs.mkdirSync(scratch, { recursive: true });
  const cwd = fs.mkdtempSync(path.join(scratch, 'kernel-'));
  const started = performance.now();
  const kernel = await launchKernel({ argv: spec.argv, cwd, startupTimeoutMs: 120000 });
  const ready = kernel.client.firstKernelInfoReplyAt - started;
  try {
    await timed(kernel, '1+1');
    const firstCell = performance.now() - started;
    for (const code of spec.setup) await timed(kernel, code);
    // weightlab preloads the library; stock tslab needs the import cell above first.
    const libraryReady = performance.now() - started;
    const trivial = [];
    for (let i = 0; i < cells; i++) trivial.push(await timed(kernel, '1+1'));
    const library = [];
    for (let i = 0; i < cells; i++) library.push(await timed(kernel, spec.libraryCell));
    return { ready, firstCell, libraryReady, trivial: median(trivial), library: median(library) };
  } finally {
    await kernel.shutdown();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

async function main() {
  const results = { weightlab: [], tslab: [] };
  for (let run = 1; run <= runs; run++) {
    for (const name of Object.keys(kernels)) {
      const result = await measure(name);
      results[name].push(result);
      process.stderr.write(
        `run ${run}/${runs} ${name}: kernel_info ${result.ready.toFixed(0)} ms, first 1+1 done ${result.firstCell.toFixed(0)} ms, library usable ${result.libraryReady.toFixed(0)} ms, 1+1 ${result.trivial.toFixed(1)} ms, library call ${result.library.toFixed(1)} ms\n`,
      );
    }
  }
  const rows = [
    ['cold start -> first kernel_info_reply', 'ready', 's'],
    ['cold start -> first `1+1` answered', 'firstCell', 's'],
    ['cold start -> weightlab usable in cells', 'libraryReady', 's'],
    ['`1+1` cell (median round trip)', 'trivial', 'ms'],
    ['preloaded library call cell (median)', 'library', 'ms'],
  ];
  const format = (value, unit) => (unit === 's' ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
  const lines = [
    `Kernel bench: ${runs} cold starts each, ${cells} cells per kind and start; medians over starts (${os.cpus().length} CPUs, Node ${process.version})`,
    '',
    `| metric | weightlab | tslab 1.0.22 | weightlab / tslab |`,
    `|---|---|---|---|`,
  ];
  for (const [label, key, unit] of rows) {
    const ours = median(results.weightlab.map((result) => result[key]));
    const theirs = median(results.tslab.map((result) => result[key]));
    lines.push(`| ${label} | ${format(ours, unit)} | ${format(theirs, unit)} | ${(ours / theirs).toFixed(2)}x |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
