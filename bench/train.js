#!/usr/bin/env node
// bench:train — seconds per model for the training job of issue #18 (digits MLP 64-w-10, ReLU,
// SGD lr 0.05 momentum 0.9 weight decay 5e-4, batch 32, 10 epochs on the 1,437 training rows,
// with the per-epoch evaluation on train and test that trainNetwork does), on one thread:
// weightlab trainNetwork one model at a time, weightlab trainLockstep in groups of 8 and 32, and
// the same jobs in torch (bench/support/torch-train.js: /usr/bin/python3, one thread) in float32
// and float64, with the per-epoch evaluation and training alone, on the same data, all
// in the same run so that the ratios hold on a loaded machine (the load average is printed per
// row). Times are CPU seconds of the process (Node: process.cpuUsage, torch: time.process_time),
// which a loaded machine inflates far less than wall time. Torch is skipped with a note when it is not installed. A script, not a timed test.
//
// --cnn times the small CNN instead (lib/src/train/cnn.ts: conv3x3(w)-conv3x3/2(w)-pool-linear,
// SGD lr 0.1 momentum 0.9 weight decay 5e-4, batch 32, --epochs default 2) on the digits (8x8)
// and on MNIST (28x28, --mnist-per-class images per class, default 100: 800 train rows): weightlab
// trainNetwork one model at a time, trainLockstep in a group of --groups' largest value in
// float64 and float32, and the same jobs in torch (bench/support/torch-train.js) in float32 and
// float64, all with the per-epoch evaluation on train and test.
//
//   node bench/train.js [--epochs E] [--widths 16,64,256] [--groups 8,32] [--single N] [--json FILE]
//   node bench/train.js --cnn [--epochs 2] [--widths 4,16] [--groups 8] [--single 2] [--mnist-per-class 100] [--json FILE]
const fs = require('node:fs');
const os = require('node:os');
// weightlab/internal: trainNetwork and trainLockstep are not (yet) public names.
const wl = require('../lib/dist/internal');
const { torchUnavailable, torchTrain } = require('./support/torch-train');

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const list = (name, fallback) => value(name, fallback).split(',').map(Number);
const convolutional = args.includes('--cnn');
const epochs = Number(value('epochs', convolutional ? 2 : 10));
const widths = list('widths', convolutional ? '4,16' : '16,64,256');
const groups = list('groups', convolutional ? '8' : '8,32');
// Models trained one by one (weightlab single and torch) per width: enough for a stable mean.
const single = Number(value('single', convolutional ? 2 : 4));
const log = (line) => process.stdout.write(`${line}\n`);
const loadAverage = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

// CPU seconds of this process (both sides measure CPU time, not wall time: on a machine shared
// with other jobs, wall time mostly measures the others; one thread each, so CPU time is the cost).
const seconds = (fn) => {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1e6;
};

