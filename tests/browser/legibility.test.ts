/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Tier 1 browser test of what a reader sees (issue 15): the phase diagram opens on the phase
// map with colour-blind-safe phase colours, legible names and a legend of swatches, metrics
// get a colour bar; manifolds have value ticks that match the data, fill the plot per axis,
// keep data in view through any zoom and pan, and lay the 3-D triad's labels out without
// overlap; the ESD's marks stay in the frame and its legend names each mark. Rendered by
// JupyterLab's own OutputArea in headless Chromium; screenshots of each view land in out/browser/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { MANIFOLD_MIME, type ManifoldPayload, type PhaseDiagramPayload } from 'weightlab/internal';
import { artifactsFolder, openCases, openHarness, type OpenCases } from './support/harness';
import {
  libraryPhaseDiagram,
  PHASE_DIAGRAM_MIME,
  spectralDensity,
  twoSeedManifold,
  umapManifold,
  zooManifold,
  type DisplayOutput,
} from './support/fixtures';

let harness: OpenCases | undefined;
let page: Page;
let phasePayload: PhaseDiagramPayload;
let twoSeeds: ManifoldPayload;

before(async () => {
  const phase = await libraryPhaseDiagram();
  phasePayload = phase.data[PHASE_DIAGRAM_MIME] as PhaseDiagramPayload;
  const pca = await twoSeedManifold();
  twoSeeds = pca.data[MANIFOLD_MIME] as ManifoldPayload;
  const show = (id: string, title: string, output: DisplayOutput) => ({
    id,
    title,
    outputs: [output],
    trusted: true,
    renderers: ['weightlab', 'vega'],
  });
  harness = await openCases([
    show('phase', 'phase diagram (lib phaseDiagram of a PhaseTable)', phase),
    show('pca', 'PCA of two seeds', pca),
    show('umap', 'UMAP 3-D', await umapManifold()),
    show('zoo', 'zoo PCA 2-D', await zooManifold(2)),
    show('esd', 'ESD', await spectralDensity()),
  ]);
  page = harness.page;
});

after(async () => harness?.close());

// Colour arithmetic of the oracles, written here from the standards (not imported from the renderer).
const channels = (color: string): number[] => {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16));
  const short = /^#([0-9a-f]{3})$/i.exec(color);
  if (short) return [...short[1]].map((digit) => parseInt(digit + digit, 16));
  const rgb = color.match(/\d+(\.\d+)?/g);
  assert.ok(rgb && rgb.length >= 3, `not a colour: ${color}`);
  return rgb.slice(0, 3).map(Number);
};
const linear = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
const luminance = (rgb: number[]) => 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
/** WCAG 2.1 contrast ratio. */
const contrast = (a: string, b: string) => {
  const [high, low] = [luminance(channels(a)), luminance(channels(b))].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
};
/** Machado, Oliveira & Fernandes (2009) full-severity simulation matrices, applied to linear RGB. */
const DEFICIENCIES: Record<string, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
  none: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};
/** CIELAB (D65) of a linear-RGB colour. */
const lab = (rgb: number[]) => {
  const [r, g, b] = rgb.map((v) => Math.min(1, Math.max(0, v)));
  const xyz = [
    (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
    0.2126 * r + 0.7152 * g + 0.0722 * b,
    (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
  ];
  const f = xyz.map((t) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29));
  return [116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])];
};

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
const intersects = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

