// The inductive-bias and generator charts say what they show: each is rendered to SVG headless
// and read back for its title and subtitle, axis titles and one legend entry per overlay, with
// the numbers in them taken from the result; lines stay inside the frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareGenerators,
  evaluateGenerator,
  InductiveBiasByDimension,
  InductiveBiasComparison,
  inductiveBias,
  kernelHypothesisSpace,
  teacherTask,
} from 'weightlab/internal';
import { syntheticSetup } from '../generate/synthetic';
import { CopyGenerator } from './fixtures';
import { linePoints, svgTexts } from '../support/svg';

const makeTask = (dimension: number) => teacherTask({ dimension, trainSize: 24, testSize: 32, seed: 2 });
const options = { eps: 0.2, samples: 150, progress: false, warn: false };

function assertShows(texts: string[], expected: string[], chart: string): void {
  for (const text of expected) assert.ok(texts.includes(text), `${chart}: '${text}' not in ${JSON.stringify(texts)}`);
}

test('the inductive-bias histogram names the samples, the fitted model and eps, with the result in its subtitle', async () => {
  const result = await inductiveBias(makeTask(4), kernelHypothesisSpace(), options);
  const chart = result.chart();
  const svg = await chart.toSVG();
  const texts = svgTexts(svg);
  const [low, high] = result.interval;
  assertShows(
    texts,
    [
      `${result.space.name} on ${result.task.name}`,
      `inductive bias ${result.bits.toFixed(2)} bits (95% interval ${low.toFixed(2)}–${high.toFixed(2)}); fit ${result.trustworthy ? 'trustworthy' : 'NOT trustworthy'}`,
      'sampled test errors (150)',
      'fitted scaled non-central χ²',
      `eps = 0.200: ${result.bits.toFixed(1)} bits`,
      'test error (MSE)',
      'density',
    ],
    'histogram',
  );
  const spec = chart.spec as {
    width: number;
    height: number;
    layer: { encoding: { x: { scale: { domain: [number, number] } } } }[];
  };
  const lines = linePoints(svg);
  assert.equal(lines.length, 1, 'the fitted density');
  for (const [x, y] of lines[0])
    assert.ok(x >= 0 && x <= spec.width && y >= 0 && y <= spec.height, `(${x}, ${y}) outside the frame`);
  // The eps rule stands at eps on the linear x axis.
  const [from, to] = spec.layer[0].encoding.x.scale.domain;
  // A title of one's own replaces the result's; the subtitle with the numbers stays.
  const retitled = svgTexts(await result.chart({ title: 'GP prior on the teacher task' }).toSVG());
  assert.ok(
    retitled.includes('GP prior on the teacher task') &&
      !retitled.includes(`${result.space.name} on ${result.task.name}`),
  );
  assert.ok(retitled.some((text) => text.startsWith(`inductive bias ${result.bits.toFixed(2)} bits`)));
  const rule = /<g class="mark-rule role-mark[^>]*><line[^>]*transform="translate\(([\d.]+),0\)"/.exec(svg);
  assert.ok(rule);
  assert.ok(Math.abs(Number(rule[1]) - (spec.width * (0.2 - from)) / (to - from)) < 0.01);
});

test('comparison and dimension sweep: bars and whiskers, lines and bands, each named', async () => {
  const rbf = await inductiveBias(makeTask(4), kernelHypothesisSpace(), options);
  const laplace = await inductiveBias(makeTask(4), kernelHypothesisSpace({ kernel: 'laplace' }), options);
  const comparison = svgTexts(await new InductiveBiasComparison([rbf, laplace]).chart().toSVG());
  assertShows(
    comparison,
    [
      `inductive bias on ${rbf.task.name}`,
      rbf.space.name,
      laplace.space.name,
      'estimate',
      '95% interval',
      'required inductive bias at eps = 0.200 (bits)',
    ],
    'comparison',
  );
  const rbf8 = await inductiveBias(makeTask(8), kernelHypothesisSpace(), options);
  const sweep = svgTexts(await new InductiveBiasByDimension([4, 8], [[rbf, rbf8]]).chart().toSVG());
  assert.ok(
    svgTexts(await new InductiveBiasComparison([rbf, laplace]).chart({ title: 'two kernels' }).toSVG()).includes(
      'two kernels',
    ),
  );
  assertShows(
    sweep,
    [
      'required inductive bias against task dimension',
      'lines: estimate; shaded bands: 95% interval',
      'hypothesis space',
      rbf.space.name,
      'task dimension d',
      'bits at eps = 0.200',
    ],
    'sweep',
  );
});

test('the accuracy-vs-novelty scatter names every source and both reference lines, with their values', async () => {
  const { task, train, heldOut } = await syntheticSetup();
  const copies = await evaluateGenerator(new CopyGenerator('train copies', train), {
    trainZoo: train,
    heldOutZoo: heldOut,
    task,
    samples: 6,
    finetuneSteps: [],
  });
  const reference = copies.reference;
  const texts = svgTexts(await compareGenerators([copies]).chart().toSVG());
  assertShows(
    texts,
    [
      'Accuracy vs novelty: synthetic prototypes',
      'y: accuracy without finetuning',
      'nearest aligned L2 to train zoo',
      'test accuracy (no finetuning)',
      'generator / baseline',
      'train copies',
      'held-out zoo (reference)',
      'reference lines',
      `held-out median distance (${reference.heldOutNearestDistance.median.toFixed(2)})`,
      `held-out 5th-percentile accuracy (${(100 * reference.heldOutAccuracy.p5).toFixed(1)}%)`,
    ],
    'scatter',
  );
  const retitled = svgTexts(await copies.chart({ title: 'copies of the train zoo' }).toSVG());
  assertShows(retitled, ['copies of the train zoo', 'y: accuracy without finetuning'], 'retitled scatter');
});
