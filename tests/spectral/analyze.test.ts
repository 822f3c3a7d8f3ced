// analyze()'s options as data and its result as one table: unknown option keys are ArgumentErrors
// listing the valid ones, an explicit undefined keeps the default, the resolved options are kept
// on the result; the table has WeightWatcher's columns in WeightWatcher's order, the same rows as
// rows() and toJSON(), and its CSV reads back (through Python's csv module, an independent parser)
// to the same values. The plots' options follow the same rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  analyze,
  alphaPlot,
  esdPlot,
  fitPowerLaw,
  ANALYZE_DEFAULTS,
  ArgumentError,
  HTSR_COLUMNS,
  NumericalError,
  PowerLawFitError,
  WeightlabError,
  WeightSet,
} from 'weightlab/internal';
import { oracleLayers } from './fixtures';

const layers = Object.fromEntries(oracleLayers());

test('analyze: an unknown option is an ArgumentError naming it and listing the valid keys', async () => {
  await assert.rejects(analyze(layers, { minEval: 5 } as never), (error: unknown) => {
    assert.ok(error instanceof ArgumentError);
    assert.equal(error.details.field, 'minEval');
    assert.match(error.message, /analyze has no option 'minEval' \(did you mean 'minEvals'\?\)/);
    for (const key of Object.keys(ANALYZE_DEFAULTS)) assert.ok(error.details.expected!.includes(key), `${key} listed`);
    return true;
  });
  await assert.rejects(analyze(layers, 'fast' as never), ArgumentError);
});

test('analyze: an explicit undefined keeps the default, and the result keeps the resolved options', async () => {
  // The 'tiny' fixture layer has M·rf = 8 eigenvalues: below the default minEvals of 10.
  const plain = await analyze(layers, { progress: false });
  const withUndefined = await analyze(layers, {
    progress: false,
    minEvals: undefined,
    fit: undefined,
    engine: undefined,
  });
  const relaxed = await analyze(layers, { progress: false, minEvals: 2 });
  assert.ok(plain.skipped.some((s) => s.name === 'tiny'));
  assert.deepEqual(
    withUndefined.skipped.map((s) => s.name),
    plain.skipped.map((s) => s.name),
  );
  assert.ok(relaxed.rows().some((row) => row.name === 'tiny'));
  assert.deepEqual(withUndefined.toJSON(), plain.toJSON());
  assert.equal(withUndefined.options.minEvals, 10);
  assert.equal(withUndefined.options.fit, 'PL');
  assert.equal(withUndefined.options.engine, 'auto');
  assert.equal(relaxed.options.minEvals, 2);
});

test('the HTSR table: WeightWatcher columns in order, the same rows as rows() and toJSON(), per-column access', async () => {
  const result = await analyze(new WeightSet(layers), { detX: true, mpFit: true, progress: false });
  const names = result.table.columnNames();
  // Every column computed, in HTSR_COLUMNS' order, none the analysis did not ask for.
  assert.deepEqual(
    names,
    HTSR_COLUMNS.filter((column) => names.includes(column)),
  );
  for (const column of [
    'layer_id',
    'layer_type',
    'alpha_weighted',
    'lambda_max',
    'num_pl_spikes',
    'detX_num',
    'W_scale',
    'mp_softrank',
  ] as const)
    assert.ok(names.includes(column), column);
  for (const column of ['rand_distance', 'Lambda', 'num_fingers'] as const) assert.ok(!names.includes(column), column);
  assert.ok(
    names.every((name) => !/[a-z][A-Z]/.test(name) || name.startsWith('detX') || name === 'W_scale'),
    'no camelCase columns',
  );
  assert.deepEqual(result.table.rows(), result.rows());
  assert.deepEqual(result.toJSON(), result.rows());
  assert.deepEqual(
    result.table.column('alpha'),
    result.layers.map((layer) => (layer.fit ? layer.fit.alpha : -1)),
  );
  const summary = result.summary();
  assert.deepEqual(Object.keys(summary).sort(), [
    'alpha',
    'alpha_weighted',
    'log_alpha_norm',
    'log_norm',
    'log_spectral_norm',
    'mp_softrank',
    'stable_rank',
  ]);
  // rows() are copies: editing one changes neither the table nor the next rows().
  result.rows()[0].alpha = 123;
  assert.notEqual(result.rows()[0].alpha, 123);
  assert.equal(result.layer(result.rows()[1].layer_id).row.name, result.rows()[1].name);
});

test("the HTSR table as CSV reads back to the same values with Python's csv module", async (t) => {
  const result = await analyze(new WeightSet(layers), { progress: false });
  const script = 'import csv, json, sys\nprint(json.dumps(list(csv.DictReader(sys.stdin))))';
  const parsed = spawnSync('/usr/bin/python3', ['-c', script], { input: result.table.toCSV(), encoding: 'utf8' });
  if (parsed.error) {
    t.skip('needs /usr/bin/python3');
    return;
  }
  assert.equal(parsed.status, 0, parsed.stderr);
  const back = JSON.parse(parsed.stdout) as Record<string, string>[];
  const rows = result.rows();
  assert.equal(back.length, rows.length);
  assert.deepEqual(Object.keys(back[0]), result.table.columnNames());
  rows.forEach((row, index) => {
    for (const [column, value] of Object.entries(row)) {
      const text = back[index][column];
      if (typeof value === 'number') assert.equal(Number(text), value, `${row.name} ${column}`);
      else if (value === null) assert.equal(text, '', `${row.name} ${column}`);
      else assert.equal(text, String(value), `${row.name} ${column}`);
    }
  });
});

test('esdPlot and alphaPlot take their options as data: unknown keys rejected, undefined keeps the default', async () => {
  const result = await analyze(layers, { progress: false });
  const layer = result.layers[0];
  assert.throws(
    () => esdPlot(layer, { titel: 'x' } as never),
    (error: unknown) =>
      error instanceof ArgumentError && /esdPlot has no option 'titel' \(did you mean 'title'\?\)/.test(error.message),
  );
  assert.throws(
    () => alphaPlot(result, { colum: 'alpha' } as never),
    (error: unknown) => error instanceof ArgumentError && error.details.expected === 'one of title, column',
  );
  assert.throws(
    () => alphaPlot(result, { column: 'alphaWeighted' as never }),
    /alphaPlot draws alpha or alpha_weighted/,
  );
  assert.deepEqual(alphaPlot(result, { column: undefined }).spec, alphaPlot(result).spec);
  assert.equal(esdPlot(layer, { title: undefined }).payload.title, undefined);
  assert.equal(esdPlot(layer, { title: 'fc' }).payload.title, 'fc');
});

test('PowerLawFitError is a NumericalError (a WeightlabError) naming what the fit needed', () => {
  assert.throws(
    () => fitPowerLaw(Float64Array.of(3)),
    (error: unknown) => {
      assert.ok(
        error instanceof PowerLawFitError && error instanceof NumericalError && error instanceof WeightlabError,
      );
      assert.equal(error.code, 'E_NUMERICAL');
      assert.equal(error.details.found, '1');
      return true;
    },
  );
});