test('the phase diagram opens on the phase map: phase colours, legible names, a legend of swatches', async () => {
  const root = page.locator('#phase .wl-phase-diagram');
  await root.waitFor();
  assert.equal(await root.getAttribute('data-view'), 'phases');
  assert.equal(await page.locator('#phase select[data-role="metric"]').inputValue(), 'phase map');
  // The classifier (lib) labelled the fixture with all five phases and left the unrun cell unknown.
  const expectedPhases = ['I', 'II', 'III', 'IV-A', 'IV-B'];
  assert.deepEqual([...new Set(phasePayload.phases.flat().filter((p) => p))].sort(), expectedPhases);
  const colors = phasePayload.phaseColors!;
  const cells = await page
    .locator('#phase rect.wl-cell')
    .evaluateAll((rects) =>
      rects.map((rect) => ({ phase: rect.getAttribute('data-phase'), fill: rect.getAttribute('fill')! })),
    );
  assert.equal(cells.length, phasePayload.x.values.length * phasePayload.y.values.length);
  for (const cell of cells) {
    if (cell.phase) assert.equal(cell.fill, colors[cell.phase], `cell of phase ${cell.phase}`);
  }
  // One swatch per phase, in the phase's colour, then one for the unknown cell.
  const legend = await page.locator('#phase .wl-legend .wl-category').evaluateAll((items) =>
    items.map((item) => ({
      phase: (item as HTMLElement).dataset.phase,
      swatch: getComputedStyle(item.querySelector('.wl-swatch')!).backgroundColor,
      text: item.textContent,
      width: item.querySelector('.wl-swatch')!.getBoundingClientRect().width,
    })),
  );
  assert.deepEqual(
    legend.map((item) => item.phase),
    [...expectedPhases, 'unknown'],
  );
  for (const item of legend.slice(0, 5)) {
    assert.deepEqual(channels(item.swatch), channels(colors[item.phase!]), `swatch of ${item.phase}`);
    assert.ok(item.width >= 10, `swatch of ${item.phase} is ${item.width} px wide`);
  }
  assert.match(legend[4].text ?? '', /IV-B.*generalizing/);
  // Colour-blind safe: every pair of phase colours stays apart (CIELAB ΔE ≥ 15) under simulated
  // protanopia, deuteranopia and tritanopia.
  for (const [deficiency, matrix] of Object.entries(DEFICIENCIES)) {
    const seen = expectedPhases.map((phase) =>
      lab(matrix.map((row) => row.reduce((sum, m, k) => sum + m * linear(channels(colors[phase])[k]), 0))),
    );
    for (let a = 0; a < seen.length; a++) {
      for (let b = a + 1; b < seen.length; b++) {
        const distance = Math.hypot(...seen[a].map((v, k) => v - seen[b][k]));
        assert.ok(
          distance >= 15,
          `${deficiency}: ${expectedPhases[a]} and ${expectedPhases[b]} differ by ΔE ${distance.toFixed(1)}`,
        );
      }
    }
  }
  // Every classified cell is named, at 11 px or more, in black or white with WCAG AA contrast (4.5:1) on its fill.
  const labels = await page.locator('#phase text.wl-cell-label').evaluateAll((texts) =>
    texts.map((text) => ({
      row: text.getAttribute('data-row'),
      column: text.getAttribute('data-column'),
      text: text.textContent,
      fill: text.getAttribute('fill')!,
      size: parseFloat(getComputedStyle(text).fontSize),
      box: text.getBoundingClientRect().toJSON() as Box,
      cell: (text.parentNode as Element)
        .querySelector(
          `rect.wl-cell[data-row="${text.getAttribute('data-row')}"][data-column="${text.getAttribute('data-column')}"]`,
        )!
        .getBoundingClientRect()
        .toJSON() as Box,
    })),
  );
  assert.equal(labels.length, phasePayload.phases.flat().filter((p) => p).length);
  for (const label of labels) {
    const phase = phasePayload.phases[Number(label.row)][Number(label.column)]!;
    assert.equal(label.text, phase);
    assert.ok(label.size >= 11, `label ${phase} at ${label.size} px`);
    assert.ok(
      contrast(label.fill, colors[phase]) >= 4.5,
      `${phase}: ${label.fill} on ${colors[phase]} has contrast ${contrast(label.fill, colors[phase]).toFixed(2)}`,
    );
    assert.ok(label.box.left >= label.cell.left && label.box.right <= label.cell.right, `label ${phase} fits its cell`);
  }
  await page.locator('#phase').screenshot({ path: path.join(artifactsFolder, 'phase-map.png') });
});

