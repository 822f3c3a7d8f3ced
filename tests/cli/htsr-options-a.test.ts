// `weightlab htsr` with the flags of issue #19 part A, as a user runs it on a safetensors file of the
// WeightWatcher oracle layers: --describe lists WeightWatcher describe()'s rows, --xmax / --tolerance /
// --glorot-fix / --fft give WeightWatcher 0.7.5.5's columns (the options-a oracle), and flags WeightWatcher
// would reject are usage errors (exit 2) naming the flag.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeSafetensors } from 'weightlab/internal';
import { runCli, temporaryFolder } from '../support/paths';
import { oracleLayers } from '../spectral/fixtures';

const oracle = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../spectral/oracle/weightwatcher-0.7.5.5-options-a.json'), 'utf8'),
) as { runs: Record<string, Record<string, unknown>[]> };

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function relative(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.abs(b);
}

test('weightlab htsr --describe and the options-a flags reproduce WeightWatcher', () => {
  const folder = temporaryFolder('htsr-options-a');
  try {
    const file = path.join(folder, 'oracle.safetensors');
    writeSafetensors(file, Object.fromEntries(oracleLayers()));

    // describe(): every column exact, in WeightWatcher's DataFrame order.
    const described = runCli(['htsr', file, '--describe', '--json']);
    assert.equal(described.status, 0, described.stderr);
    const rows = jsonLines(described.stdout);
    assert.deepEqual(rows, oracle.runs.describe);
    assert.deepEqual(Object.keys(rows[0]), Object.keys(oracle.runs.describe[0]));
    const text = runCli(['htsr', file, '--describe']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /conv_wide_odd/);

    for (const [run, flags] of [
      ['xmax', ['--xmax', '-2']],
      ['tolerance', ['--tolerance', '0.5']],
      ['glorot_fix', ['--glorot-fix']],
      ['fft', ['--fft']],
      ['xmax_force', ['--xmax', 'force']],
    ] as const) {
      const result = runCli(['htsr', file, '--json', ...flags]);
      assert.equal(result.status, 0, result.stderr);
      const ours = jsonLines(result.stdout);
      const expected = oracle.runs[run];
      assert.deepEqual(
        ours.map((row) => row.name),
        expected.map((row) => row.name),
        run,
      );
      expected.forEach((row, i) => {
        for (const column of ['num_pl_spikes', 'weak_rank_loss', 'num_evals', 'status'])
          assert.deepEqual(ours[i][column], row[column], `${run}/${String(row.name)}/${column}`);
        const tolerance = row.name === 'orth' ? 1e-6 : 1e-9; // the ill-conditioned fit, as in the parity tests
        for (const column of ['alpha', 'xmax', 'lambda_max'])
          assert.ok(
            relative(ours[i][column] as number, row[column] as number) <= tolerance,
            `${run}/${String(row.name)}/${column}: ${String(ours[i][column])} vs ${String(row[column])}`,
          );
      });
    }

    for (const flags of [
      ['--xmax', '0'],
      ['--xmax', '1.5'],
      ['--tolerance', '-1'],
      ['--xmax', '-2', '--fix-fingers', 'clip_xmax'],
      ['--xmax', 'force', '--fit', 'TPL'],
    ]) {
      const usage = runCli(['htsr', file, ...flags]);
      assert.equal(usage.status, 2, `${flags.join(' ')}: ${usage.stderr}`);
      assert.match(usage.stderr, /xmax|tolerance/, flags.join(' '));
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
