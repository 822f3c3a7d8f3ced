#!/usr/bin/env node
// Benchmark of the inductive-bias samplers (issue 6), not a timed test: GP sampler setup time
// and samples/second at n = 500, 1000, 2000 training points, and the trained-network sampler,
// including the target run: 1,000 trained networks on a 16-dimensional task, end to end
// (sampling + fit + bootstrap + diagnostics), which should finish in under a minute on 2 cores.
// Usage: node bench/bias.js [--quick]   (after `npx tsc -b`)
const path = require('node:path');
// The samplers' machinery (taskData, gaussianProcessPosterior, WarningLog) is internal.
const w = require(path.join(__dirname, '..', 'lib', 'dist', 'internal.js'));

const quick = process.argv.includes('--quick');
const seconds = (start) => (performance.now() - start) / 1000;

async function gp() {
  const rows = [];
  for (const n of quick ? [500] : [500, 1000, 2000]) {
    const task = w.teacherTask({ dimension: 16, trainSize: n, testSize: 200, seed: 1 });
    const data = w.taskData(task);
    let start = performance.now();
    w.gaussianProcessPosterior(data, {});
    const setup = seconds(start);
    const samples = 2000;
    start = performance.now();
    await w.kernelHypothesisSpace().sample(data, samples, { rng: w.rng(0), warnings: new w.WarningLog(false) });
    const total = seconds(start); // includes a second setup
    const sampling = Math.max(1e-9, total - setup);
    rows.push({
      sampler: 'GP rbf',
      trainPoints: n,
      testPoints: 200,
      setupSeconds: +setup.toFixed(2),
      samplesPerSecond: Math.round(samples / sampling),
      totalSeconds: +total.toFixed(2),
    });
  }
  return rows;
}

async function networks() {
  const task = w.teacherTask({ dimension: 16, trainSize: 64, testSize: 128, seed: 1 });
  const count = quick ? 200 : 1000;
  const start = performance.now();
  const result = await w.inductiveBias(task, w.networkHypothesisSpace({ hidden: [32], steps: 300 }), {
    eps: 0.1,
    samples: count,
    seed: 0,
    progress: false,
    warn: false,
  });
  const total = seconds(start);
  return [
    {
      sampler: 'MLP 16-32-2 relu, 300 Adam steps',
      hypotheses: count,
      totalSeconds: +total.toFixed(1),
      hypothesesPerSecond: +(count / total).toFixed(1),
      bits: +result.bits.toFixed(2),
      underOneMinute: total < 60,
    },
  ];
}

(async () => {
  const rows = [...(await gp()), ...(await networks())];
  console.table(rows);
  console.log(
    JSON.stringify({
      benchmark: 'bias',
      cores: require('node:os').cpus().length,
      load: require('node:os').loadavg()[0],
      rows,
    }),
  );
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
