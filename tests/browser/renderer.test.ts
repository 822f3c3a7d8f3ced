/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Tier 1 browser test: weightlab outputs rendered by JupyterLab's own OutputArea and
// RenderMimeRegistry in headless Chromium. Checks which representation JupyterLab picks
// (our renderer when installed; Vega-Lite, SVG or text otherwise, by trust), and that the
// manifold, phase diagram, ESD and loss-surface views respond to hover, switchers, selection and rotation.
// Screenshots (light and dark theme) land in out/browser/ for CI artifacts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { MANIFOLD_MIME } from 'weightlab/internal';
import { artifactsFolder, openCases, openHarness, type OpenCases } from './support/harness';
import {
  ESD_ALPHA,
  lossSurfaceOutput,
  phaseDiagram,
  spectralDensity,
  SURFACE_RESOLUTION,
  zooManifold,
  ZOO_SIZE,
} from './support/fixtures';
import { recordedNotebookOutputs } from './support/notebook-outputs';

let harness: OpenCases | undefined;
let page: Page;
let recordedCount = 0;

before(async () => {
  const manifold = await zooManifold(2);
  const recorded = recordedNotebookOutputs();
  recordedCount = recorded.length;
  const cases = [
    {
      id: 'manifold',
      title: 'manifold, weightlab + vega5',
      outputs: [manifold],
      trusted: true,
      renderers: ['weightlab', 'vega'],
    },
    {
      id: 'manifold-untrusted',
      title: 'manifold, weightlab only',
      outputs: [manifold],
      trusted: false,
      renderers: ['weightlab'],
    },
    {
      id: 'vega-fallback',
      title: 'manifold without weightlab',
      outputs: [manifold],
      trusted: true,
      renderers: ['vega'],
    },
    {
      id: 'svg-fallback',
      title: 'manifold without weightlab or vega5',
      outputs: [manifold],
      trusted: true,
      renderers: [],
    },
    {
      id: 'text-fallback',
      title: 'manifold without weightlab or vega5',
      outputs: [manifold],
      trusted: false,
      renderers: [],
    },
    {
      id: 'vega-untrusted',
      title: 'manifold without weightlab (vega5 is safe)',
      outputs: [manifold],
      trusted: false,
      renderers: ['vega'],
    },
    {
      id: 'manifold-3d',
      title: '3-D manifold',
      outputs: [await zooManifold(3)],
      trusted: true,
      renderers: ['weightlab', 'vega'],
    },
    {
      id: 'phase',
      title: 'phase diagram',
      outputs: [await phaseDiagram()],
      trusted: true,
      renderers: ['weightlab', 'vega'],
    },
    { id: 'esd', title: 'ESD', outputs: [await spectralDensity()], trusted: true, renderers: ['weightlab', 'vega'] },
    {
      id: 'surface',
      title: 'loss surface',
      outputs: [await lossSurfaceOutput()],
      trusted: true,
      renderers: ['weightlab', 'vega'],
    },
    ...(recorded.length
      ? [
          {
            id: 'notebook',
            title: 'notebooks/weight-manifolds.ipynb outputs',
            outputs: recorded,
            trusted: true,
            renderers: ['weightlab', 'vega'],
          },
        ]
      : []),
  ];
  harness = await openCases(cases);
  page = harness.page;
});

after(async () => harness?.close());

/** The RGBA of the canvas pixel under a point's centre. */
async function pixelUnderPoint(caseId: string, index: number): Promise<number[]> {
  return page.evaluate(
    ({ caseId, index }) => {
      const root = document.querySelector(`#${caseId} .wl-manifold`) as HTMLElement & {
        weightlabManifold: { clientPosition(i: number): [number, number]; redraw(): number };
      };
      root.weightlabManifold.redraw();
      const canvas = root.querySelector('canvas') as HTMLCanvasElement;
      const [x, y] = root.weightlabManifold.clientPosition(index);
      const box = canvas.getBoundingClientRect();
      const ratio = canvas.width / box.width;
      return Array.from(
        canvas
          .getContext('2d')!
          .getImageData(Math.round((x - box.left) * ratio), Math.round((y - box.top) * ratio), 1, 1).data,
      );
    },
    { caseId, index },
  );
}

