// esdGrid: every analysed layer's ESD in one chart. The bundle is a chart's (Vega-Lite v5, the
// headless SVG, an informative text/plain, never text/html), the spec has one facet per layer in
// layer order, and the rendered SVG is read back: one panel title per layer, one xmin rule and one
// fitted-tail line per panel, the shared legend, and the grid's column count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, esdGrid, toMimeBundle, ArgumentError, VEGA_LITE_MIME, WeightSet } from 'weightlab/internal';
import { oracleLayers } from './fixtures';
import { linePoints, svgTexts } from '../support/svg';

const layers = Object.fromEntries(oracleLayers());

test('esdGrid: one facet per analysed layer, Vega-Lite v5 + SVG + text, no HTML', async () => {
  const result = await analyze(new WeightSet(layers), { progress: false });
  const grid = esdGrid(result);
  const bundle = await toMimeBundle(grid);
  assert.deepEqual(Object.keys(bundle.data).sort(), ['image/svg+xml', 'text/plain', VEGA_LITE_MIME].sort());
  const spec = bundle.data[VEGA_LITE_MIME] as {
    $schema: string;
    columns: number;
    facet: { field: string; sort: string[] };
    data: { values: { panel: string; kind: string; x?: number }[] };
    spec: { layer: unknown[] };
  };
  assert.match(spec.$schema, /vega-lite\/v5/);
  assert.equal(spec.columns, 3);
  // One facet per analysed layer, in layer order, each with its bins, and a rule at the fit's xmin.
  const panels = result.layers.map((layer) => grid.panels.find((p) => p.layer_id === layer.row.layer_id)!.panel);
  assert.equal(new Set(panels).size, result.layers.length);
  assert.deepEqual(spec.facet.sort, panels);
  assert.deepEqual([...new Set(spec.data.values.map((v) => v.panel))], panels);
  for (const layer of result.layers) {
    const panel = grid.panels.find((p) => p.layer_id === layer.row.layer_id)!;
    assert.equal(panel.alpha, layer.row.alpha);
    const rows = spec.data.values.filter((v) => v.panel === panel.panel);
    assert.ok(rows.some((v) => v.kind === 'bin'));
    assert.deepEqual(
      rows.filter((v) => v.kind === 'xmin').map((v) => v.x),
      [layer.row.xmin],
    );
  }
  const text = String(bundle.data['text/plain']);
  assert.match(text, new RegExp(`^ESD grid of ${result.layers.length} layers`));
  assert.match(text, new RegExp(`planted: \\d+ eigenvalues, alpha ${result.layer('planted').fit!.alpha.toFixed(3)}`));
  // The picture: a panel title per layer, the legend, one fitted-tail line and one xmin rule per panel.
  const svg = String(bundle.data['image/svg+xml']);
  assert.match(svg, /^<svg/);
  const texts = svgTexts(svg);
  for (const panel of panels) assert.ok(texts.includes(panel), `panel title '${panel}'`);
  for (const entry of ['ESD histogram', 'fitted tail', 'λmin (xmin)']) assert.ok(texts.includes(entry), entry);
  assert.equal(linePoints(svg).length, result.layers.length);
  assert.equal([...svg.matchAll(/<g class="mark-rule role-mark/g)].length, result.layers.length);
});

test('esdGrid options: the chosen layers in the given order, columns, title; bad options get an ArgumentError', async () => {
  const result = await analyze(new WeightSet(layers), { progress: false });
  const grid = esdGrid(result, { layers: ['heavy', 'planted'], columns: 2, title: 'two layers' });
  assert.deepEqual(
    grid.panels.map((p) => p.name),
    ['heavy', 'planted'],
  );
  const spec = grid.spec as { columns: number; title: string };
  assert.equal(spec.columns, 2);
  assert.equal(spec.title, 'two layers');
  const texts = svgTexts(await grid.toSVG());
  assert.ok(texts.includes('two layers'));
  assert.throws(
    () => esdGrid(result, { columns: 0 }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'columns',
  );
  assert.throws(() => esdGrid(result, { layers: ['nonexistent'] }), /no analysed layer/);
  assert.throws(() => esdGrid(result, { colums: 2 } as never), ArgumentError);
  const empty = await analyze(new WeightSet(layers), { layers: ['nonexistent'], progress: false });
  assert.throws(() => esdGrid(empty), ArgumentError);
});
