// What users see: the result table (Arquero, snake_case JSON, summary, HTML/text), the ESD and
// alpha charts (Vega-Lite v5 + headless SVG + the weightlab ESD payload; the rendered SVG is read
// back for its title, legend entries and frame), and the
// `weightlab htsr FILE.npy --json` command end to end against the WeightWatcher oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  analyze,
  esdPlot,
  alphaPlot,
  toMimeBundle,
  ArgumentError,
  VEGA_LITE_MIME,
  weightlabMimeType,
  writeNpy,
  WeightSet,
} from 'weightlab/internal';
import { oracleLayers } from './fixtures';
import { linePoints, svgTexts } from '../support/svg';

const layers = Object.fromEntries(oracleLayers());

test('the result: Arquero table, snake_case JSON, WeightWatcher summary, HTML and text', async () => {
  const result = await analyze(new WeightSet(layers), { detX: true, progress: false });
  assert.equal(result.table.numRows(), 11);
  assert.ok(result.table.columnNames().includes('alpha_weighted'));
  const json = result.toJSON();
  assert.ok('alpha_weighted' in json[0] && 'detX_num' in json[0] && 'erg_gap' in json[0]);
  assert.equal(json[0].erg_gap, (json[0].xmin as number) - (json[0].detX_val as number));
  const summary = result.summary();
  const alphas = result.rows().map((r) => r.alpha as number);
  assert.ok(Math.abs(summary.alpha! - alphas.reduce((a, b) => a + b, 0) / alphas.length) < 1e-12);
  assert.equal(summary.mp_softrank, undefined);
  const bundle = await toMimeBundle(result);
  const html = String(bundle.data['text/html']);
  assert.match(html, /<table class="weightlab-htsr">/);
  assert.match(html, /alpha_weighted/);
  assert.match(html, /2 skipped layers/);
  const text = String(bundle.data['text/plain']);
  assert.match(text, /11 layers analysed, 2 skipped/);
  // Each skipped layer on its own line, with the tensors it holds and why.
  assert.match(
    text,
    /\n {2}tiny \[tiny\.weight\]: M\*rf = 8 < minEvals = 10\n {2}norm \[norm\.weight\]: norm layers are not analysed$/,
  );
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
  assert.equal(bundle.data['text/html'], undefined, 'no HTML next to the chart');
  const payload = bundle.data[weightlabMimeType('esd')] as {
    title?: string;
    eigenvalues: number[];
    fit: { alpha: number; candidates: { D: number[] } };
    marchenkoPastur: { curve: unknown[]; numSpikes: number };
  };
  assert.equal(payload.title, undefined, 'without a title the extension names the layer itself');
  assert.deepEqual(payload.eigenvalues, [...layer.evals]);
  assert.equal(payload.fit.alpha, layer.row.alpha);
  assert.equal(payload.fit.candidates.D.length, layer.evals.length - 1);
  assert.ok(payload.marchenkoPastur.curve.length > 10);
  assert.equal(payload.marchenkoPastur.numSpikes, 4);
});