/** The --cnn rows: per dataset and width, CPU seconds per model of each way to train the same jobs. */
function convolutionalBench() {
  const datasets = [
    ['digits 8x8', wl.digits(), [1, 8, 8]],
    [
      `MNIST 28x28 (${value('mnist-per-class', 100)} per class)`,
      wl.mnist({ perClass: Number(value('mnist-per-class', 100)) }),
      [1, 28, 28],
    ],
  ];
  const group = Math.max(...groups);
  const cnnJob = (image, width, seed) => ({
    architecture: wl.cnn(image, [width, width], 10),
    seed,
    batchSize: 32,
    learningRate: 0.1,
    momentum: 0.9,
    weightDecay: 5e-4,
    epochs,
  });
  const torchMissing = torchUnavailable();
  log(
    `bench:train --cnn — CNN conv3x3(w)-conv3x3/2(w)-pool-linear, SGD, batch 32, ${epochs} epochs with per-epoch evaluation, CPU seconds per model on one thread; ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`,
  );
  if (torchMissing) log(`torch: skipped (${torchMissing})`);
  log(`load average at start: ${loadAverage()}`);
  const rows = [];
  for (const [name, split, image] of datasets) {
    // warm-up: JIT and kernel instantiation
    wl.trainLockstep(
      [cnnJob(image, 2, 0)],
      { train: wl.subsample(split.train, 0.05), test: split.test },
      { engine: 'wasm' },
    );
    for (const width of widths) {
      const row = { dataset: name, width, train_rows: split.train.size, load: undefined };
      const singles = Array.from({ length: single }, (_, m) => cnnJob(image, width, m));
      row.single = seconds(() => singles.forEach((job) => wl.trainNetwork(job, split.train, split.test))) / single;
      const jobs = Array.from({ length: group }, (_, m) => cnnJob(image, width, m));
      row.lockstep_float64 = seconds(() => wl.trainLockstep(jobs, split, { groupSize: group, engine: 'wasm' })) / group;
      row.lockstep_float32 =
        seconds(() => wl.trainLockstep(jobs, split, { groupSize: group, precision: 'float32' })) / group;
      if (!torchMissing) {
        for (const dtype of ['float32', 'float64']) {
          const trained = torchTrain(wl, singles, split, dtype);
          row[`torch_${dtype}`] = trained.reduce((sum, r) => sum + r.seconds, 0) / trained.length;
        }
      }
      row.load = loadAverage();
      rows.push(row);
      const cells = [
        `single ${row.single.toFixed(3)}`,
        `lockstep K=${group} f64 ${row.lockstep_float64.toFixed(3)}`,
        `f32 ${row.lockstep_float32.toFixed(3)}`,
      ];
      if (!torchMissing) cells.push(`torch f32 ${row.torch_float32.toFixed(3)}`, `f64 ${row.torch_float64.toFixed(3)}`);
      log(`${name}, width ${String(width).padStart(3)}: ${cells.join(', ')} s/model (load ${row.load})`);
      if (!torchMissing)
        log(
          `           torch/weightlab: float64 lockstep ${(row.torch_float64 / row.lockstep_float64).toFixed(2)}x, float32 lockstep ${(row.torch_float32 / row.lockstep_float32).toFixed(2)}x, float64 single ${(row.torch_float64 / row.single).toFixed(2)}x; > 1: weightlab faster`,
        );
    }
  }
  const jsonFile = value('json');
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify({ epochs, widths, group, single, rows }, null, 2)}\n`);
}

if (convolutional) convolutionalBench();
else mlpBench();

function mlpBench() {
  const split = wl.digits();
  const job = (width, seed) => ({
    architecture: wl.mlp(64, [width], 10),
    seed,
    batchSize: 32,
    learningRate: 0.05,
    momentum: 0.9,
    weightDecay: 5e-4,
    epochs,
  });

  log(
    `bench:train — digits MLP 64-w-10, SGD, batch 32, ${epochs} epochs, CPU seconds per model on one thread; ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`,
  );
  log(`load average at start: ${loadAverage()}`);
  // Warm-up (JIT, kernel instantiation) so the first timed row does not pay it.
  wl.trainNetwork(job(16, 0), split.train, split.test);
  wl.trainLockstep([job(16, 0), job(16, 1)], split, { engine: 'wasm' });
  const torchMissing = torchUnavailable();
  if (torchMissing) log(`torch: skipped (${torchMissing})`);
  // Torch trains the same jobs (per width, seeds 0 to single - 1), per dtype once with the per-epoch
  // evaluation (the job trainNetwork does) and once training alone: dtype -> width -> [seconds per
  // model with evaluation, training alone].
  const torchJobs = widths.flatMap((width) => Array.from({ length: single }, (_, m) => job(width, m)));
  const perModel = (trained, w) =>
    trained.slice(w * single, (w + 1) * single).reduce((sum, r) => sum + r.seconds, 0) / single;
  const torchSeconds = new Map();
  if (!torchMissing)
    for (const dtype of ['float32', 'float64']) {
      const withEvaluation = torchTrain(wl, torchJobs, split, dtype);
      const trainingAlone = torchTrain(wl, torchJobs, split, dtype, { evaluation: false });
      torchSeconds.set(
        dtype,
        new Map(widths.map((width, w) => [width, [perModel(withEvaluation, w), perModel(trainingAlone, w)]])),
      );
    }
  const torch32 = torchSeconds.get('float32');
  const torch64 = torchSeconds.get('float64');
  const rows = [];
  for (const width of widths) {
    const row = { width, load: undefined };
    row.single =
      seconds(() => {
        for (let m = 0; m < single; m++) wl.trainNetwork(job(width, m), split.train, split.test);
      }) / single;
    for (const group of groups) {
      const jobs = Array.from({ length: group }, (_, m) => job(width, m));
      row[`lockstep_${group}`] =
        seconds(() => wl.trainLockstep(jobs, split, { groupSize: group, engine: 'wasm' })) / group;
    }
    // float32 lockstep (four models per vector) in the largest group
    const largest = Math.max(...groups);
    row.lockstep_float32 =
      seconds(() =>
        wl.trainLockstep(
          Array.from({ length: largest }, (_, m) => job(width, m)),
          split,
          { groupSize: largest, precision: 'float32' },
        ),
      ) / largest;
    if (torch32) {
      [row.torch_float32, row.torch_float32_train_only] = torch32.get(width);
      [row.torch_float64, row.torch_float64_train_only] = torch64.get(width);
    }
    row.load = loadAverage();
    rows.push(row);
    const best = Math.min(...groups.map((g) => row[`lockstep_${g}`]));
    const cells = [
      `single ${row.single.toFixed(3)}`,
      ...groups.map((g) => `lockstep K=${g} ${row[`lockstep_${g}`].toFixed(3)}`),
      `lockstep float32 K=${largest} ${row.lockstep_float32.toFixed(3)}`,
    ];
    if (torch32)
      cells.push(
        `torch f32 ${row.torch_float32.toFixed(3)} (${row.torch_float32_train_only.toFixed(3)} without evaluation)`,
        `torch f64 ${row.torch_float64.toFixed(3)} (${row.torch_float64_train_only.toFixed(3)})`,
      );
    log(`width ${String(width).padStart(3)}: ${cells.join(', ')} s/model (load ${row.load})`);
    const ratios = [`single/lockstep ${(row.single / best).toFixed(2)}x`];
    if (torch32) {
      ratios.push(
        `lockstep float64 vs torch f64 ${(row.torch_float64 / best).toFixed(2)}x (train only ${(row.torch_float64_train_only / best).toFixed(2)}x)`,
      );
      ratios.push(
        `lockstep float32 vs torch f32 ${(row.torch_float32 / row.lockstep_float32).toFixed(2)}x (train only ${(row.torch_float32_train_only / row.lockstep_float32).toFixed(2)}x)`,
      );
      ratios.push(`single vs torch f64 ${(row.torch_float64 / row.single).toFixed(2)}x; > 1: weightlab faster`);
    }
    log(`           ${ratios.join('; ')}`);
  }
  const jsonFile = value('json');
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify({ epochs, widths, groups, single, rows }, null, 2)}\n`);
}
