#!/usr/bin/env node
// bench:zoo — how fast weightlab builds and measures the digits-mlp-grid preset on this
// machine: models per minute (1 vs 2 worker threads on a slice, then the whole grid), seconds
// per Hessian top eigenvalue / Hutchinson trace / Bezier curve per width, and the phase metrics
// of the whole zoo; then the small CNN and PINN presets (models/minute). A script, not a timed
// test: numbers go to stdout (and --json FILE).
//
// --full times only the acceptance target: the whole 192-model preset built from scratch plus
// its phase metrics (cache off), end to end, with wall and CPU time (process.cpuUsage covers
// the worker threads too) and the load average before and after, so that a loaded machine's
// wall time can be told apart from the work's cost.
//
// --engines compares the two training engines (lib/src/train/jax-engine.ts): models/minute of
// the JS loops (one model after another, this thread) and of the jax engine (one jitted step for
// a group of same-shaped models, this thread), for groups of 1, 3, 8, 24 digits MLPs 64-w-10 at
// widths 16, 64, 256, batch 32, with the load average next to each row. Both include the
// per-epoch float64 evaluation (identical code) and the jax numbers include the jit compile of
// the group's step, as a zoo build pays it once per group.
//
// --grouping compares, in one run, the small preset built one model per group (groupModels 1:
// the JS loop of runJob) and in lockstep groups (the default: trainLockstep's wasm kernels, issue
// #18), one worker each so the numbers are per core, then the same with the preset's seeds
// widened to 8 (bigger groups); both builds of a pair must have the same file bytes.
//
// --hessian-by-layer times hessianByLayer (per layer: the top eigenvalue by a fixed number of power
// iterations and the trace by a fixed number of Hutchinson probes, tolerance 0 so both sides do the
// same products) against torch's per-layer HVP power iteration and probes (autograd.grad restricted
// to the layer, bench/support/torch-layer-hessian.js) in the same run, on digits MLPs at their
// initialisation and the 256-row batch of the phase metrics; CPU seconds of one thread each, and
// the ratio weightlab/torch.
//
// --torch builds small presets with weightlab (in this thread, workers 0: per core, no worker
// start-up; float64, lockstep groups) and trains the same jobs (every model of the preset: architecture, seed, batch size, learning
// rate, momentum, weight decay, epochs, per-epoch evaluation) in torch on one thread in float64
// and float32 (bench/support/torch-train.js), in the same run, and prints models/minute and the
// ratio weightlab/torch. Weightlab's side is the whole build's CPU time (loading the data,
// writing checkpoints and results included); torch's is the training loops' CPU time. Skipped
// with the reason when torch is not installed. --presets a,b picks the presets (small variants
// unless --full-presets).
//
//   node bench/zoo.js [--small] [--full] [--engines [--epochs E]] [--grouping] [--out DIR] [--json FILE] [--skip-build]
//   node bench/zoo.js --hessian-by-layer [--iterations N] [--probes M] [--json FILE]
//   node bench/zoo.js --torch [--presets mnist-cnn-grid,digits-cnn-grid,digits-mlp-grid] [--full-presets] [--json FILE]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const wl = require('../lib/dist/internal');
const { torchUnavailable, torchTrain } = require('./support/torch-train');
const { torchLayerHessian } = require('./support/torch-layer-hessian');
// The tests' comparison of two builds (every file's SHA-256 but zoo.json's), built with the tests.
const { zooFileDigests } = require('../tests/dist/zoo/builder/zoo-files');

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const value = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const small = flag('small');
const out = value('out', path.join(os.tmpdir(), `weightlab-bench-zoo${small ? '-small' : ''}`));
const results = {
  machine: `${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`,
  preset: `digits-mlp-grid${small ? ' --small' : ''}`,
};
const log = (line) => process.stdout.write(`${line}\n`);

const loadAverage = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
const cpuSeconds = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

