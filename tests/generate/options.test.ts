// Options of the generators, baselines and evaluation verbs are data (issue #17): each verb's
// defaults object is the one place a default lives, and these tests hold the rest of the code to
// it. The @default tags of the options interfaces are read from the source and compared with the
// defaults objects (so documentation cannot drift); unknown keys fail with the valid ones listed;
// `undefined` keeps a default; setParams validates like the constructor and discards a fit only
// when a training option changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ArgumentError,
  flowMatching,
  hypernetwork,
  latentDiffusion,
  autoregressive,
  mixtureGrowth,
  weightField,
  standardBaselines,
  evaluateGenerator,
  classificationTask,
  ZooNoiseBaseline,
  GaussianPcaBaseline,
  initialMlp,
  rng,
  FLOW_MATCHING_DEFAULTS,
  HYPERNETWORK_DEFAULTS,
  LATENT_DIFFUSION_DEFAULTS,
  AUTOREGRESSIVE_DEFAULTS,
  MIXTURE_GROWTH_DEFAULTS,
  WEIGHT_FIELD_DEFAULTS,
  EVALUATE_GENERATOR_DEFAULTS,
  CLASSIFICATION_TASK_DEFAULTS,
  FIT_DEFAULTS,
  STANDARD_BASELINES_DEFAULTS,
  ZOO_NOISE_DEFAULTS,
  GAUSSIAN_PCA_DEFAULTS,
  COMPARE_GENERATORS_DEFAULTS,
  type WeightSet,
} from 'weightlab/internal';
import { repositoryRoot } from '../support/paths';
import { syntheticSetup } from './synthetic';

const source = (file: string) => fs.readFileSync(path.join(repositoryRoot, 'lib', 'src', file), 'utf8');

/** `key → @default text` of one interface in a source file (the JSDoc block right above each field). */
function documentedDefaults(file: string, name: string): Map<string, string> {
  const text = source(file);
  const start = text.indexOf(`export interface ${name} `);
  assert.ok(start >= 0, `${file} declares ${name}`);
  const body = text.slice(start, text.indexOf('\n}\n', start));
  const found = new Map<string, string>();
  for (const match of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*(\w+)\??:/g)) {
    const tag = /@default (.+)/.exec(match[1]);
    if (tag) found.set(match[2], tag[1].trim());
  }
  return found;
}

