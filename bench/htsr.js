#!/usr/bin/env node
// Benchmark of the HTSR pipeline (not a test). Two parts, each against numpy in the same run
// when /usr/bin/python3 has numpy (Debian python3-numpy; fast only with libopenblas0 installed):
//  1. eigenvalues of symmetric 512 / 1024 / 2048 matrices (Wishart-like S = XᵀX/n, seeded):
//     weightlab's default ('auto': engine and reduction chosen by size and load, lib/src/eigen/
//     reduction.ts), the wasm kernel on one thread with each reduction (one-stage Householder,
//     two-stage dense -> band -> tridiagonal), the two-stage one on two threads, plain JS (512 only),
//     numpy eigvalsh.
//  2. whole-model analysis of a GPT-2-small-shaped block (768x768, 768x3072, 3072x768, 768x2304;
//     seeded Gaussian plus a planted power-law tail): weightlab analyze() (which solves two similar
//     layers side by side, one per thread, when a core is spare) vs an SVD-based pipeline
//     (WeightWatcher's route: scipy/LAPACK gesdd singular values + the WWFit xmin search, in numpy),
//     and numpy Gram + eigvalsh + the same fit for reference.
// numpy runs in one long-lived process (support/numpy-reference.js) and each round times every
// variant once, numpy included, so a ratio compares calls made seconds apart: the ratios printed
// are medians over rounds of the per-round ratio, with their range, and the ratio of the fastest
// calls (timeit's estimator). On this project's shared 2-core machine single calls vary by 20-50 %
// from minute to minute, which made the earlier "numpy before and after, weightlab in between"
// ratios swing with the load of other minutes. Every row also reports CPU time (all threads),
// which a busy shared machine distorts less than wall time.
// Usage (after `npm run build`): node bench/htsr.js [eig|model] [rounds]   (rounds: default 7,
// 2 more for the eigenvalues below n = 2048).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const weightlab = require('weightlab/internal');

const { rng, symmetricEigenvalues, analyze, Tensor, WeightSet } = weightlab;
const { symmetricEigenvaluesWasm } = require('weightlab/dist/eigen/eigen-wasm');
const { parallelEigenvalues } = require('weightlab/dist/eigen/eigen-parallel');
const { hasNumpy, startNumpy } = require('./support/numpy-reference');

function cpuSince(start) {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Range of `values` as "min-max" with `digits` significant digits. */
function range(values, digits = 3) {
  return `${Math.min(...values).toPrecision(digits)}-${Math.max(...values).toPrecision(digits)}`;
}

/**
 * Pause after every numpy call: OpenBLAS's threads spin for 100 ms after a call before they sleep
 * (measured: 92-100 ms of CPU in the first 100 ms after eigvalsh, 0.1 ms in the next 500), and
 * weightlab's 'auto' engine reads the other processes' CPU use of the last 200-450 ms
 * (eigen-parallel.ts parallelWorthwhile); 600 ms clears both.
 */
const SETTLE_MS = 600;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/**
 * Times each variant once per round, in order, for `count` rounds. A variant is { name, run }: `run`
 * is either a weightlab call (timed here: wall and this process's CPU, all threads) or, with
 * `numpy: true`, a numpy call that reports its own { wall, cpu } (warmCall), followed by SETTLE_MS
 * idle. Every timed call comes right after an untimed one of the same variant, numpy's too, so each
 * is timed warm (data in cache, threads awake). Measured without that: numpy timed right after
 * weightlab took 13.6 ms at n = 512 against 9-11 back to back.
 * The variant after numpy's pause pays for the machine's idle: on this VM a vCPU left idle for
 * 600 ms comes back slow for a while, and a two-thread solve, whose helper sleeps between solves,
 * waits on it (n = 512 after 600 ms idle and one warm-up call: median 19-21 ms, against 10.7-10.8
 * when the helper never slept). So each round starts with a one-thread variant, which has no
 * helper to wait on, and the two-thread ones follow. Returns per variant the arrays of wall and
 * CPU times (ms), round by round.
 */
async function rounds(variants, count) {
  const times = Object.fromEntries(variants.map((v) => [v.name, { wall: [], cpu: [] }]));
  for (let round = 0; round < count; round++) {
    for (const variant of variants) {
      let wall, cpu;
      if (variant.numpy) {
        ({ wall, cpu } = await variant.run());
        await settle();
      } else {
        await variant.run();
        const c0 = process.cpuUsage(),
          t0 = performance.now();
        await variant.run();
        wall = performance.now() - t0;
        cpu = cpuSince(c0);
      }
      times[variant.name].wall.push(wall);
      times[variant.name].cpu.push(cpu);
    }
  }
  return times;
}

/** The fastest wall time of variant `name` over all rounds. */
function fastest(times, name) {
  return Math.min(...times[name].wall);
}

/** Per-round ratios a[r] / b[r]. */
function ratios(a, b) {
  return a.map((value, r) => value / b[r]);
}

function wishart(n, seed) {
  const x = rng(seed).normal(n * n);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < n; t++) {
      const v = x[t * n + i];
      if (v === 0) continue;
      for (let j = i; j < n; j++) s[i * n + j] += v * x[t * n + j];
    }
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      s[i * n + j] /= n;
      s[j * n + i] = s[i * n + j];
    }
  return s;
}