/** The acceptance run: full preset, fresh build, phase metrics without cache; wall, CPU, load. */
async function full() {
  const spec = wl.zooPreset('digits-mlp-grid');
  results.preset = 'digits-mlp-grid (full)';
  results.load_before = loadAverage();
  log(`load average before: ${results.load_before}`);
  fs.rmSync(out, { recursive: true, force: true });
  const cpu0 = process.cpuUsage();
  let t = performance.now();
  const built = await wl.buildZoo(spec, { out, progress: false });
  results.build_seconds = (performance.now() - t) / 1000;
  results.build_cpu_seconds = cpuSeconds(cpu0);
  results.models = built.models;
  results.models_per_minute = built.modelsPerMinute;
  log(
    `build ${built.models} models: ${results.build_seconds.toFixed(1)} s wall, ${results.build_cpu_seconds.toFixed(1)} s CPU (${built.modelsPerMinute.toFixed(1)} models/min, load now ${loadAverage()})`,
  );
  const cpu1 = process.cpuUsage();
  t = performance.now();
  const table = wl.classifyPhases(await wl.phaseMetrics(built.zoo, { cache: false, progress: false }));
  results.phase_metrics_seconds = (performance.now() - t) / 1000;
  results.phase_metrics_cpu_seconds = cpuSeconds(cpu1);
  results.phases = table.phases;
  log(
    `phase metrics of ${table.rows.length} cells: ${results.phase_metrics_seconds.toFixed(1)} s wall, ${results.phase_metrics_cpu_seconds.toFixed(1)} s CPU; phases ${table.phases.join(' ')}`,
  );
  results.total_seconds = results.build_seconds + results.phase_metrics_seconds;
  results.total_cpu_seconds = results.build_cpu_seconds + results.phase_metrics_cpu_seconds;
  results.load_after = loadAverage();
  log(String(wl.phaseDiagram(table)));
  log(
    `build + phase metrics: ${results.total_seconds.toFixed(1)} s wall, ${results.total_cpu_seconds.toFixed(1)} s CPU (target <= 600 s wall on 2 idle cores); load average after: ${results.load_after}`,
  );
}