/** The value a @default text names ('undefined (...)' means no fixed default). */
function parseDefault(text: string): unknown {
  if (text.startsWith('undefined')) return undefined;
  return JSON.parse(text.replace(/'/g, '"'));
}

const verbs: { file: string; options: string; defaults: object; inherited?: string[] }[] = [
  { file: 'generate/flow-matching.ts', options: 'FlowMatchingOptions', defaults: FLOW_MATCHING_DEFAULTS },
  { file: 'generate/hypernetwork.ts', options: 'HypernetworkOptions', defaults: HYPERNETWORK_DEFAULTS },
  { file: 'generate/latent-diffusion.ts', options: 'LatentDiffusionOptions', defaults: LATENT_DIFFUSION_DEFAULTS },
  { file: 'generate/autoregressive.ts', options: 'AutoregressiveOptions', defaults: AUTOREGRESSIVE_DEFAULTS },
  { file: 'generate/mixture-growth.ts', options: 'MixtureGrowthOptions', defaults: MIXTURE_GROWTH_DEFAULTS },
  { file: 'generate/weight-field.ts', options: 'WeightFieldOptions', defaults: WEIGHT_FIELD_DEFAULTS },
  {
    file: 'generate/baselines.ts',
    options: 'ZooNoiseOptions',
    defaults: ZOO_NOISE_DEFAULTS,
    inherited: ['BaselineOptions'],
  },
  {
    file: 'generate/baselines.ts',
    options: 'GaussianPcaOptions',
    defaults: GAUSSIAN_PCA_DEFAULTS,
    inherited: ['BaselineOptions'],
  },
  {
    file: 'generate/baselines.ts',
    options: 'StandardBaselinesOptions',
    defaults: STANDARD_BASELINES_DEFAULTS,
    inherited: ['BaselineOptions'],
  },
  { file: 'generate/evaluate/evaluate.ts', options: 'EvaluateGeneratorOptions', defaults: EVALUATE_GENERATOR_DEFAULTS },
  { file: 'generate/evaluate/task.ts', options: 'ClassificationTaskOptions', defaults: CLASSIFICATION_TASK_DEFAULTS },
  { file: 'generate/evaluate/report.ts', options: 'CompareGeneratorsOptions', defaults: COMPARE_GENERATORS_DEFAULTS },
  { file: 'generate/types.ts', options: 'FitOptions', defaults: FIT_DEFAULTS },
];

test("every @default in the options interfaces equals the verb's defaults object", () => {
  for (const verb of verbs) {
    const documented = documentedDefaults(verb.file, verb.options);
    for (const parent of verb.inherited ?? [])
      for (const [key, value] of documentedDefaults(verb.file, parent)) documented.set(key, value);
    assert.ok(documented.size > 0, `${verb.options} documents no default`);
    for (const [key, text] of documented) {
      assert.ok(
        Object.prototype.hasOwnProperty.call(verb.defaults, key),
        `${verb.options}.${key} is documented but missing from the defaults object`,
      );
      assert.deepEqual(
        (verb.defaults as Record<string, unknown>)[key],
        parseDefault(text),
        `${verb.options}.${key}: @default ${text}`,
      );
    }
    // Every defaulted key is documented (required inputs and FitOptions' signal/progress aside).
    for (const [key, value] of Object.entries(verb.defaults)) {
      if (value !== undefined && !['progress'].includes(key))
        assert.ok(documented.has(key), `${verb.options}.${key} has a default but no @default tag`);
    }
  }
});

test('factories reject unknown option keys, naming the valid ones', () => {
  const factories: [string, (options: never) => unknown, object][] = [
    ['flowMatching', flowMatching, FLOW_MATCHING_DEFAULTS],
    ['hypernetwork', hypernetwork, HYPERNETWORK_DEFAULTS],
    ['latentDiffusion', latentDiffusion, LATENT_DIFFUSION_DEFAULTS],
    ['autoregressive', autoregressive, AUTOREGRESSIVE_DEFAULTS],
    ['mixtureGrowth', mixtureGrowth, MIXTURE_GROWTH_DEFAULTS],
    ['weightField', weightField, WEIGHT_FIELD_DEFAULTS],
    ['standardBaselines', standardBaselines, STANDARD_BASELINES_DEFAULTS],
  ];
  for (const [verb, factory, defaults] of factories) {
    assert.throws(
      () => factory({ stpes: 10 } as never),
      (error: unknown) => {
        assert.ok(error instanceof ArgumentError, `${verb}: ${String(error)}`);
        assert.match(error.message, new RegExp(`${verb} has no option 'stpes'`));
        assert.equal(error.details.expected, `one of ${Object.keys(defaults).join(', ')}`);
        return true;
      },
    );
  }
  assert.throws(() => flowMatching({ stpes: 10 } as never), /did you mean .*'steps'/);
  assert.throws(() => flowMatching(7 as never), ArgumentError);
});

test('an explicit undefined keeps the default; getParams shows every resolved option', () => {
  // The bug of issue #17: {...defaults, ...options} let `steps: undefined` erase 3000.
  assert.equal(
    flowMatching({ steps: undefined, activation: undefined }).getParams().steps,
    FLOW_MATCHING_DEFAULTS.steps,
  );
  assert.equal(flowMatching({ activation: undefined }).getParams().activation, 'gelu');
  assert.equal(flowMatching({ weightDecay: undefined }).getParams().weightDecay, 1e-5);
  assert.equal(hypernetwork({ kind: undefined }).getParams().kind, 'plain');
  assert.equal(latentDiffusion({ ema: undefined }).getParams().ema, 0.99);
  assert.equal(autoregressive({ codes: undefined }).getParams().codes, 128);
  assert.equal(weightField({ hidden: undefined }).getParams().hidden, 64);
  assert.equal(mixtureGrowth({ templates: undefined }).getParams().templates, 4);
  assert.equal(standardBaselines({ noiseScales: undefined }).length, 3 + 4);
  const params = flowMatching({ steps: 10 }).getParams();
  assert.deepEqual(
    Object.keys(params).sort(),
    Object.keys(FLOW_MATCHING_DEFAULTS)
      .filter((key) => (FLOW_MATCHING_DEFAULTS as Record<string, unknown>)[key] !== undefined)
      .sort(),
  );
  assert.equal(params.steps, 10);
  // getParams is a copy: changing it changes nothing.
  (params as { steps: number }).steps = 99;
  assert.equal(flowMatching({ steps: 10 }).getParams().steps, 10);
});

test('bad values are ArgumentErrors naming the option', () => {
  const field = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof ArgumentError);
      return error.details.field;
    }
    return undefined;
  };
  assert.equal(
    field(() => flowMatching({ space: 'latent' as never })),
    'space',
  );
  assert.equal(
    field(() => flowMatching({ steps: 0 })),
    'steps',
  );
  assert.equal(
    field(() => flowMatching({ integrator: 'heun' as never })),
    'integrator',
  );
  assert.equal(
    field(() => hypernetwork({ kind: 'rnn', objective: 'task' })),
    'kind',
  );
  assert.equal(
    field(() => latentDiffusion({ sampler: 'euler' as never })),
    'sampler',
  );
  assert.equal(
    field(() => autoregressive({ temperature: 0 })),
    'temperature',
  );
  assert.equal(
    field(() => weightField({ reference: -1 })),
    'reference',
  );
  assert.equal(
    field(() => new ZooNoiseBaseline({ scale: -1 })),
    'scale',
  );
  assert.equal(
    field(() => new GaussianPcaBaseline({ rank: 1.5 })),
    'rank',
  );
});

