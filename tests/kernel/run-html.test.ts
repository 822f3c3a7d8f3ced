// `weightlab run --html` as a static appendix: a notebook with a Vega-Lite chart, a weightlab
// result (an ESD plot with its payload), a chart whose bundle has no SVG, and a hostile SVG is
// executed; every figure must be inline SVG in the page (no JavaScript, nothing fetched, no raw
// payload JSON), ids scoped per figure, labels present as SVG text. inlineSvg is checked alone too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { inertMarkup, inlineSvg } from '@weightlab/kernel/dist/notebook/html';
import { cliEntry, notebook, temporaryFolder } from './support';

const cells = [
  {
    cell_type: 'code',
    source: `display(display.vegaLite({ title: 'Alpha per layer', data: { values: [{ layer: 'fc1', alpha: 2.5 }, { layer: 'fc2', alpha: 3.5 }] },
  mark: 'bar', encoding: { x: { field: 'layer', type: 'nominal' }, y: { field: 'alpha', type: 'quantitative' } } }));`,
  },
  {
    cell_type: 'code',
    source: `const weights = new WeightSet({ 'fc1.weight': new Tensor('float32', Float32Array.from(rng(1).normal(40 * 24)), [40, 24]) });
const result = await analyze(weights, { progress: false });
esdPlot(result.layers[0], { title: 'Spectrum of fc1' })`,
  },
  {
    cell_type: 'code',
    source: `display(display.bundle({ [display.VEGA_LITE_MIME]: { title: 'Spec only', data: { values: [{ x: 1, y: 2 }, { x: 2, y: 1 }] },
  mark: { type: 'line', clip: true }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
  'text/plain': 'a chart without its SVG' }));`,
  },
  {
    cell_type: 'code',
    source: `display.svg('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="alert(1)"><script>alert(2)</script><image href="https://example.org/x.png" width="5" height="5"/><rect width="20" height="20" fill="url(#paint)"/><linearGradient id="paint"/></svg>', 'hostile')`,
  },
];

test('run --html: every chart and weightlab output is inline, inert SVG; the page needs no JavaScript and fetches nothing', () => {
  const folder = temporaryFolder('run-html');
  const input = path.join(folder, 'appendix.ipynb');
  fs.writeFileSync(input, JSON.stringify(notebook(cells)));
  const html = path.join(folder, 'appendix.html');
  const result = spawnSync(process.execPath, [cliEntry, 'run', input, '--html', html], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const page = fs.readFileSync(html, 'utf8');
  const figures = [
    ...page.matchAll(/<figure class="output svg" data-mime="([^"]*)"[^>]*><svg\b[^]*?<\/svg><\/figure>/g),
  ];
  assert.equal(figures.length, 4, 'four figures, each one inline SVG');
  assert.deepEqual(
    figures.map((figure) => figure[1]),
    [
      'application/vnd.vegalite.v5+json',
      'application/vnd.weightlab.esd.v1+json application/vnd.vegalite.v5+json',
      'application/vnd.vegalite.v5+json',
      '',
    ],
  );
  // The labels are SVG text (readable and searchable offline), the spec-only chart rendered here.
  for (const [index, label] of ['Alpha per layer', 'Spectrum of fc1', 'Spec only'].entries())
    assert.match(figures[index][0], new RegExp(`<text[^>]*>${label}</text>`));
  // (The cells' source is on the page too, escaped: only real tags and attributes count.)
  assert.doesNotMatch(page, /<script/i);
  assert.doesNotMatch(page, /<[a-z][^>]*\son[a-z]+\s*=/i, 'no event handler attribute');
  assert.doesNotMatch(page, /<[a-z][^>]*\s(?:xlink:)?(?:href|src)\s*=\s*["']?(?!#)/i, 'no link or source but #ids');
  assert.doesNotMatch(page, /"\$schema"|vega-lite\/v5\.json/, 'no payload or spec JSON dumped into the page');
  // Ids are scoped per figure and references follow them.
  assert.match(figures[3][0], /id="figure4-paint"/);
  assert.match(figures[3][0], /fill="url\(#figure4-paint\)"/);
  const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
  assert.equal(new Set(ids).size, ids.length, 'no id twice on the page');
});

test('inlineSvg drops scripts, handlers, foreign content and outside links; scopes ids and their references', () => {
  const markup =
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onclick="x()">' +
    '<defs><clipPath id="clip1"><rect width="1" height="1"/></clipPath></defs>' +
    '<g clip-path="url(#clip1)" data-id="keep"><use href="#clip1"/><a xlink:href="javascript:alert(1)"><text>t</text></a></g>' +
    '<foreignObject><div>html</div></foreignObject><script type="text/javascript">evil()</script><script src="x.js"/></svg>';
  assert.equal(
    inlineSvg(markup, 's'),
    '<svg xmlns="http://www.w3.org/2000/svg">' +
      '<defs><clipPath id="s-clip1"><rect width="1" height="1"/></clipPath></defs>' +
      '<g clip-path="url(#s-clip1)" data-id="keep"><use href="#s-clip1"/><a><text>t</text></a></g>' +
      '</svg>',
  );
});

test('HTML outputs lose what runs or loads; text that looks like an attribute and links to follow stay', () => {
  assert.equal(
    inertMarkup(
      '<p onclick="x()" class="note">one = 1 <img src="https://example.org/a.png" alt="a"><img src="data:image/png;base64,AA">' +
        '<a href="https://doi.org/10.1/x" onmouseover=\'y()\'>paper</a><a href="javascript:z()">z</a>' +
        '<iframe src="https://example.org"></iframe><link rel="stylesheet" href="https://example.org/s.css"></p>',
    ),
    '<p class="note">one = 1 <img alt="a"><img src="data:image/png;base64,AA">' +
      '<a href="https://doi.org/10.1/x">paper</a><a>z</a></p>',
  );
});