test('esdPlot draws what it says: the given title, a legend naming every overlay, λmin at xmin, curves inside the frame', async () => {
  const result = await analyze(layers, { mpFit: true, progress: false });
  for (const name of ['planted', 'heavy', 'gauss_tall']) {
    const layer = result.layer(name);
    const fit = layer.fit!;
    const title = `${name} after training: alpha ${fit.alpha.toFixed(2)}`;
    const plot = esdPlot(layer, { title });
    const bundle = await toMimeBundle(plot);
    // The extension's ESD view (ranked above Vega-Lite in the lab) shows the same title.
    assert.equal((bundle.data[weightlabMimeType('esd')] as { title?: string }).title, title);
    const svg = String(bundle.data['image/svg+xml']);
    const texts = svgTexts(svg);
    assert.ok(texts.includes(title), `${name}: title '${title}' in ${JSON.stringify(texts)}`);
    for (const entry of [
      'ESD histogram',
      'Marchenko–Pastur fit',
      `power-law fit, α = ${fit.alpha.toFixed(2)}`,
      `λmin = ${fit.xmin.toPrecision(3)}`,
    ]) {
      assert.ok(texts.includes(entry), `${name}: legend entry '${entry}'`);
    }
    assert.ok(
      texts.includes('eigenvalue λ (log scale)') && texts.includes('density (log scale)'),
      `${name}: axis titles`,
    );
    // Frame: width x height of the spec, x on a log scale over the spec's domain.
    const spec = plot.spec as {
      width: number;
      height: number;
      layer: { encoding: { x: { scale: { domain: [number, number] } } } }[];
    };
    const lines = linePoints(svg);
    assert.equal(lines.length, 2, `${name}: the MP curve and the power-law fit`);
    for (const points of lines) {
      assert.ok(points.length > 10);
      for (const [x, y] of points)
        assert.ok(
          x >= -1e-6 && x <= spec.width + 1e-6 && y >= -1e-6 && y <= spec.height + 1e-6,
          `${name}: line point (${x}, ${y}) outside the ${spec.width}x${spec.height} frame`,
        );
    }
    const [low, high] = spec.layer[0].encoding.x.scale.domain;
    const rule =
      /<g class="mark-rule role-mark[^>]*><line[^>]*transform="translate\(([\d.]+),0\)"[^>]*y2="([\d.]+)"/.exec(svg);
    assert.ok(rule, `${name}: the xmin rule`);
    assert.ok(
      Math.abs(Number(rule[1]) - (spec.width * Math.log(fit.xmin / low)) / Math.log(high / low)) < 0.01,
      `${name}: rule at xmin`,
    );
    assert.equal(Number(rule[2]), spec.height);
  }
  // The truncated power law is named as such, with its Lambda.
  const tpl = await analyze(layers, { fit: 'TPL', layers: ['heavy'], progress: false });
  const tplFit = tpl.layers[0].fit!;
  const tplTexts = svgTexts(await esdPlot(tpl.layers[0]).toSVG());
  assert.ok(
    tplTexts.includes(`truncated power law, α = ${tplFit.alpha.toFixed(2)}, Λ = ${tplFit.lambda!.toPrecision(3)}`),
    JSON.stringify(tplTexts),
  );
  assert.throws(
    () => esdPlot(tpl.layers[0], { title: 7 as unknown as string }),
    (error: Error) => error instanceof ArgumentError && /title/.test(error.message),
  );
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

test('alphaPlot names what it draws: the given title, axis titles, the band and every warning colour', async () => {
  const result = await analyze(layers, { progress: false });
  const texts = svgTexts(await alphaPlot(result, { title: 'alpha of the oracle layers' }).toSVG());
  const alphas = result
    .rows()
    .map((row) => row.alpha as number)
    .filter((alpha) => alpha > 0);
  // 'orth' fits alpha in the millions: over a decade of spread the axis is logarithmic.
  assert.ok(Math.max(...alphas) / Math.min(...alphas) > 10);
  for (const text of [
    'alpha of the oracle layers',
    'layer id',
    'alpha (α) (log)',
    'HTSR band',
    'well trained: 2 ≤ α ≤ 6',
    'HTSR warning',
    'ok',
    'over-trained',
    'under-trained',
  ]) {
    assert.ok(texts.includes(text), `'${text}' in ${JSON.stringify(texts)}`);
  }
  const weighted = svgTexts(await alphaPlot(result, { column: 'alpha_weighted' }).toSVG());
  assert.ok(weighted.includes('alpha_weighted per layer'));
  assert.throws(() => alphaPlot(result, { column: 'D' as 'alpha' }), ArgumentError);
});

test('weightlab htsr FILE.npy --json prints WeightWatcher columns (2-D Linear and 4-D Conv2d)', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-htsr-cli-'));
  const oracle = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '../../spectral/oracle/weightwatcher-0.7.5.5.json'), 'utf8'),
  ) as { runs: Record<string, Record<string, unknown>[]> };
  const cli = path.resolve(__dirname, '../../../kernel/bin/weightlab.js');
  try {
    for (const [name, run, flags] of [
      ['heavy', 'default', []],
      ['conv', 'clip_xmax', ['--fix-fingers', 'clip_xmax']],
    ] as const) {
      const file = path.join(directory, `${name}.npy`);
      writeNpy(file, layers[`${name}.weight`]);
      const output = spawnSync(process.execPath, [cli, 'htsr', file, '--json', ...flags], { encoding: 'utf8' });
      assert.equal(output.status, 0, output.stderr);
      const rows = output.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(rows.length, 1);
      const expected = oracle.runs[run].find((r) => r.name === name)!;
      for (const column of [
        'alpha',
        'D',
        'xmin',
        'xmax',
        'alpha_weighted',
        'num_pl_spikes',
        'layer_type',
        'N',
        'M',
        'num_fingers',
      ]) {
        if (!(column in expected)) continue;
        const want = expected[column],
          got = rows[0][column];
        if (typeof want === 'number' && !Number.isInteger(want))
          assert.ok(Math.abs((got as number) - want) <= 1e-9 * Math.abs(want), `${name} ${column}`);
        else assert.equal(got, want, `${name} ${column}`);
      }
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