function smallZoo(): WeightSet[] {
  return Array.from({ length: 6 }, (_, i) => {
    const base = initialMlp([5, 7, 3], 1);
    const noise = rng(i).normal(base.numParameters);
    return base.unflatten(base.flatten().map((v, k) => v + 0.01 * noise[k]));
  });
}

test('setParams validates, returns the generator, and keeps the fit only for sampling options', async () => {
  const generator = new ZooNoiseBaseline({ scale: 0.1 });
  await generator.fit(smallZoo());
  assert.equal(generator.setParams({ scale: 0.5 }), generator);
  assert.equal(generator.getParams().scale, 0.5);
  assert.equal(generator.name, 'zoo + noise (0.5·sd)');
  assert.equal((await generator.sample(2, 0)).length, 2, 'a sampling option keeps the fit');
  // A rejected change leaves the generator as it was.
  assert.throws(() => generator.setParams({ scale: -2 }), ArgumentError);
  assert.throws(() => generator.setParams({ scael: 1 } as never), /did you mean 'scale'/);
  assert.equal(generator.getParams().scale, 0.5);
  assert.equal((await generator.sample(1, 0)).length, 1);
  // undefined changes nothing (and drops nothing).
  generator.setParams({ align: undefined });
  assert.equal(generator.getParams().align, true);
  assert.equal((await generator.sample(1, 0)).length, 1);
  // fit() checks its options too (before any work).
  await assert.rejects(
    generator.fit(smallZoo(), { progres: false } as never),
    /fit has no option 'progres' \(did you mean 'progress'\?\)/,
  );
  await assert.rejects(
    flowMatching({ steps: 10 }).fit(smallZoo(), { signall: undefined } as never),
    /flowMatching: fit has no option 'signall'/,
  );
  // A training option discards the fit: sampling now asks for fit().
  generator.setParams({ align: false });
  await assert.rejects(generator.sample(1, 0), /call fit\(zoo\) before sample\(\)/);

  const flow = flowMatching({ steps: 10 }).setParams({ temperature: 0.5, steps: 20 });
  assert.equal(flow.getParams().temperature, 0.5);
  assert.equal(flow.getParams().steps, 20);
  assert.match(flow.name, /T=0\.5/);
  assert.throws(() => flow.setParams({ prediction: 'score' as never }), ArgumentError);
  assert.equal(flow.getParams().prediction, undefined);
});

test('evaluateGenerator and classificationTask check their options', async () => {
  const { task, train, heldOut } = await syntheticSetup();
  const generator = new ZooNoiseBaseline();
  await assert.rejects(
    evaluateGenerator(generator, { trainZoo: train, heldOutZoo: heldOut, task, sampels: 8 } as never),
    /evaluateGenerator has no option 'sampels' \(did you mean 'samples'\?\)/,
  );
  await assert.rejects(
    evaluateGenerator(generator, { trainZoo: train, heldOutZoo: heldOut } as never),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'task',
  );
  // `samples: undefined` is the documented 100, not NaN.
  const evaluation = await evaluateGenerator(generator, {
    trainZoo: train,
    heldOutZoo: heldOut,
    task,
    samples: undefined,
    finetuneSteps: [],
  });
  assert.equal(evaluation.data.samples, EVALUATE_GENERATOR_DEFAULTS.samples);
  assert.throws(
    () => classificationTask({ name: 'x', train: task.train!, test: task.train!, learningrate: 1 } as never),
    /did you mean 'learningRate'/,
  );
});