test('the metric switch colours by value with a colour bar whose ticks span the metric', async () => {
  await page.selectOption('#phase select[data-role="metric"]', 'test_acc');
  assert.equal(await page.getAttribute('#phase .wl-phase-diagram', 'data-view'), 'metric');
  // test_acc is smallest at row 0, column 0 and largest at row 5, column 7: the viridis ends.
  assert.equal(await page.getAttribute('#phase rect.wl-cell[data-row="0"][data-column="0"]', 'fill'), 'rgb(68,1,84)');
  assert.equal(
    await page.getAttribute('#phase rect.wl-cell[data-row="5"][data-column="7"]', 'fill'),
    'rgb(253,231,37)',
  );
  const values = phasePayload.metrics.test_acc.flat().filter((v): v is number => v !== null);
  const [low, high] = [Math.min(...values), Math.max(...values)];
  const ticks = await page.locator('#phase .wl-colorbar text.wl-tick').evaluateAll((texts) =>
    texts.map((text) => ({
      value: Number(text.getAttribute('data-value')),
      text: text.textContent,
      y: text.getBoundingClientRect().top,
    })),
  );
  assert.ok(ticks.length >= 3, `${ticks.length} colour-bar ticks`);
  for (const tick of ticks) {
    assert.ok(tick.value >= low - 1e-12 && tick.value <= high + 1e-12, `tick ${tick.value} inside [${low}, ${high}]`);
    assert.equal(Number(tick.text), tick.value);
  }
  // The ticks cover most of the range, and larger values sit higher on the bar.
  assert.ok(ticks[ticks.length - 1].value - ticks[0].value >= 0.5 * (high - low));
  for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i].y < ticks[i - 1].y, 'values rise up the bar');
  // Cell labels stay legible on the viridis fills too.
  const pairs = await page
    .locator('#phase text.wl-cell-label')
    .evaluateAll((texts) =>
      texts.map((text) => [
        text.getAttribute('fill')!,
        (text.parentNode as Element)
          .querySelector(
            `rect.wl-cell[data-row="${text.getAttribute('data-row')}"][data-column="${text.getAttribute('data-column')}"]`,
          )!
          .getAttribute('fill')!,
      ]),
    );
  for (const [text, fill] of pairs) assert.ok(contrast(text, fill) >= 4.5, `${text} on ${fill}`);
  assert.equal(await page.locator('#phase .wl-legend .wl-swatch').count(), 0);
  await page.locator('#phase').screenshot({ path: path.join(artifactsFolder, 'phase-metric.png') });
  // The switch shows lib's titles for the metrics.
  assert.equal(
    await page.locator('#phase select[data-role="metric"] option[value="test_acc"]').textContent(),
    'test accuracy',
  );
  // Mode connectivity is diverging at 0, as lib's metricDisplay says: the fixture's barrier cells
  // (mc = -5, the minimum) take ColorBrewer RdBu's red end #67001f, the connected ones (mc = 2,
  // the maximum) its blue end #053061, and 0 sits where the bar turns white: 5/7 of the way up from -5 to 2.
  await page.selectOption('#phase select[data-role="metric"]', 'curve_mc_train_error');
  assert.equal(await page.getAttribute('#phase .wl-colorbar', 'data-scale'), 'diverging');
  assert.equal(await page.getAttribute('#phase rect.wl-cell[data-row="2"][data-column="0"]', 'fill'), 'rgb(103,0,31)');
  assert.equal(await page.getAttribute('#phase rect.wl-cell[data-row="2"][data-column="5"]', 'fill'), 'rgb(5,48,97)');
  const bar = await page.evaluate(() => {
    const ramp = document.querySelector('#phase .wl-colorbar-ramp')!.getBoundingClientRect();
    const zero = [...document.querySelectorAll('#phase .wl-colorbar text.wl-tick')]
      .find((t) => t.getAttribute('data-value') === '0')!
      .getBoundingClientRect();
    return { top: ramp.top, height: ramp.height, zero: zero.top + zero.height / 2 };
  });
  assert.ok(
    Math.abs((bar.top + bar.height - bar.zero) / bar.height - 5 / 7) < 0.02,
    `tick 0 at ${((bar.top + bar.height - bar.zero) / bar.height).toFixed(3)} of the bar`,
  );
  await page.locator('#phase').screenshot({ path: path.join(artifactsFolder, 'phase-metric-diverging.png') });
  await page.selectOption('#phase select[data-role="metric"]', 'phase map');
  assert.equal(await page.locator('#phase .wl-legend .wl-swatch').count(), 6);
});