/** Colours compare within 2 per channel: the canvas stores them premultiplied by alpha. */
function assertColor(rgba: number[], expected: [number, number, number], what: string): void {
  assert.ok(
    rgba.slice(0, 3).every((v, i) => Math.abs(v - expected[i]) <= 2),
    `${what}: found rgb(${rgba.slice(0, 3).join(',')}), expected rgb(${expected.join(',')})`,
  );
}

async function pointPosition(caseId: string, index: number): Promise<[number, number]> {
  return page.evaluate(
    ({ caseId, index }) => {
      const root = document.querySelector(`#${caseId} .wl-manifold`) as HTMLElement & {
        weightlabManifold: { clientPosition(i: number): [number, number] };
      };
      return root.weightlabManifold.clientPosition(index);
    },
    { caseId, index },
  );
}

test('JupyterLab picks our renderer when it is installed, and the right fallback when not', async () => {
  const preferred = async (id: string) => page.getAttribute(`#${id}`, 'data-preferred');
  assert.equal(await preferred('manifold'), MANIFOLD_MIME);
  await page.waitForSelector(`#manifold .wl-manifold[data-weightlab-points="${ZOO_SIZE}"]`);
  // Declared safe, so it renders in untrusted notebooks too.
  assert.equal(await preferred('manifold-untrusted'), MANIFOLD_MIME);
  await page.waitForSelector('#manifold-untrusted .wl-manifold');
  // Without our extension JupyterLab's own vega5 renderer draws the Vega-Lite fallback...
  assert.equal(await preferred('vega-fallback'), 'application/vnd.vegalite.v5+json');
  await page.waitForSelector('#vega-fallback .vega-embed');
  // ...and vega5 is safe too, so untrusted notebooks still get the chart.
  assert.equal(await preferred('vega-untrusted'), 'application/vnd.vegalite.v5+json');
  await page.waitForSelector('#vega-untrusted .vega-embed');
  // A front end with neither (Notebook 6 style) shows the SVG when trusted, the text line when not.
  assert.equal(await preferred('svg-fallback'), 'image/svg+xml');
  await page.waitForSelector('#svg-fallback .jp-RenderedSVG img');
  assert.equal(await preferred('text-fallback'), 'text/plain');
  const text = await page.textContent('#text-fallback .jp-RenderedText');
  assert.match(text ?? '', /^Weight manifold 'fixture zoo \(2-D\)': 12 models; PCA 2-D/);
  assert.equal(
    await page.locator('#text-fallback .wl-manifold, #text-fallback img, #text-fallback .vega-embed').count(),
    0,
  );
  for (const id of ['phase', 'esd']) await page.waitForSelector(`#${id} .jp-RenderedWeightlab svg`);
  if (recordedCount) {
    // notebooks/weight-manifolds.ipynb's stored outputs: every manifold in it renders with our view.
    await page.waitForSelector('#notebook .wl-manifold');
    assert.equal(await page.locator('#notebook .wl-manifold').count(), recordedCount);
    await page.locator('#notebook').screenshot({ path: path.join(artifactsFolder, 'weight-manifolds-notebook.png') });
  }
  await page.screenshot({ path: path.join(artifactsFolder, 'harness-light.png'), fullPage: true });
});

test('hovering a point shows that model’s hyperparameters and metrics', async () => {
  await page.locator('#manifold canvas').scrollIntoViewIfNeeded();
  const [x, y] = await pointPosition('manifold', 5);
  await page.mouse.move(x, y);
  const tooltip = page.locator('#manifold .wl-tooltip');
  await tooltip.waitFor({ state: 'visible' });
  assert.equal(await tooltip.getAttribute('data-model'), 'mlp-05');
  const row = async (column: string) => tooltip.locator(`[data-column="${column}"] .wl-tooltip-value`).textContent();
  // Model 5 of the fixture: learning_rate [.001,.01,.1][5 % 3], width [16,32,64,128][5 % 4], accuracy 0.5 + 0.04·5.
  assert.equal(await row('learning_rate'), '0.1000');
  assert.equal(await row('width'), '32');
  assert.equal(await row('optimizer'), 'adam');
  assert.equal(await row('test_accuracy'), '0.7000');
  await page.locator('#manifold').screenshot({ path: path.join(artifactsFolder, 'manifold-hover.png') });
  await page.mouse.move(0, 0);
  await tooltip.waitFor({ state: 'hidden' });
});