async function eigenBenchmark(directory, numpy, count) {
  console.log(
    `1. symmetric eigenvalues: ms, median of ${count} rounds, each round timing every variant once, warm (numpy included; see rounds());\n` +
      '   ratio = median over rounds of weightlab / numpy eigvalsh in the same round, [range over rounds]',
  );
  const sizes = [512, 1024, 2048];
  const matrices = sizes.map((n, i) => ({ n, values: wishart(n, 100 + i) }));
  matrices.forEach(({ values }, i) => fs.writeFileSync(path.join(directory, `eig${i}.f64`), values));
  const reference = numpy
    ? startNumpy(
        [
          'import numpy as np',
          `sizes = ${JSON.stringify(sizes)}`,
          "matrices = [np.fromfile(f'{argv[0]}/eig{i}.f64').reshape(n, n) for i, n in enumerate(sizes)]",
          'def eigvalsh(i): np.linalg.eigvalsh(matrices[i])',
          "def save(i): np.linalg.eigvalsh(matrices[i]).tofile(f'{argv[0]}/eig{i}.np')",
        ].join('\n'),
        [directory],
      )
    : undefined;
  const rows = [];
  try {
    for (const [i, { n, values }] of matrices.entries()) {
      const load = os.loadavg()[0];
      // One-thread variants first after numpy's pause (see rounds).
      const variants = [
        { name: 'oneStage', run: () => symmetricEigenvaluesWasm(values, n, 'one-stage') },
        { name: 'twoStage', run: () => symmetricEigenvaluesWasm(values, n, 'two-stage') },
        { name: 'auto', run: () => symmetricEigenvalues(values, n, 'auto') },
        { name: 'twoThreads', run: () => parallelEigenvalues(values, n, 'two-stage') },
      ];
      if (numpy) variants.push({ name: 'numpy', numpy: true, run: () => reference.warmCall('eigvalsh', i) });
      const times = await rounds(variants, n < 2048 ? count + 2 : count);
      const wall = (name) => median(times[name].wall);
      let js = NaN;
      if (n <= 512) {
        const t = [];
        await symmetricEigenvalues(values, n, 'js');
        for (let r = 0; r < 3; r++) {
          const t0 = performance.now();
          await symmetricEigenvalues(values, n, 'js');
          t.push(performance.now() - t0);
        }
        js = median(t);
      }
      const row = {
        n,
        load,
        auto: wall('auto'),
        oneStage: wall('oneStage'),
        twoStage: wall('twoStage'),
        twoThreads: wall('twoThreads'),
        js,
      };
      if (numpy) {
        await reference.call('save', i);
        await settle();
        const expected = new Float64Array(new Uint8Array(fs.readFileSync(path.join(directory, `eig${i}.np`))).buffer);
        let error = 0;
        for (const got of [
          await symmetricEigenvalues(values, n, 'auto'),
          symmetricEigenvaluesWasm(values, n, 'two-stage'),
          symmetricEigenvaluesWasm(values, n, 'one-stage'),
        ]) {
          for (let k = 0; k < n; k++)
            error = Math.max(error, Math.abs(got[k] - expected[k]) / Math.abs(expected[n - 1]));
        }
        const auto = ratios(times.auto.wall, times.numpy.wall);
        // Per round, the fastest weightlab variant; and per-core efficiency: CPU time of the faster
        // one-thread reduction against numpy's CPU time over all its threads.
        const best = ratios(
          times.auto.wall.map((_, r) =>
            Math.min(times.oneStage.wall[r], times.twoStage.wall[r], times.twoThreads.wall[r]),
          ),
          times.numpy.wall,
        );
        const cpu = ratios(
          times.oneStage.cpu.map((c, r) => Math.min(c, times.twoStage.cpu[r])),
          times.numpy.cpu,
        );
        Object.assign(row, {
          numpy: wall('numpy'),
          ratioAuto: median(auto),
          autoRange: range(auto),
          fastestRatio: fastest(times, 'auto') / fastest(times, 'numpy'),
          ratioBest: median(best),
          cpuRatio: median(cpu),
          error,
        });
      }
      rows.push(row);
    }
  } finally {
    await reference?.close();
  }
  const shown = (v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v);
  console.table(
    rows.map((row) =>
      Object.fromEntries(
        Object.entries({
          n: row.n,
          load: row.load,
          'numpy ms': row.numpy ?? NaN,
          'auto ms': row.auto,
          'one-stage 1T ms': row.oneStage,
          'two-stage 1T ms': row.twoStage,
          'two-stage 2T ms': row.twoThreads,
          'plain JS ms': row.js,
          'ratio auto': row.ratioAuto ?? NaN,
          'auto range': row.autoRange ?? '',
          'fastest ratio': row.fastestRatio ?? NaN,
          'ratio best': row.ratioBest ?? NaN,
          'cpu ratio 1T': row.cpuRatio ?? NaN,
          'max rel err vs numpy': row.error ?? NaN,
        }).map(([k, v]) => [k, shown(v)]),
      ),
    ),
  );
  console.log(
    'auto = symmetricEigenvalues(a, n) as analyze() calls it; 1T/2T = one/two threads; ratio best = fastest weightlab variant / numpy;\n' +
      "fastest ratio = fastest auto call / fastest numpy call over all rounds (timeit's estimator: slower calls are slowed by other processes);\n" +
      "cpu ratio 1T = CPU time of the faster one-thread reduction / numpy's CPU time (all its threads): per-core efficiency, less sensitive to load than wall time;\n" +
      'load = 1-minute load average when the row started',
  );
}