/** Every point's client position, and the plot frame. */
async function pointsAndFrame(caseId: string): Promise<{ points: [number, number][]; frame: Box }> {
  return page.evaluate((caseId) => {
    const root = document.querySelector(`#${caseId} .wl-manifold`) as HTMLElement & {
      weightlabManifold: { clientPosition(i: number): [number, number]; plotArea(): Box; redraw(): number };
    };
    root.weightlabManifold.redraw();
    const count = Number(root.dataset.weightlabPoints);
    return {
      points: Array.from({ length: count }, (_, i) => root.weightlabManifold.clientPosition(i)),
      frame: root.weightlabManifold.plotArea(),
    };
  }, caseId);
}

test('a PCA of two seeds fills the plot on both axes, and its ticks give the data’s values', async () => {
  await page.locator('#pca canvas').scrollIntoViewIfNeeded();
  const { points, frame } = await pointsAndFrame('pca');
  const xs = points.map((p) => p[0]),
    ys = points.map((p) => p[1]);
  const width = frame.right - frame.left,
    height = frame.bottom - frame.top;
  assert.ok(
    Math.max(...xs) - Math.min(...xs) >= 0.5 * width,
    `cloud spans ${(Math.max(...xs) - Math.min(...xs)).toFixed(0)} of ${width.toFixed(0)} px across`,
  );
  assert.ok(
    Math.max(...ys) - Math.min(...ys) >= 0.5 * height,
    `cloud spans ${(Math.max(...ys) - Math.min(...ys)).toFixed(0)} of ${height.toFixed(0)} px down`,
  );
  // PC2 really is far narrower than PC1 in the data (the case the per-axis fit is for).
  const spread = (axis: number) =>
    Math.max(...twoSeeds.points.map((p) => p[axis])) - Math.min(...twoSeeds.points.map((p) => p[axis]));
  assert.ok(spread(1) < spread(0) / 5, `PC1 spread ${spread(0)}, PC2 spread ${spread(1)}`);
  for (const [axis, coordinate] of [
    ['x', 0],
    ['y', 1],
  ] as const) {
    const ticks = await page.locator(`#pca text.wl-tick[data-axis="${axis}"]`).evaluateAll((texts) =>
      texts.map((text) => {
        const box = text.getBoundingClientRect();
        return {
          value: Number(text.getAttribute('data-value')),
          text: text.textContent!,
          at: text.getAttribute('data-axis') === 'x' ? box.left + box.width / 2 : box.top + box.height / 2,
        };
      }),
    );
    assert.ok(ticks.length >= 3, `${ticks.length} ${axis} ticks`);
    for (const tick of ticks)
      assert.ok(
        Number.isFinite(Number(tick.text)) &&
          Math.abs(Number(tick.text) - tick.value) <= 1e-9 * Math.max(1, Math.abs(tick.value)),
        `tick text ${tick.text}`,
      );
    // Reading each point's coordinate off the two outer ticks gives its payload value.
    const [first, last] = [ticks[0], ticks[ticks.length - 1]];
    const read = (pixel: number) =>
      first.value + ((pixel - first.at) / (last.at - first.at)) * (last.value - first.value);
    const range = spread(coordinate);
    points.forEach((point, i) => {
      const expected = twoSeeds.points[i][coordinate];
      assert.ok(
        Math.abs(read(point[coordinate]) - expected) <= 0.02 * range,
        `${axis} of point ${i}: read ${read(point[coordinate])}, payload ${expected}`,
      );
    });
    // The ticks span the data (to within one tick interval at each end).
    const step = Math.abs(ticks[1].value - ticks[0].value);
    const values = twoSeeds.points.map((p) => p[coordinate]);
    assert.ok(
      Math.min(first.value, last.value) <= Math.min(...values) + step &&
        Math.max(first.value, last.value) >= Math.max(...values) - step,
    );
  }
  assert.match(
    (await page.textContent('#pca text.wl-axis-label[data-axis="x"]')) ?? '',
    /^PC1 \(\d+\.\d% of variance\)$/,
  );
  assert.match((await page.textContent('#pca text.wl-axis-label[data-axis="y"]')) ?? '', /^PC2 /);
  await page.locator('#pca').screenshot({ path: path.join(artifactsFolder, 'manifold-pca-two-seeds.png') });
  // 'equal scales' on the switch: one pixel scale for both axes, so the pixel spans keep the data's ratio.
  assert.equal(await page.getAttribute('#pca .wl-manifold', 'data-aspect'), 'fill');
  await page.selectOption('#pca select[data-role="aspect"]', 'equal');
  await page.waitForTimeout(50);
  const equal = (await pointsAndFrame('pca')).points;
  const pixelSpan = (axis: 0 | 1) => Math.max(...equal.map((p) => p[axis])) - Math.min(...equal.map((p) => p[axis]));
  const ratio = pixelSpan(1) / pixelSpan(0) / (spread(1) / spread(0));
  assert.ok(
    Math.abs(ratio - 1) < 0.02,
    `pixel spans ${pixelSpan(0).toFixed(1)} x ${pixelSpan(1).toFixed(1)} for data spans ${spread(0).toFixed(3)} x ${spread(1).toFixed(3)}`,
  );
  await page.locator('#pca').screenshot({ path: path.join(artifactsFolder, 'manifold-pca-two-seeds-equal.png') });
  await page.selectOption('#pca select[data-role="aspect"]', 'fill');
});

