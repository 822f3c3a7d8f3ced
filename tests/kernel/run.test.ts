// `weightlab run`: executes a notebook through our kernel and client, records outputs and
// execution counts, writes HTML; bad input files and failing or overrunning cells exit non-zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  cliEntry,
  fixtures,
  notebook,
  readCode,
  runThatKillsTheKernel,
  runUntilThenSignal,
  temporaryFolder,
} from './support';

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cliEntry, 'run', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('runs a small notebook: outputs, execution counts, display updates and HTML', () => {
  const folder = temporaryFolder('run');
  const input = path.join(folder, 'small.ipynb');
  fs.copyFileSync(path.join(fixtures, 'small.ipynb'), input);
  const html = path.join(folder, 'small.html');
  const result = run([input, '--html', html, '--json']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /\[3\/3\] cell 4 ok/);
  const report = JSON.parse(result.stdout);
  assert.equal(report.cells.length, 3);
  const executed = JSON.parse(fs.readFileSync(input, 'utf8'));
  const code = executed.cells.filter((cell: { cell_type: string }) => cell.cell_type === 'code');
  assert.deepEqual(
    code.map((cell: { execution_count: number }) => cell.execution_count),
    [1, 2, 3],
  );
  assert.deepEqual(code[0].outputs, [{ output_type: 'stream', name: 'stdout', text: 'sum 6\ndone\n' }]);
  assert.equal(code[1].outputs[0].output_type, 'display_data');
  assert.match(code[1].outputs[0].data['image/svg+xml'], /^<svg/);
  assert.deepEqual(code[1].outputs[1], {
    output_type: 'execute_result',
    execution_count: 2,
    data: { 'text/plain': '6' },
    metadata: {},
  });
  // The display handle's second update replaced the first output in place.
  assert.equal(code[2].outputs[0].data['text/plain'], 'second <b>');
  assert.equal(executed.metadata.kernelspec.name, 'weightlab');
  assert.equal(executed.metadata.language_info.name, 'typescript');
  const page = fs.readFileSync(html, 'utf8');
  assert.match(page, /^<!DOCTYPE html>/);
  assert.match(page, /<h1[^>]*>Small notebook<\/h1>/);
  assert.match(page, /<svg xmlns/);
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(page, /<script>alert/);
});

test('a file that is not JSON: clear message with the position, exit 2, nothing written', () => {
  const folder = temporaryFolder('run-bad');
  const input = path.join(folder, 'broken.ipynb');
  fs.writeFileSync(input, '{\n  "cells": [\n    oops\n  ]\n}\n');
  const out = path.join(folder, 'out.ipynb');
  const html = path.join(folder, 'out.html');
  const result = run([input, '--out', out, '--html', html]);
  assert.equal(result.status, 2);
  assert.ok(result.stderr.includes(input), result.stderr);
  assert.match(result.stderr, /not valid JSON at line 3, column 5/);
  assert.equal(fs.existsSync(out), false);
  assert.equal(fs.existsSync(html), false);
  assert.equal(fs.readFileSync(input, 'utf8'), '{\n  "cells": [\n    oops\n  ]\n}\n');
});

test('JSON that is not a notebook is rejected with exit 2', () => {
  const folder = temporaryFolder('run-json');
  const input = path.join(folder, 'data.ipynb');
  fs.writeFileSync(input, '{"nbformat": 3, "cells": []}');
  const result = run([input]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /not an nbformat 4 notebook/);
});

test('a failing cell prints the error and exits 1; --allow-errors runs on', () => {
  const folder = temporaryFolder('run-error');
  const input = path.join(folder, 'fails.ipynb');
  fs.writeFileSync(
    input,
    JSON.stringify(
      notebook([
        { cell_type: 'code', source: 'throw new TypeError("bad weights")' },
        { cell_type: 'code', source: '"after"' },
      ]),
    ),
  );
  const failed = run([input]);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /cell 1 failed: TypeError: bad weights/);
  const stopped = JSON.parse(fs.readFileSync(input, 'utf8'));
  assert.equal(stopped.cells[0].outputs[0].output_type, 'error');
  assert.deepEqual(stopped.cells[1].outputs, []);
  const tolerated = run([input, '--allow-errors']);
  assert.equal(tolerated.status, 0, tolerated.stderr);
  const executed = JSON.parse(fs.readFileSync(input, 'utf8'));
  assert.equal(executed.cells[1].outputs[0].data['text/plain'], 'after');
});

test('a cell over --timeout is interrupted and the run fails', () => {
  const folder = temporaryFolder('run-timeout');
  const input = path.join(folder, 'slow.ipynb');
  fs.writeFileSync(input, JSON.stringify(notebook([{ cell_type: 'code', source: 'while (true) {}' }])));
  const result = run([input, '--timeout', '2']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /did not finish within 2 s/);
  const executed = JSON.parse(fs.readFileSync(input, 'utf8'));
  assert.equal(executed.cells[0].outputs[0].ename, 'KeyboardInterrupt');
});

test('the kernel dies mid-run: the finished cells are written, the cell it died in says so, exit 1', () => {
  runThatKillsTheKernel(
    'run-died',
    'process.kill(process.pid, "SIGKILL")',
    /the kernel died \(exit code none: killed by a signal\) while running cell 2/,
  );
});

test('a cell that runs out of memory: the kernel dies, the earlier outputs are kept, KernelDied is recorded saying it ran out of memory, exit 1', () => {
  // The kernel inherits NODE_OPTIONS: a 192 MiB heap fills in about a second.
  runThatKillsTheKernel(
    'run-out-of-memory',
    'const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(100_000).fill(1.5));',
    /the kernel died \(exit code none: killed by a signal\) while running cell 2; it ran out of memory \(V8 reached its heap limit/,
    { NODE_OPTIONS: '--max-old-space-size=192' },
  );
});

test('SIGTERM during a cell: what finished is written, the running cell is marked stopped, exit 143', async () => {
  const folder = temporaryFolder('run-sigterm');
  try {
    const input = path.join(folder, 'long.ipynb');
    fs.writeFileSync(
      input,
      JSON.stringify(
        notebook([
          { cell_type: 'code', source: 'const answer = 6 * 7;\nanswer' },
          { cell_type: 'code', source: 'await new Promise((resolve) => setTimeout(resolve, 600_000));' },
        ]),
      ),
    );
    const out = path.join(folder, 'out.ipynb');
    const { code: status, stderr } = await runUntilThenSignal([input, '--out', out], 'cell 2 ...', 'SIGTERM');
    assert.equal(status, 143, stderr);
    const code = readCode(out);
    assert.deepEqual(code[0].outputs, [
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '42' }, metadata: {} },
    ]);
    assert.equal(code[1].outputs.at(-1)?.ename, 'RunStopped');
    assert.match(code[1].outputs.at(-1)?.evalue, /weightlab run received SIGTERM; cell 2 was stopped/);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test("temp files of a writer killed mid-write are removed by the next write; a live writer's are kept", () => {
  const folder = temporaryFolder('run-stale');
  try {
    const input = path.join(folder, 'small.ipynb');
    fs.copyFileSync(path.join(fixtures, 'small.ipynb'), input);
    // pid_max on Linux is at most 2^22: this writer cannot be running.
    const stale = path.join(folder, `.small.ipynb.${2 ** 22 + 7}.0badf00d.tmp`);
    const live = path.join(folder, `.small.ipynb.${process.pid}.1badf00d.tmp`);
    fs.writeFileSync(stale, 'half a notebook');
    fs.writeFileSync(live, 'being written');
    const result = run([input]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.existsSync(stale), false);
    assert.equal(fs.existsSync(live), true);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
