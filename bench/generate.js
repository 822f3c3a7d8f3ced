#!/usr/bin/env node
// bench:generate — what the weight generators cost on this machine: zoo training, alignment,
// fit seconds per generator and milliseconds per generated model (100 models, after a cold call
// of the same shape so jit compilation is not counted; the cold call is reported separately).
// Target (issue 7): 100 models from the flow-matching generator in < 1 s on 2 cores.
// A script, not a timed test: numbers go to stdout (and --json FILE).
//
//   node bench/generate.js [--quick] [--json FILE]
const fs = require('node:fs');
const os = require('node:os');
const wl = require('../lib/dist/internal');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonIndex = args.indexOf('--json');
const log = (line) => process.stdout.write(`${line}\n`);
const results = {
  machine: `${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`,
  loadAverage: os.loadavg()[0],
  generators: [],
};

(async () => {
  const split = wl.digits();
  const architecture = wl.mlp(64, [16], 10);
  let started = performance.now();
  const zoo = Array.from({ length: 48 }, (_, seed) =>
    wl.toWeightSet(
      architecture,
      wl.trainMlp(
        { architecture, seed, batchSize: 32, learningRate: 0.05, momentum: 0.9, weightDecay: 0, epochs: 10 },
        split.train,
        split.test,
      ).params,
    ),
  );
  results.zooSeconds = (performance.now() - started) / 1000;
  log(`zoo: 48 MLPs 64-16-10 (1,210 parameters) in ${results.zooSeconds.toFixed(1)} s`);
  started = performance.now();
  wl.alignZoo(zoo);
  results.alignMilliseconds = performance.now() - started;
  log(`Git Re-Basin: 47 models aligned to model 0 in ${results.alignMilliseconds.toFixed(0)} ms`);

  const scale = quick ? 0.2 : 1;
  const steps = (n) => Math.max(20, Math.round(n * scale));
  const halfArchitecture = wl.mlp(64, [8], 10);
  const seeds = Array.from({ length: 16 }, (_, seed) =>
    wl.toWeightSet(
      halfArchitecture,
      wl.trainMlp(
        {
          architecture: halfArchitecture,
          seed,
          batchSize: 32,
          learningRate: 0.05,
          momentum: 0.9,
          weightDecay: 0,
          epochs: 10,
        },
        split.train,
        split.test,
      ).params,
    ),
  );
  const entries = [
    [wl.flowMatching({ steps: steps(1500), batchSize: 256, learningRate: 2e-3 }), zoo],
    [
      wl.flowMatching({
        steps: steps(1500),
        batchSize: 256,
        learningRate: 2e-3,
        integrator: 'euler',
        integrationSteps: 20,
        name: 'flow matching (re-basined, PCA-47, Euler 20)',
      }),
      zoo,
    ],
    [
      wl.flowMatching({ space: 'full', hidden: 128, layers: 2, steps: steps(1000), batchSize: 32, learningRate: 2e-3 }),
      zoo,
    ],
    [wl.hypernetwork({ kind: 'plain', steps: steps(800) }), zoo],
    [wl.hypernetwork({ kind: 'chunked', steps: steps(800) }), zoo],
    [wl.hypernetwork({ kind: 'mip', steps: steps(800) }), zoo],
    [wl.hypernetwork({ kind: 'rnn', steps: steps(800) }), zoo],
    [wl.hypernetwork({ kind: 'plain', objective: 'task', data: split.train, steps: steps(600) }), zoo],
    [wl.hypernetwork({ kind: 'mip', objective: 'task', data: split.train, steps: steps(600) }), zoo],
    [wl.weightField({ steps: steps(600) }), zoo],
    [
      wl.latentDiffusion({
        condition: wl.datasetEmbedding(split.train),
        vaeSteps: steps(1500),
        diffusionSteps: steps(1000),
      }),
      zoo,
    ],
    [wl.autoregressive({ steps: steps(300) }), zoo],
    [wl.mixtureGrowth(), seeds],
    ...wl.standardBaselines().map((b) => [b, zoo]),
  ];
  for (const [generator, trainZoo] of entries) {
    await generator.fit(trainZoo, { progress: false });
    // Cold call with the same batch shape (jit compilation included), then the timed warm call.
    const first = performance.now();
    await generator.sample(100, 99);
    const firstCallMs = performance.now() - first;
    const begin = performance.now();
    await generator.sample(100, 1);
    const hundredMs = performance.now() - begin;
    const row = {
      generator: generator.name,
      family: generator.family,
      fitSeconds: generator.fitSeconds,
      parameters: generator.parameterCount,
      firstCallMs,
      hundredModelsMs: hundredMs,
      msPerModel: hundredMs / 100,
    };
    results.generators.push(row);
    log(
      `${generator.name.padEnd(52)} fit ${generator.fitSeconds.toFixed(1).padStart(6)} s   100 models ${hundredMs.toFixed(0).padStart(6)} ms (${(hundredMs / 100).toFixed(2)} ms/model; cold first call ${firstCallMs.toFixed(0)} ms)`,
    );
  }
  const flow = results.generators[0];
  results.flowTargetMet = flow.hundredModelsMs < 1000;
  log(
    `target: 100 models from the flow generator in < 1 s: ${flow.hundredModelsMs.toFixed(0)} ms -> ${results.flowTargetMet ? 'met' : 'NOT met'} (load average ${results.loadAverage.toFixed(1)})`,
  );
  if (jsonIndex >= 0) fs.writeFileSync(args[jsonIndex + 1], `${JSON.stringify(results, null, 2)}\n`);
})().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