test('switching colour-by recolours the points (viridis ends, read back from the canvas)', async () => {
  // Model 0 has the lowest accuracy and the highest loss: viridis(0) = #440154, viridis(1) = #fde725.
  const before = await pixelUnderPoint('manifold', 0);
  assertColor(before, [0x44, 0x01, 0x54], 'model 0 by accuracy');
  await page.selectOption('#manifold select[data-role="color-by"]', 'train_loss');
  assert.equal(await page.getAttribute('#manifold .wl-manifold', 'data-color-by'), 'train_loss');
  const afterwards = await pixelUnderPoint('manifold', 0);
  assertColor(afterwards, [0xfd, 0xe7, 0x25], 'model 0 by loss');
  // A nominal column switches to the categorical palette, categories in natural order: adam is the
  // first (Tableau blue #4e79a7), so model 0 (sgd) takes the second colour (orange #f28e2b).
  await page.selectOption('#manifold select[data-role="color-by"]', 'optimizer');
  assertColor(await pixelUnderPoint('manifold', 0), [0xf2, 0x8e, 0x2b], 'model 0 by optimizer');
  assert.deepEqual(await page.locator('#manifold .wl-legend .wl-category').allTextContents(), ['adam', 'sgd']);
  await page.selectOption('#manifold select[data-role="color-by"]', 'test_accuracy');
});

test('size-by, box selection that lists the models, trajectories', async () => {
  await page.locator('#manifold canvas').scrollIntoViewIfNeeded();
  await page.selectOption('#manifold select[data-role="size-by"]', 'width');
  assert.equal(await page.getAttribute('#manifold .wl-manifold', 'data-size-by'), 'width');
  const canvas = await page.locator('#manifold canvas').boundingBox();
  assert.ok(canvas);
  await page.keyboard.down('Shift');
  await page.mouse.move(canvas.x + 2, canvas.y + 2);
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width - 2, canvas.y + canvas.height - 2, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  assert.equal(await page.getAttribute('#manifold .wl-manifold', 'data-selected'), String(ZOO_SIZE));
  const listed = await page
    .locator('#manifold .wl-selection-list li')
    .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.model));
  assert.deepEqual(
    [...listed].sort(),
    Array.from({ length: ZOO_SIZE }, (_, i) => `mlp-${String(i).padStart(2, '0')}`),
  );
  // A box around one point selects exactly that model.
  const [x, y] = await pointPosition('manifold', 3);
  await page.keyboard.down('Shift');
  await page.mouse.move(x - 3, y - 3);
  await page.mouse.down();
  await page.mouse.move(x + 3, y + 3, { steps: 2 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  assert.deepEqual(
    await page
      .locator('#manifold .wl-selection-list li')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.model)),
    ['mlp-03'],
  );
  assert.equal(await page.getAttribute('#manifold .wl-manifold', 'data-trajectories'), '4');
  await page.locator('#manifold').screenshot({ path: path.join(artifactsFolder, 'manifold-selection.png') });
  await page.click('#manifold button[data-role="clear-selection"]');
  assert.equal(await page.getAttribute('#manifold .wl-manifold', 'data-selected'), '0');
});