/** Models per minute of the small CNN and PINN presets (one worker: per-model cost, not parallelism). */
async function otherArchitectures() {
  for (const name of ['digits-cnn-grid', 'convection-pinn-grid']) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `weightlab-bench-${name}-`));
    const r = await wl.buildZoo(wl.zooPreset(name, { small: true }), { out: dir, workers: 1, progress: false });
    results[`${name}_small_models_per_minute`] = r.modelsPerMinute;
    log(
      `${name} --small (${r.models} models), 1 worker: ${r.seconds.toFixed(1)} s, ${r.modelsPerMinute.toFixed(1)} models/min`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Models/minute of engine js vs jax per group size and width (see the file comment). */
async function engines() {
  const split = wl.digits();
  const epochs = Number(value('epochs', 2));
  const rows = [];
  log(
    `engines: digits MLP 64-w-10, batch 32, ${epochs} epochs, models/minute in one thread (load average 1/5/15 min per row)`,
  );
  for (const width of [16, 64, 256]) {
    for (const models of [1, 3, 8, 24]) {
      const arch = wl.mlp(64, [width], 10);
      const jobs = Array.from({ length: models }, (_, m) => ({
        architecture: arch,
        seed: m,
        batchSize: 32,
        learningRate: 0.02 + 0.01 * (m % 4),
        momentum: 0.9,
        weightDecay: 5e-4,
        epochs,
      }));
      let t = performance.now();
      for (const job of jobs) wl.trainNetwork(job, split.train, split.test);
      const jsSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      await wl.trainNetworksJax(
        jobs,
        jobs.map(() => split),
      );
      const jaxSeconds = (performance.now() - t) / 1000;
      const row = {
        width,
        models,
        js_models_per_minute: (60 * models) / jsSeconds,
        jax_models_per_minute: (60 * models) / jaxSeconds,
        jax_over_js: jsSeconds / jaxSeconds,
        load: loadAverage(),
      };
      rows.push(row);
      log(
        `width ${String(width).padStart(3)}, group ${String(models).padStart(2)}: js ${row.js_models_per_minute.toFixed(1).padStart(6)} models/min, jax ${row.jax_models_per_minute.toFixed(1).padStart(6)} models/min, jax/js speed ${row.jax_over_js.toFixed(2)} (load ${row.load})`,
      );
    }
  }
  results.engines = { epochs, batch: 32, rows };
}

/** Models/minute of the small preset built ungrouped vs in lockstep groups (see the file comment). */
async function grouping() {
  const preset = wl.zooPreset('digits-mlp-grid', { small: true });
  const rows = [];
  for (const spec of [preset, { ...preset, name: `${preset.name}-8-seeds`, seeds: [0, 1, 2, 3, 4, 5, 6, 7] }]) {
    const row = { preset: spec.name, models: 0, load: loadAverage() };
    const digests = [];
    for (const [label, groupModels] of [
      ['ungrouped', 1],
      ['grouped', undefined],
    ]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-bench-grouping-'));
      const r = await wl.buildZoo(spec, { out: dir, workers: 1, progress: false, groupModels });
      if (r.failed.length > 0) throw new Error(`${label} build failed: ${r.failed[0].id}: ${r.failed[0].error}`);
      row.models = r.models;
      row[`${label}_models_per_minute`] = r.modelsPerMinute;
      digests.push(zooFileDigests(dir));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    row.speedup = row.grouped_models_per_minute / row.ungrouped_models_per_minute;
    const sorted = (d) => JSON.stringify(Object.entries(d).sort(([x], [y]) => x.localeCompare(y)));
    row.same_bytes = sorted(digests[0]) === sorted(digests[1]);
    rows.push(row);
    log(
      `${spec.name} (${row.models} models, ${spec.epochs} epochs), 1 worker: ungrouped ${row.ungrouped_models_per_minute.toFixed(1)}, grouped ${row.grouped_models_per_minute.toFixed(1)} models/min (x${row.speedup.toFixed(2)}; same bytes: ${row.same_bytes}; load ${row.load})`,
    );
  }
  results.grouping = rows;
}

/** Models/minute of weightlab's build and of torch on the same jobs, per preset (see the file comment). */
async function againstTorch() {
  const missing = torchUnavailable();
  if (missing) {
    log(`--torch: skipped (${missing})`);
    results.torch = { skipped: missing };
    return;
  }
  const names = value('presets', 'mnist-cnn-grid,digits-cnn-grid,digits-mlp-grid').split(',');
  const rows = [];
  log(
    `--torch: weightlab zoo build (this thread, float64) vs torch (1 thread) on the same jobs; load ${loadAverage()}`,
  );
  for (const name of names) {
    const spec = wl.zooPreset(name, { small: !flag('full-presets') });
    if (spec.dataset === 'convection' || spec.axes.data_fraction || spec.axes.label_noise) {
      log(`${spec.name}: skipped (the torch side trains classifiers on the preset's one split)`);
      continue;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `weightlab-bench-torch-${name}-`));
    const since = process.cpuUsage();
    const built = await wl.buildZoo(spec, { out: dir, workers: 0, progress: false });
    const weightlabSeconds = cpuSeconds(since);
    fs.rmSync(dir, { recursive: true, force: true });
    if (built.failed.length > 0) throw new Error(`${spec.name}: ${built.failed[0].id}: ${built.failed[0].error}`);
    const shape = wl.specShape(spec);
    const jobs = wl.expandGrid(spec, shape.inputs, shape.outputs, shape.image).map((job) => job.training);
    const split = wl.specDataset(spec);
    const row = {
      preset: spec.name,
      models: jobs.length,
      weightlab_cpu_seconds: weightlabSeconds,
      weightlab_models_per_minute: (60 * jobs.length) / weightlabSeconds,
    };
    for (const dtype of ['float64', 'float32']) {
      const trained = torchTrain(wl, jobs, split, dtype);
      const seconds = trained.reduce((sum, r) => sum + r.seconds, 0);
      row[`torch_${dtype}_models_per_minute`] = (60 * jobs.length) / seconds;
      row[`torch_${dtype}_mean_test_acc`] = trained.reduce((sum, r) => sum + r.test_acc, 0) / trained.length;
    }
    row.load = loadAverage();
    rows.push(row);
    log(
      `${spec.name} (${row.models} models): weightlab ${row.weightlab_models_per_minute.toFixed(1)} models/min, torch f64 ${row.torch_float64_models_per_minute.toFixed(1)}, f32 ${row.torch_float32_models_per_minute.toFixed(1)}; weightlab/torch ${(row.weightlab_models_per_minute / row.torch_float64_models_per_minute).toFixed(2)}x (f64), ${(row.weightlab_models_per_minute / row.torch_float32_models_per_minute).toFixed(2)}x (f32) (load ${row.load})`,
    );
  }
  results.torch = rows;
}

/** CPU seconds of hessianByLayer and of torch's per-layer power iteration on the same blocks (see the file comment). */
async function hessianByLayerAgainstTorch() {
  const missing = torchUnavailable();
  if (missing) {
    log(`--hessian-by-layer: skipped (${missing})`);
    results.hessian_by_layer = { skipped: missing };
    return;
  }
  const iterations = Number(value('iterations', 50));
  const probes = Number(value('probes', 20));
  const split = wl.digits({ seed: 0 });
  const batch = wl.hessianBatch(split.train, 256, 0);
  const rows = [];
  log(
    `--hessian-by-layer: per layer ${iterations} power iterations + ${probes} Hutchinson probes, 256 rows, float64, one thread each; load ${loadAverage()}`,
  );
  for (const hidden of [[32], [128], [64, 64]]) {
    const arch = wl.mlp(64, hidden, 10);
    const params = wl.initialParameters(arch, 0);
    const task = wl.supervisedTask(arch, split);
    const since = process.cpuUsage();
    const ours = await wl.hessianByLayer(params, task, {
      samples: 256,
      seed: 0,
      maxIterations: iterations,
      tolerance: 0,
      traceProbes: probes,
      progress: false,
    });
    const weightlabSeconds = cpuSeconds(since);
    const torch = torchLayerHessian(arch, params, batch.x, batch.y, iterations, probes);
    const row = {
      architecture: `64-${hidden.join('-')}-10`,
      parameters: params.length,
      layers: ours.rows().length,
      weightlab_cpu_seconds: weightlabSeconds,
      torch_cpu_seconds: torch.seconds,
      ratio: weightlabSeconds / torch.seconds,
      top_eigenvalues: ours.rows().map((r, l) => [r.top_eigenvalue, torch.layers[l].top_eigenvalue]),
      load: loadAverage(),
    };
    rows.push(row);
    log(
      `MLP ${row.architecture} (${row.parameters} params, ${row.layers} layers): weightlab ${weightlabSeconds.toFixed(2)} s, torch ${torch.seconds.toFixed(2)} s CPU; weightlab/torch ${row.ratio.toFixed(2)}x; top eigenvalues (weightlab / torch) ${row.top_eigenvalues.map(([a, b]) => `${a.toPrecision(4)}/${b.toPrecision(4)}`).join(', ')} (load ${row.load})`,
    );
  }
  results.hessian_by_layer = rows;
}

(async () => {
  if (flag('hessian-by-layer')) {
    await hessianByLayerAgainstTorch();
    const jsonFile = value('json');
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  if (flag('torch')) {
    await againstTorch();
    const jsonFile = value('json');
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  if (flag('grouping')) {
    await grouping();
    const jsonFile = value('json');
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  if (flag('engines')) {
    await engines();
    const jsonFile = value('json');
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  if (flag('full')) {
    await full();
    const jsonFile = value('json');
    if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const spec = wl.zooPreset('digits-mlp-grid', { small });

  // 1. Worker threads: the same slice of the grid with 1 and 2 workers.
  const slice = { ...spec, name: 'slice', axes: { width: [32, 128], batch_size: [16, 128] }, seeds: [0, 1] };
  for (const workers of [1, 2]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-bench-slice-'));
    const r = await wl.buildZoo(slice, { out: dir, workers, progress: false });
    results[`slice_models_per_minute_${workers}_workers`] = r.modelsPerMinute;
    log(
      `slice (8 models, ${spec.epochs} epochs), ${workers} worker(s): ${r.seconds.toFixed(1)} s, ${r.modelsPerMinute.toFixed(1)} models/min`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // 2. The whole preset.
  if (!flag('skip-build')) fs.rmSync(out, { recursive: true, force: true });
  const built = await wl.buildZoo(spec, { out, progress: false });
  results.build_seconds = built.seconds;
  results.models = built.models;
  results.models_per_minute = built.modelsPerMinute;
  log(
    `build ${built.models} models: ${built.seconds.toFixed(1)} s (${built.modelsPerMinute.toFixed(1)} models/min; ${built.skipped.length} already built)`,
  );

  // 3. Seconds per metric, per width, for the batch-size-32 models (PyHessian defaults, 256-row batch).
  const zoo = wl.openZoo(out);
  const { train, test } = wl.digits();
  const batch = wl.hessianBatch(train, 256, 0);
  const perMetric = [];
  for (const width of spec.axes.width) {
    const pick = (seed) =>
      zoo.models.find(
        (m) =>
          m.params['model::width'] === width &&
          m.params.seed === seed &&
          m.params['training::batchsize'] === (spec.axes.batch_size.includes(32) ? 32 : spec.axes.batch_size[0]),
      );
    const load = (model) => {
      const weights = model.checkpoints[model.checkpoints.length - 1].load();
      const arch = wl.mlp(64, [width], 10);
      return { arch, params: wl.fromWeightSet(arch, weights) };
    };
    const a = load(pick(0));
    const b = load(pick(1));
    let t = performance.now();
    const op = wl.mlpHessian(a.arch, a.params, batch);
    const eig = wl.topEigenvalues(op, { seed: 0 });
    const eigSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const op2 = wl.mlpHessian(a.arch, a.params, batch);
    const trace = wl.hutchinsonTrace(op2, { seed: 0 });
    const traceSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const bend = wl.fitBezierCurve(a.arch, a.params, b.params, train, { epochs: 10, learningRate: 0.05, seed: 0 });
    wl.bezierPath(a.arch, a.params, bend, b.params, train, test, 5);
    const bezierSeconds = (performance.now() - t) / 1000;
    perMetric.push({
      width,
      parameters: a.params.length,
      top_eigenvalue_s: eigSeconds,
      power_iterations: eig.iterations[0],
      trace_s: traceSeconds,
      probes: trace.samples.length,
      bezier_s: bezierSeconds,
    });
    log(
      `width ${String(width).padStart(3)} (${a.params.length} params): top eigenvalue ${eigSeconds.toFixed(3)} s (${eig.iterations[0]} HVPs), trace ${traceSeconds.toFixed(3)} s (${trace.samples.length} probes), Bezier curve ${bezierSeconds.toFixed(3)} s`,
    );
  }
  results.per_metric = perMetric;

  // 4. Phase metrics of the whole zoo (fresh: cache off), classification and the diagram.
  let t = performance.now();
  const table = wl.classifyPhases(await wl.phaseMetrics(zoo, { cache: false, progress: false }));
  results.phase_metrics_seconds = (performance.now() - t) / 1000;
  results.phases = table.phases;
  results.total_seconds = results.build_seconds + results.phase_metrics_seconds;
  log(
    `phase metrics of ${table.rows.length} cells: ${results.phase_metrics_seconds.toFixed(1)} s; phases ${table.phases.join(' ')}`,
  );
  log(String(wl.phaseDiagram(table)));
  log(`build + phase metrics: ${results.total_seconds.toFixed(1)} s (target <= 600 s for the full preset on 2 cores)`);
  await otherArchitectures();
  const jsonFile = value('json');
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