function gpt2Block() {
  const shapes = {
    'attn.c_attn.weight': [768, 2304],
    'attn.c_proj.weight': [768, 768],
    'mlp.c_fc.weight': [768, 3072],
    'mlp.c_proj.weight': [3072, 768],
  };
  const tensors = {};
  let seed = 500;
  for (const [name, [rows, cols]] of Object.entries(shapes)) {
    const random = rng(seed++);
    const values = random.normal(rows * cols, 0, 0.02);
    // Planted heavy tail: 40 rank-one directions with power-law strengths (alpha ~ 2.5 tail).
    const k = 40;
    const u = random.normal(rows * k, 0, 1 / Math.sqrt(rows)),
      v = random.normal(k * cols, 0, 1 / Math.sqrt(cols));
    for (let s = 0; s < k; s++) {
      const strength = 10 * (s + 1) ** (-1 / 1.5);
      for (let i = 0; i < rows; i++) {
        const a = strength * u[i * k + s];
        for (let j = 0; j < cols; j++) values[i * cols + j] += a * v[s * cols + j];
      }
    }
    tensors[name] = new Tensor('float32', Float32Array.from(values), [rows, cols]);
  }
  return tensors;
}

async function modelBenchmark(directory, numpy, count) {
  console.log(
    `\n2. whole-model analysis of a GPT-2-small-shaped block: ms, median of ${count} rounds, each round timing every pipeline once, warm;\n` +
      '   cpu ms = CPU time of all threads; speed-ups = median over rounds of the per-round ratio, [range over rounds]',
  );
  const tensors = gpt2Block();
  const names = Object.keys(tensors);
  names.forEach((name, i) => fs.writeFileSync(path.join(directory, `w${i}.f32`), tensors[name].data));
  const set = new WeightSet(tensors);
  const reference = numpy
    ? startNumpy(
        [
          'import numpy as np',
          'try:',
          '    import scipy.linalg as sl; svdvals = lambda w: sl.svd(w, compute_uv=False); svd_name = "scipy gesdd"',
          'except ImportError:',
          '    svdvals = lambda w: np.linalg.svd(w, compute_uv=False); svd_name = "numpy gesdd"',
          'def wwfit(evals):',
          '    data = np.sort(evals[evals > 1e-5]); logs = np.log(data); N = len(data)',
          '    alphas = np.zeros(N - 1); Ds = np.ones(N - 1)',
          '    for i in range(N - 1):',
          '        n = float(N - i); alpha = 1 + n / (np.sum(logs[i:]) - n * logs[i]); alphas[i] = alpha',
          '        if alpha > 1: Ds[i] = np.max(np.abs(1 - (data[i:] / data[i]) ** (1 - alpha) - np.arange(n) / n))',
          '    return float(alphas[np.argmin(Ds)])',
          `shapes = ${JSON.stringify(names.map((n) => tensors[n].shape))}`,
          // WeightWatcher converts each weight to float64 before its SVD; so do both pipelines, inside the timing.
          'ws = [np.fromfile(f"{argv[0]}/w{i}.f32", dtype=np.float32).reshape(s) for i, s in enumerate(shapes)]',
          'def name(): return svd_name',
          'def svd_pipeline(): return [wwfit(svdvals(w.astype(np.float64)) ** 2) for w in ws]',
          'def gram_pipeline():',
          '    out = []',
          '    for w in ws:',
          '        w = w.astype(np.float64); out.append(wwfit(np.linalg.eigvalsh(w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T)))',
          '    return out',
        ].join('\n'),
        [directory],
      )
    : undefined;
  // The one-thread pipeline first after numpy's pause (see rounds).
  const variants = [
    { name: 'oneThread', run: () => analyze(set, { progress: false, engine: 'wasm' }) },
    { name: 'auto', run: () => analyze(set, { progress: false }) },
  ];
  if (numpy)
    variants.push(
      { name: 'svd', numpy: true, run: () => reference.warmCall('svd_pipeline') },
      { name: 'gram', numpy: true, run: () => reference.warmCall('gram_pipeline') },
    );
  let times, svdAlphas, svdName;
  try {
    times = await rounds(variants, count);
    if (numpy) {
      svdAlphas = (await reference.call('svd_pipeline')).result;
      svdName = (await reference.call('name')).result;
    }
  } finally {
    await reference?.close();
  }
  const result = await analyze(set, { progress: false });
  console.table(
    names.map((name, i) => ({
      layer: name,
      shape: tensors[name].shape.join('x'),
      alpha: Number(result.layers[i].row.alpha.toFixed(6)),
      'numpy SVD alpha': numpy ? Number(svdAlphas[i].toFixed(6)) : NaN,
    })),
  );
  const rows = [
    {
      pipeline: 'weightlab analyze() (auto: ORT Gram + wasm eig, 1 or 2 threads chosen per call by spare CPU)',
      name: 'auto',
    },
    { pipeline: 'weightlab analyze() (ORT Gram + 1-thread wasm eig)', name: 'oneThread' },
  ];
  if (numpy)
    rows.push(
      { pipeline: `SVD pipeline (${svdName} + WWFit, numpy)`, name: 'svd' },
      { pipeline: 'numpy Gram + eigvalsh + WWFit', name: 'gram' },
    );
  console.table(
    rows.map(({ pipeline, name }) => ({
      pipeline,
      ms: Number(median(times[name].wall).toFixed(1)),
      'cpu ms': Number(median(times[name].cpu).toFixed(1)),
      'range ms': range(times[name].wall),
    })),
  );
  if (numpy) {
    const speedup = (name) => {
      const r = ratios(times.svd.wall, times[name].wall);
      return `${median(r).toFixed(2)}x [${range(r)}]`;
    };
    const cpu = ratios(times.svd.cpu, times.auto.cpu);
    const slower = ratios(times.auto.wall, times.gram.wall);
    console.log(
      `speed-up vs SVD pipeline: ${speedup('auto')} (auto), ${speedup('oneThread')} (1 thread), ${median(cpu).toFixed(2)}x in CPU time, ` +
        `${(fastest(times, 'svd') / fastest(times, 'auto')).toFixed(2)}x fastest call against fastest call (auto); time over numpy Gram+eigvalsh: ${median(slower).toFixed(2)} [${range(slower)}] (below 1: faster)`,
    );
  }
}

(async () => {
  const which = process.argv[2];
  const count = Number(process.argv[3] ?? 7);
  const numpy = hasNumpy();
  console.log(
    `HTSR benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}, Node ${process.version}; numpy ${numpy ? 'present' : 'absent (apt-get install python3-numpy python3-scipy libopenblas0)'}`,
  );
  const { relaxedSimdDecision } = require('weightlab/dist/backend/wasm');
  console.log(`wasm kernels: ${relaxedSimdDecision().reason} (WEIGHTLAB_RELAXED_SIMD=0 for the plain-SIMD build)`);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-bench-htsr-'));
  try {
    if (!which || which === 'eig') await eigenBenchmark(directory, numpy, count);
    if (!which || which === 'model') await modelBenchmark(directory, numpy, count);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
})();
