// `weightlab zoo build` on the small preset, with --phases, through the real CLI entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openZoo } from 'weightlab/internal';
import { cliEntry, temporaryFolder } from '../../support/paths';

test('weightlab zoo build --preset digits-mlp-grid --small --phases --json', () => {
  const out = temporaryFolder('zoo-cli');
  const run = spawnSync(
    process.execPath,
    [cliEntry, 'zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--out', out, '--phases', '--json'],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.models, 18);
  assert.equal(report.trained.length, 18);
  assert.ok(report.phases.rows.length === 9);
  // --json speaks the tables' snake_case: the report's rate, the phase rows' axes and labels, the thresholds.
  assert.ok(report.models_per_minute > 0 && !('modelsPerMinute' in report));
  assert.deepEqual(Object.keys(report.phases.rows[0]).slice(0, 3), ['width', 'batch_size', 'models']);
  assert.ok(report.phases.rows.every((row: { phase_reason?: string }) => typeof row.phase_reason === 'string'));
  assert.equal(report.phases.thresholds.max_relative_error, 0.1); // classifyPhases' default underfit line (a tenth of the trivial error)
  assert.equal(openZoo(out).size, 18);
  const again = spawnSync(
    process.execPath,
    [cliEntry, 'zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--out', out, '--json'],
    { encoding: 'utf8' },
  );
  assert.equal(JSON.parse(again.stdout).skipped.length, 18); // resumed: nothing left to train
  const bad = spawnSync(process.execPath, [cliEntry, 'zoo', 'build', '--preset', 'nope', '--out', out], {
    encoding: 'utf8',
  });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /unknown preset/);
});
