// What users see: the result table (Arquero, snake_case JSON, summary, HTML/text), the ESD and
// alpha charts (Vega-Lite v5 + headless SVG + the weightlab ESD payload), and the
// `weightlab htsr FILE.npy --json` command end to end against the WeightWatcher oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, esdPlot, alphaPlot, toMimeBundle, VEGA_LITE_MIME, weightlabMimeType, writeNpy, WeightSet } from 'weightlab';
import { oracleLayers } from './fixtures';

const layers = Object.fromEntries(oracleLayers());

test('the result: Arquero table, snake_case JSON, WeightWatcher summary, HTML and text', async () => {
  const result = await analyze(new WeightSet(layers), { detX: true, progress: false });
  assert.equal(result.table.numRows(), 11);
  assert.ok(result.table.columnNames().includes('alphaWeighted'));
  const json = result.toJSON();
  assert.ok('alpha_weighted' in json[0] && 'detX_num' in json[0] && 'erg_gap' in json[0]);
  assert.equal(json[0].erg_gap, (json[0].xmin as number) - (json[0].detX_val as number));
  const summary = result.summary();
  const alphas = result.rows().map((r) => r.alpha as number);
  assert.ok(Math.abs(summary.alpha! - alphas.reduce((a, b) => a + b, 0) / alphas.length) < 1e-12);
  assert.equal(summary.mpSoftrank, undefined);
  const bundle = await toMimeBundle(result);
  const html = String(bundle.data['text/html']);
  assert.match(html, /<table class="weightlab-htsr">/);
  assert.match(html, /alpha_weighted/);
  assert.match(html, /2 skipped layers/);
  const text = String(bundle.data['text/plain']);
  assert.match(text, /11 layers analysed, 2 skipped/);
  // Each skipped layer on its own line, with the tensors it holds and why.
  assert.match(text, /\n {2}tiny \[tiny\.weight\]: M\*rf = 8 < minEvals = 10\n {2}norm \[norm\.weight\]: norm layers are not analysed$/);
  assert.throws(() => result.layer('nonexistent'), /no analysed layer/);
});

test('esdPlot: Vega-Lite v5 with an SVG fallback and the ESD payload (eigenvalues, fit, MP curve)', async () => {
  const result = await analyze(layers, { mpFit: true, layers: ['planted'], progress: false });
  const layer = result.layer('planted');
  const bundle = await toMimeBundle(esdPlot(layer));
  const spec = bundle.data[VEGA_LITE_MIME] as { $schema: string; layer: unknown[] };
  assert.match(spec.$schema, /vega-lite\/v5/);
  assert.equal(spec.layer.length, 4);
  assert.match(String(bundle.data['image/svg+xml']), /^<svg/);
  const payload = bundle.data[weightlabMimeType('esd')] as { eigenvalues: number[]; fit: { alpha: number; candidates: { D: number[] } }; marchenkoPastur: { curve: unknown[]; numSpikes: number } };
  assert.deepEqual(payload.eigenvalues, [...layer.evals]);
  assert.equal(payload.fit.alpha, layer.row.alpha);
  assert.equal(payload.fit.candidates.D.length, layer.evals.length - 1);
  assert.ok(payload.marchenkoPastur.curve.length > 10);
  assert.equal(payload.marchenkoPastur.numSpikes, 4);
});

test('alphaPlot: one point per analysed layer with the 2..6 band', async () => {
  const result = await analyze(layers, { progress: false });
  const chart = alphaPlot(result);
  const bundle = await toMimeBundle(chart);
  const svg = String(bundle.data['image/svg+xml']);
  assert.match(svg, /^<svg/);
  assert.equal((svg.match(/aria-roledescription="point"/g) ?? []).length, 11);
  // A failed fit (alpha = -1: 'lowrank' under clip_xmax) has no alpha to draw.
  const clipped = await analyze(layers, { fixFingers: 'clip_xmax', progress: false });
  const clippedSvg = String((await toMimeBundle(alphaPlot(clipped))).data['image/svg+xml']);
  assert.equal((clippedSvg.match(/aria-roledescription="point"/g) ?? []).length, 10);
});

test('weightlab htsr FILE.npy --json prints WeightWatcher columns (2-D Linear and 4-D Conv2d)', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-htsr-cli-'));
  const oracle = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../spectral/oracle/weightwatcher-0.7.5.5.json'), 'utf8')) as { runs: Record<string, Record<string, unknown>[]> };
  const cli = path.resolve(__dirname, '../../../kernel/bin/weightlab.js');
  try {
    for (const [name, run, flags] of [['heavy', 'default', []], ['conv', 'clip_xmax', ['--fix-fingers', 'clip_xmax']]] as const) {
      const file = path.join(directory, `${name}.npy`);
      writeNpy(file, layers[`${name}.weight`]);
      const output = spawnSync(process.execPath, [cli, 'htsr', file, '--json', ...flags], { encoding: 'utf8' });
      assert.equal(output.status, 0, output.stderr);
      const rows = output.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(rows.length, 1);
      const expected = oracle.runs[run].find((r) => r.name === name)!;
      for (const column of ['alpha', 'D', 'xmin', 'xmax', 'alpha_weighted', 'num_pl_spikes', 'layer_type', 'N', 'M', 'num_fingers']) {
        if (!(column in expected)) continue;
        const want = expected[column], got = rows[0][column];
        if (typeof want === 'number' && !Number.isInteger(want)) assert.ok(Math.abs((got as number) - want) <= 1e-9 * Math.abs(want), `${name} ${column}`);
        else assert.equal(got, want, `${name} ${column}`);
      }
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