test('lasso selection (alt-shift-drag) lists the models inside the outline, not its bounding box', async () => {
  await page.locator('#manifold canvas').scrollIntoViewIfNeeded();
  const selectedModels = () =>
    page
      .locator('#manifold .wl-selection-list li')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.model));
  const lasso = async (outline: Array<[number, number]>) => {
    await page.keyboard.down('Shift');
    await page.keyboard.down('Alt');
    await page.mouse.move(outline[0][0], outline[0][1]);
    await page.mouse.down();
    for (const [x, y] of outline.slice(1)) await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.up();
    await page.keyboard.up('Alt');
    await page.keyboard.up('Shift');
  };
  // A triangle around model 3 selects exactly it.
  const [x3, y3] = await pointPosition('manifold', 3);
  await lasso([
    [x3 - 6, y3 - 6],
    [x3 + 8, y3 - 2],
    [x3 - 2, y3 + 8],
  ]);
  assert.deepEqual(await selectedModels(), ['mlp-03']);
  await page.locator('#manifold').screenshot({ path: path.join(artifactsFolder, 'manifold-lasso.png') });
  // A triangle whose bounding box holds model 5 but whose hypotenuse passes 8 px short of it:
  // a box selection would take model 5, the lasso must not.
  const [x5, y5] = await pointPosition('manifold', 5);
  await lasso([
    [x5 - 16, y5 - 16],
    [x5 + 4, y5 - 16],
    [x5 - 16, y5 + 4],
  ]);
  assert.ok(!(await selectedModels()).includes('mlp-05'), 'model 5 lies outside the lasso');
  // An outline around the whole canvas selects every model.
  const canvas = await page.locator('#manifold canvas').boundingBox();
  assert.ok(canvas);
  await lasso([
    [canvas.x + 1, canvas.y + 1],
    [canvas.x + canvas.width - 1, canvas.y + 1],
    [canvas.x + canvas.width - 1, canvas.y + canvas.height - 1],
    [canvas.x + 1, canvas.y + canvas.height - 1],
  ]);
  assert.equal(await page.getAttribute('#manifold .wl-manifold', 'data-selected'), String(ZOO_SIZE));
  await page.click('#manifold button[data-role="clear-selection"]');
  assert.equal(await page.getAttribute('#manifold .wl-manifold', 'data-selected'), '0');
});

test('the 3-D manifold rotates on drag and zooms on wheel', async () => {
  await page.locator('#manifold-3d canvas').scrollIntoViewIfNeeded();
  const beforeDrag = await pointPosition('manifold-3d', 2);
  const canvas = await page.locator('#manifold-3d canvas').boundingBox();
  assert.ok(canvas);
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width / 2 + 80, canvas.y + canvas.height / 2 + 20, { steps: 5 });
  await page.mouse.up();
  await page.waitForTimeout(50);
  const afterDrag = await pointPosition('manifold-3d', 2);
  assert.ok(
    Math.hypot(afterDrag[0] - beforeDrag[0], afterDrag[1] - beforeDrag[1]) > 5,
    'rotation moved the point on screen',
  );
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(50);
  const centre = [canvas.x + canvas.width / 2, canvas.y + canvas.height / 2];
  const zoomed = await pointPosition('manifold-3d', 2);
  // Zooming in about the cursor moves points away from it.
  assert.ok(
    Math.hypot(zoomed[0] - centre[0], zoomed[1] - centre[1]) >
      Math.hypot(afterDrag[0] - centre[0], afterDrag[1] - centre[1]),
  );
  await page.locator('#manifold-3d').screenshot({ path: path.join(artifactsFolder, 'manifold-3d.png') });
});

test('the phase diagram switches metric and shows a cell’s values on hover', async () => {
  const fills = () =>
    page.locator('#phase rect.wl-cell').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('fill')));
  const accuracyFills = await fills();
  assert.equal(accuracyFills.length, 48);
  await page.selectOption('#phase select[data-role="metric"]', 'alpha');
  assert.notDeepEqual(await fills(), accuracyFills);
  // Row 0, column 7: alpha = 6 - 0.5·7 = 2.5 is the smallest value, so viridis(0).
  assert.equal(
    await page.locator('#phase rect.wl-cell[data-row="0"][data-column="7"]').getAttribute('fill'),
    'rgb(68,1,84)',
  );
  await page.hover('#phase rect.wl-cell[data-row="2"][data-column="3"]');
  const tooltip = page.locator('#phase .wl-tooltip');
  await tooltip.waitFor({ state: 'visible' });
  assert.equal(await tooltip.getAttribute('data-cell'), '2,3');
  assert.equal(await tooltip.locator('[data-column="alpha"] .wl-tooltip-value').textContent(), '4.900');
  assert.equal(await tooltip.locator('.wl-tooltip-title').textContent(), 'under-trained');
  assert.ok((await page.locator('#phase line.wl-boundary').count()) > 0);
  await page.locator('#phase').screenshot({ path: path.join(artifactsFolder, 'phase-diagram.png') });
});