test('50 wheel zooms and far drags never leave the manifold view empty; reset restores it', async () => {
  const canvas = page.locator('#zoo canvas');
  await canvas.scrollIntoViewIfNeeded();
  const initial = await pointsAndFrame('zoo');
  const visible = async (what: string) => {
    const { points, frame } = await pointsAndFrame('zoo');
    const inside = points.filter(
      ([x, y]) => x >= frame.left && x <= frame.right && y >= frame.top && y <= frame.bottom,
    ).length;
    assert.ok(inside >= 1, `${what}: no point inside the frame`);
    return inside;
  };
  const { frame } = initial;
  // Zoom in 25 steps over an empty corner of the frame, then out 25 steps.
  await page.mouse.move(frame.left + 4, frame.top + 4);
  for (let i = 0; i < 25; i++) await page.mouse.wheel(0, -400);
  await page.waitForTimeout(50);
  await visible('after zooming in on a corner');
  const zoomedIn = Number(await page.getAttribute('#zoo .wl-manifold', 'data-zoom'));
  assert.ok(zoomedIn > 10, `zoom ${zoomedIn}`);
  // Drag far right and down, then far left and up: the pan stops with data still in view.
  const middle = [(frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2];
  for (const [dx, dy] of [
    [2000, 1500],
    [-3000, -2500],
  ]) {
    await page.mouse.move(middle[0], middle[1]);
    await page.mouse.down();
    await page.mouse.move(middle[0] + dx, middle[1] + dy, { steps: 6 });
    await page.mouse.up();
    await visible(`after a drag by (${dx}, ${dy})`);
  }
  await page.mouse.move(frame.right - 4, frame.bottom - 4);
  for (let i = 0; i < 25; i++) await page.mouse.wheel(0, 400);
  await page.waitForTimeout(50);
  const zoomedOut = Number(await page.getAttribute('#zoo .wl-manifold', 'data-zoom'));
  assert.ok(zoomedOut >= 0.5 && zoomedOut < 1, `zoom out stops at half size: ${zoomedOut}`);
  await visible('after zooming out');
  await page.mouse.move(middle[0], middle[1]);
  await page.mouse.down();
  await page.mouse.move(middle[0] + 2000, middle[1] - 2000, { steps: 6 });
  await page.mouse.up();
  await visible('after zooming out and dragging away');
  await page.locator('#zoo').screenshot({ path: path.join(artifactsFolder, 'manifold-after-zoom.png') });
  await page.click('#zoo button[data-role="reset"]');
  await page.waitForTimeout(50);
  const reset = await pointsAndFrame('zoo');
  assert.deepEqual(
    reset.points.map(([x, y]) => [Math.round(x), Math.round(y)]),
    initial.points.map(([x, y]) => [Math.round(x), Math.round(y)]),
  );
});

test('the 3-D UMAP triad’s labels never overlap, whatever the rotation', async () => {
  const canvas = page.locator('#umap canvas');
  await canvas.scrollIntoViewIfNeeded();
  assert.equal(await page.getAttribute('#umap .wl-manifold', 'data-method'), 'umap');
  const box = (await canvas.boundingBox())!;
  const labelBoxes = () =>
    page.locator('#umap text.wl-triad-label').evaluateAll((texts) =>
      texts.map((text) => ({
        axis: text.getAttribute('data-axis'),
        text: text.textContent,
        box: text.getBoundingClientRect().toJSON() as Box,
      })),
    );
  const check = async (what: string) => {
    const labels = await labelBoxes();
    assert.deepEqual(labels.map((l) => l.text).sort(), ['UMAP 1', 'UMAP 2', 'UMAP 3']);
    for (let a = 0; a < labels.length; a++) {
      for (let b = a + 1; b < labels.length; b++)
        assert.ok(
          !intersects(labels[a].box, labels[b].box),
          `${what}: labels ${labels[a].text} and ${labels[b].text} overlap`,
        );
    }
  };
  await check('initial view');
  await page.locator('#umap').screenshot({ path: path.join(artifactsFolder, 'manifold-umap-3d.png') });
  // Sweep yaw in steps, at the initial pitch and then looking straight down the vertical axis.
  const centre = [box.x + box.width / 2, box.y + box.height / 2];
  const drag = async (dx: number, dy: number) => {
    await page.mouse.move(centre[0], centre[1]);
    await page.mouse.down();
    await page.mouse.move(centre[0] + dx, centre[1] + dy, { steps: 3 });
    await page.mouse.up();
    await page.waitForTimeout(30);
  };
  for (let i = 0; i < 8; i++) {
    await drag(40, 0);
    await check(`yaw step ${i + 1}`);
  }
  await drag(0, 300);
  for (let i = 0; i < 8; i++) {
    await drag(40, 0);
    await check(`top view, yaw step ${i + 1}`);
  }
  await page.locator('#umap').screenshot({ path: path.join(artifactsFolder, 'manifold-umap-3d-top.png') });
  // Looking down UMAP 2, its label is faded: the arm points at the viewer.
  const faded = await page.locator('#umap text.wl-triad-label.wl-triad-faded').allTextContents();
  assert.deepEqual(faded, ['UMAP 2']);
});

test('the ESD keeps its marks inside the frame and names each one in the legend', async () => {
  const marks = await page.evaluate(() => {
    const root = document.querySelector('#esd svg.wl-svg')!;
    const clip = root.querySelector('clipPath rect')!;
    const frame = root.querySelector('rect.wl-frame')!;
    const fit = root.querySelector('polyline.wl-fit')!;
    const clipped = (element: Element) =>
      (element.closest('[clip-path]')?.getAttribute('clip-path') ?? '') === `url(#${clip.parentElement!.id})`;
    return {
      clip: ['x', 'y', 'width', 'height'].map((k) => Number(clip.getAttribute(k))),
      frame: ['x', 'y', 'width', 'height'].map((k) => Number(frame.getAttribute(k))),
      fitClipped: clipped(fit),
      barsClipped: [...root.querySelectorAll('rect.wl-bar')].every(clipped),
      svg: root.getBoundingClientRect().toJSON() as Box,
      ticks: [...root.querySelectorAll('text.wl-tick')].map((t) => ({
        text: t.textContent,
        box: t.getBoundingClientRect().toJSON() as Box,
      })),
    };
  });
  assert.ok(marks.fitClipped && marks.barsClipped, 'bars and fit are clipped');
  // The clip is the frame (which is drawn half a pixel inside it).
  marks.clip.forEach((v, i) =>
    assert.ok(Math.abs(v - marks.frame[i]) <= 1, `clip ${marks.clip} vs frame ${marks.frame}`),
  );
  // Tick labels inside the figure and apart from each other.
  for (const tick of marks.ticks)
    assert.ok(
      tick.box.left >= marks.svg.left - 0.5 &&
        tick.box.right <= marks.svg.right + 0.5 &&
        tick.box.top >= marks.svg.top - 0.5,
      `tick ${tick.text} inside`,
    );
  for (let a = 0; a < marks.ticks.length; a++) {
    for (let b = a + 1; b < marks.ticks.length; b++)
      assert.ok(
        !intersects(marks.ticks[a].box, marks.ticks[b].box),
        `ticks ${marks.ticks[a].text} and ${marks.ticks[b].text} overlap`,
      );
  }
  const legend = await page.locator('#esd .wl-legend .wl-category').evaluateAll((items) =>
    items.map((item) => ({
      mark: (item as HTMLElement).dataset.mark,
      swatches: item.querySelectorAll('svg *').length,
      text: item.textContent,
    })),
  );
  assert.deepEqual(
    legend.map((item) => item.mark),
    ['histogram', 'fit', 'xmin', 'mp-bulk'],
  );
  assert.ok(legend.every((item) => item.swatches === 1));
  assert.match(legend[1].text ?? '', /α = 2\.500/);
  assert.match(legend[0].text ?? '', /\(1000\)/);
  await page.locator('#esd').screenshot({ path: path.join(artifactsFolder, 'esd.png') });
});

test('dark theme: ticks, axis titles, triad labels and legends keep WCAG AA contrast on the page background', async () => {
  const dark = await openHarness(harness!.browser.context, `${harness!.server.url}/?mode=bundled&theme=dark`);
  try {
    await dark.waitForSelector('#umap text.wl-triad-label');
    const samples = await dark.evaluate(() => {
      const background = getComputedStyle(document.documentElement).getPropertyValue('--jp-layout-color0').trim();
      const texts = [
        ...document.querySelectorAll(
          'text.wl-tick, text.wl-axis-label, text.wl-triad-label:not(.wl-triad-faded), .wl-legend .wl-category-name, .wl-title',
        ),
      ];
      return {
        background,
        colors: texts.map((element) => ({
          what: `${element.getAttribute('class')}: ${element.textContent}`,
          color: element instanceof SVGElement ? getComputedStyle(element).fill : getComputedStyle(element).color,
        })),
      };
    });
    assert.ok(samples.colors.length > 20, `${samples.colors.length} texts`);
    for (const { what, color } of samples.colors)
      assert.ok(
        contrast(color, samples.background) >= 4.5,
        `${what}: ${color} on ${samples.background} (${contrast(color, samples.background).toFixed(2)})`,
      );
    await dark.locator('#phase').screenshot({ path: path.join(artifactsFolder, 'phase-map-dark.png') });
    await dark.locator('#umap').screenshot({ path: path.join(artifactsFolder, 'manifold-umap-3d-dark.png') });
  } finally {
    await dark.close();
  }
});