test('the ESD draws the fitted tail with slope -alpha on log-log axes', async () => {
  const { points, ticks } = await page.evaluate(() => {
    const polyline = document.querySelector('#esd polyline.wl-fit')!;
    const tickLines = [...document.querySelectorAll('#esd line.wl-grid')].map((line) => ({
      x1: Number(line.getAttribute('x1')),
      x2: Number(line.getAttribute('x2')),
      y1: Number(line.getAttribute('y1')),
      y2: Number(line.getAttribute('y2')),
    }));
    return {
      points: polyline
        .getAttribute('points')!
        .split(' ')
        .map((pair) => pair.split(',').map(Number)),
      ticks: tickLines,
    };
  });
  // Pixels per decade from the grid lines at powers of ten (vertical lines: x, horizontal: y).
  const vertical = ticks
    .filter((t) => t.x1 === t.x2)
    .map((t) => t.x1)
    .sort((a, b) => a - b);
  const horizontal = ticks
    .filter((t) => t.y1 === t.y2)
    .map((t) => t.y1)
    .sort((a, b) => a - b);
  const xDecade = vertical[1] - vertical[0];
  const yDecade = horizontal[1] - horizontal[0];
  const [first, last] = [points[0], points[points.length - 1]];
  const slope = -(last[1] - first[1]) / yDecade / ((last[0] - first[0]) / xDecade);
  assert.ok(Math.abs(slope + ESD_ALPHA) < 0.01, `log-log slope ${slope}`);
  const bars = await page
    .locator('#esd rect.wl-bar')
    .evaluateAll((rects) => rects.reduce((sum, rect) => sum + Number(rect.getAttribute('data-count')), 0));
  assert.equal(bars, 1000);
  await page.locator('#esd').screenshot({ path: path.join(artifactsFolder, 'esd.png') });
});

test('the loss surface draws every grid cell in colour, rotates on drag and switches to the test loss', async () => {
  const view = page.locator('#surface .wl-surface');
  await view.scrollIntoViewIfNeeded();
  const cells = (SURFACE_RESOLUTION - 1) ** 2;
  assert.equal(await view.getAttribute('data-weightlab-grid'), `${SURFACE_RESOLUTION}x${SURFACE_RESOLUTION}`);
  assert.equal(await view.getAttribute('data-quads'), String(cells));
  // Opaque, coloured pixels where the surface is drawn (the canvas is transparent elsewhere).
  const painted = () =>
    page.evaluate(() => {
      const canvas = document.querySelector('#surface canvas') as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      let checksum = 0;
      for (let i = 0; i < pixels.length; i += 4)
        if (pixels[i + 3] === 255) {
          count++;
          checksum = (checksum * 31 + pixels[i] + 7 * pixels[i + 1] + 13 * pixels[i + 2]) % 1_000_003;
        }
      return { count, checksum, total: pixels.length / 4 };
    });
  const before = await painted();
  assert.ok(before.count > 0.05 * before.total, `${before.count} of ${before.total} pixels painted`);
  const yaw = await view.getAttribute('data-yaw');
  const canvas = await page.locator('#surface canvas').boundingBox();
  assert.ok(canvas);
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width / 2 + 90, canvas.y + canvas.height / 2 + 10, { steps: 5 });
  await page.mouse.up();
  assert.notEqual(await view.getAttribute('data-yaw'), yaw);
  assert.notEqual((await painted()).checksum, before.checksum, 'rotation redrew the surface');
  await page.selectOption('#surface select[data-role="split"]', 'test');
  assert.equal(await view.getAttribute('data-split'), 'test');
  await page.locator('#surface').screenshot({ path: path.join(artifactsFolder, 'loss-surface.png') });
});

test('dark theme: the views take JupyterLab’s dark variables', async () => {
  const dark = await openHarness(harness!.browser.context, `${harness!.server.url}/?mode=bundled&theme=dark`);
  await dark.waitForSelector('#manifold .wl-manifold');
  const colour = await dark.evaluate(() => getComputedStyle(document.querySelector('#manifold .wl-title')!).color);
  const light = await page.evaluate(() => getComputedStyle(document.querySelector('#manifold .wl-title')!).color);
  assert.notEqual(colour, light);
  await dark.screenshot({ path: path.join(artifactsFolder, 'harness-dark.png'), fullPage: true });
  await dark.close();
});
