#!/usr/bin/env node
// Benchmark of the HTSR pipeline (not a test). Two parts, each against numpy in the same run
// when /usr/bin/python3 has numpy (Debian python3-numpy; fast only with libopenblas0 installed):
//  1. eigenvalues of symmetric 512 / 1024 / 2048 matrices (Wishart-like S = XᵀX/n, seeded):
//     weightlab's default ('auto': engine and reduction chosen by size and load, lib/src/spectral/
//     reduction.ts), the wasm kernel on one thread with each reduction (one-stage Householder,
//     two-stage dense -> band -> tridiagonal), the two-stage one on two threads, plain JS (512 only),
//     numpy eigvalsh. numpy runs before and after weightlab and the faster of the two is used, so
//     load drifting during the run counts against weightlab.
//  2. whole-model analysis of a GPT-2-small-shaped block (768x768, 768x3072, 3072x768, 768x2304;
//     seeded Gaussian plus a planted power-law tail): weightlab analyze() (which solves two similar
//     layers side by side, one per thread, when a core is spare) vs an SVD-based pipeline
//     (WeightWatcher's route: scipy/LAPACK gesdd singular values + the WWFit xmin search, in numpy),
//     and numpy Gram + eigvalsh + the same fit for reference (numpy again before and after weightlab).
// Every row also reports CPU time (all threads), which a busy shared machine distorts far less than
// wall time. Record `uptime` next to the numbers.
// Usage (after `npm run build`): node bench/htsr.js [eig|model]   Prints times (median) and ratios.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const weightlab = require('weightlab');

const { rng, symmetricEigenvalues, analyze, Tensor, WeightSet } = weightlab;
const { symmetricEigenvaluesWasm } = require('weightlab/dist/spectral/eigen-wasm');
const { parallelEigenvalues } = require('weightlab/dist/spectral/eigen-parallel');
const PYTHON = '/usr/bin/python3';

function cpuSince(start) { const c = process.cpuUsage(start); return (c.user + c.system) / 1000; }

function median(values) { const s = [...values].sort((a, b) => a - b); return s[s.length >> 1]; }

async function time(fn, runs) {
  return (await timeWithCpu(fn, runs)).wall;
}

/** Median wall time and median CPU time (all threads of the process: workers, onnxruntime) in ms. */
async function timeWithCpu(fn, runs) {
  await fn();
  const walls = [], cpus = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    await fn();
    walls.push(performance.now() - t0);
    cpus.push(cpuSince(c0));
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/** Median wall and CPU times of each of `fns`, run round robin `runs` times after one warm-up each. */
async function interleaved(fns, runs) {
  for (const fn of fns) await fn();
  const walls = fns.map(() => []), cpus = fns.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [i, fn] of fns.entries()) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      await fn();
      walls[i].push(performance.now() - t0);
      cpus[i].push(cpuSince(c0));
    }
  }
  return fns.map((_, i) => ({ wall: median(walls[i]), cpu: median(cpus[i]) }));
}

function hasNumpy() {
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

function python(script, args) {
  const run = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

function wishart(n, seed) {
  const x = rng(seed).normal(n * n);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let t = 0; t < n; t++) {
    const v = x[t * n + i];
    if (v === 0) continue;
    for (let j = i; j < n; j++) s[i * n + j] += v * x[t * n + j];
  }
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) { s[i * n + j] /= n; s[j * n + i] = s[i * n + j]; }
  return s;
}

async function eigenBenchmark(directory, numpy) {
  console.log('1. symmetric eigenvalues (ms, median; load = 1-minute load average when the row started); ratio = weightlab / numpy eigvalsh');
  const sizes = [512, 1024, 2048];
  const matrices = sizes.map((n, i) => ({ n, values: wishart(n, 100 + i) }));
  matrices.forEach(({ values }, i) => fs.writeFileSync(path.join(directory, `eig${i}.f64`), values));
  const numpyTimes = () => python([
    'import numpy as np, sys, time, json',
    `d = sys.argv[1]; sizes = ${JSON.stringify(sizes)}; out = {}`,
    'for i, n in enumerate(sizes):',
    "    a = np.fromfile(f'{d}/eig{i}.f64').reshape(n, n); np.linalg.eigvalsh(a)",
    '    ts = []',
    '    for r in range(5 if n < 2048 else 3):',
    '        t0 = time.perf_counter(); c0 = time.process_time(); w = np.linalg.eigvalsh(a)',
    '        ts.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))',
    "    w.tofile(f'{d}/eig{i}.np'); out[n] = [sorted(t[0] for t in ts)[len(ts) // 2], sorted(t[1] for t in ts)[len(ts) // 2]]",
    'print(json.dumps(out))',
  ].join('\n'), [directory]);
  const before = numpy ? numpyTimes() : undefined;
  const rows = [];
  for (const [i, { n, values }] of matrices.entries()) {
    const runs = n < 2048 ? 7 : 5;
    const load = os.loadavg()[0];
    // Round robin over the variants, so a burst of load on the shared machine hits all of them.
    const [autoTimes, oneStageTimes, twoStageTimes, twoThreadTimes] = await interleaved([
      () => symmetricEigenvalues(values, n, 'auto'),
      () => symmetricEigenvaluesWasm(values, n, 'one-stage'),
      () => symmetricEigenvaluesWasm(values, n, 'two-stage'),
      () => parallelEigenvalues(values, n, 'two-stage'),
    ], runs);
    const auto = autoTimes.wall, oneStage = oneStageTimes.wall, twoStage = twoStageTimes.wall, twoThreads = twoThreadTimes.wall;
    const cpu = Math.min(oneStageTimes.cpu, twoStageTimes.cpu);
    const js = n <= 512 ? await time(() => symmetricEigenvalues(values, n, 'js'), 3) : NaN;
    let error = NaN;
    if (numpy) {
      const expected = new Float64Array(new Uint8Array(fs.readFileSync(path.join(directory, `eig${i}.np`))).buffer);
      for (const got of [await symmetricEigenvalues(values, n, 'auto'), symmetricEigenvaluesWasm(values, n, 'two-stage'), symmetricEigenvaluesWasm(values, n, 'one-stage')]) {
        let worst = 0;
        for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(got[k] - expected[k]));
        error = Math.max(Number.isNaN(error) ? 0 : error, worst / Math.abs(expected[n - 1]));
      }
    }
    rows.push({ n, load, auto, oneStage, twoStage, twoThreads, js, error, cpu });
  }
  const after = numpy ? numpyTimes() : undefined;
  console.table(rows.map(({ n, load, auto, oneStage, twoStage, twoThreads, js, error, cpu }) => {
    const np = numpy ? Math.min(before[n][0], after[n][0]) : NaN;
    const npCpu = numpy ? Math.min(before[n][1], after[n][1]) : NaN;
    return { n, 'load': load, 'numpy ms': np, 'auto ms': auto, 'one-stage 1T ms': oneStage, 'two-stage 1T ms': twoStage, 'two-stage 2T ms': twoThreads, 'plain JS ms': js,
      'ratio auto': auto / np, 'ratio best': Math.min(oneStage, twoStage, twoThreads) / np, 'cpu ratio 1T': cpu / npCpu, 'max rel err vs numpy': error };
  }).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v]))));
  console.log('auto = symmetricEigenvalues(a, n) as analyze() calls it; 1T/2T = one/two threads; ratio best = fastest weightlab variant / numpy;\n'
    + 'cpu ratio 1T = CPU time of the faster one-thread reduction / numpy\'s CPU time (all its threads): per-core efficiency, less sensitive to load than wall time');
}

function gpt2Block() {
  const shapes = { 'attn.c_attn.weight': [768, 2304], 'attn.c_proj.weight': [768, 768], 'mlp.c_fc.weight': [768, 3072], 'mlp.c_proj.weight': [3072, 768] };
  const tensors = {};
  let seed = 500;
  for (const [name, [rows, cols]] of Object.entries(shapes)) {
    const random = rng(seed++);
    const values = random.normal(rows * cols, 0, 0.02);
    // Planted heavy tail: 40 rank-one directions with power-law strengths (alpha ~ 2.5 tail).
    const k = 40;
    const u = random.normal(rows * k, 0, 1 / Math.sqrt(rows)), v = random.normal(k * cols, 0, 1 / Math.sqrt(cols));
    for (let s = 0; s < k; s++) {
      const strength = 10 * (s + 1) ** (-1 / 1.5);
      for (let i = 0; i < rows; i++) { const a = strength * u[i * k + s]; for (let j = 0; j < cols; j++) values[i * cols + j] += a * v[s * cols + j]; }
    }
    tensors[name] = new Tensor('float32', Float32Array.from(values), [rows, cols]);
  }
  return tensors;
}

async function modelBenchmark(directory, numpy) {
  console.log('\n2. whole-model analysis of a GPT-2-small-shaped block (ms; weightlab median of 5 interleaved runs, numpy median of 3,\n'
    + '   run before and after weightlab, the faster kept; cpu ms = CPU time of all threads)');
  const tensors = gpt2Block();
  const names = Object.keys(tensors);
  names.forEach((name, i) => fs.writeFileSync(path.join(directory, `w${i}.f32`), tensors[name].data));
  const set = new WeightSet(tensors);
  const numpyModel = () => python([
    'import numpy as np, sys, time, json',
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
    '    return alphas[np.argmin(Ds)]',
    `d = sys.argv[1]; shapes = ${JSON.stringify(names.map((n) => tensors[n].shape))}`,
    'ws = [np.fromfile(f"{d}/w{i}.f32", dtype=np.float32).reshape(s).astype(np.float64) for i, s in enumerate(shapes)]',
    'def svd_pipeline(): return [wwfit(svdvals(w) ** 2) for w in ws]',
    'def gram_pipeline(): return [wwfit(np.linalg.eigvalsh(w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T)) for w in ws]',
    'out = {"svd_name": svd_name}',
    'for name, f in [("svd", svd_pipeline), ("gram", gram_pipeline)]:',
    '    f(); ts = []',
    '    for r in range(3):',
    '        t0 = time.perf_counter(); c0 = time.process_time(); alphas = f()',
    '        ts.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))',
    '    out[name] = sorted(t[0] for t in ts)[1]; out[name + "_cpu"] = sorted(t[1] for t in ts)[1]; out[name + "_alphas"] = alphas',
    'print(json.dumps(out))',
  ].join('\n'), [directory]);
  const before = numpy ? numpyModel() : undefined;
  // Interleaved runs, so load drifts on a shared machine hit both configurations alike.
  await analyze(set, { progress: false });
  const autoTimes = [], oneThreadTimes = [];
  for (let run = 0; run < 5; run++) {
    let c0 = process.cpuUsage(), t0 = performance.now(); await analyze(set, { progress: false }); autoTimes.push([performance.now() - t0, cpuSince(c0)]);
    c0 = process.cpuUsage(); t0 = performance.now(); await analyze(set, { progress: false, engine: 'wasm' }); oneThreadTimes.push([performance.now() - t0, cpuSince(c0)]);
  }
  const ours = median(autoTimes.map((t) => t[0])), oneThread = median(oneThreadTimes.map((t) => t[0]));
  const oursCpu = median(autoTimes.map((t) => t[1])), oneThreadCpu = median(oneThreadTimes.map((t) => t[1]));
  const result = await analyze(set, { progress: false });
  let reference;
  if (numpy) {
    const after = numpyModel();
    reference = { ...before, svd: Math.min(before.svd, after.svd), gram: Math.min(before.gram, after.gram), svd_cpu: Math.min(before.svd_cpu, after.svd_cpu), gram_cpu: Math.min(before.gram_cpu, after.gram_cpu) };
  }
  console.table(names.map((name, i) => ({ layer: name, shape: tensors[name].shape.join('x'), alpha: Number(result.layers[i].row.alpha.toFixed(6)),
    'numpy SVD alpha': numpy ? Number(reference.svd_alphas[i].toFixed(6)) : NaN })));
  const rows = [{ pipeline: 'weightlab analyze() (auto: ORT Gram + wasm eig, 1 or 2 threads chosen per call by spare CPU)', ms: ours, cpu: oursCpu },
    { pipeline: 'weightlab analyze() (ORT Gram + 1-thread wasm eig)', ms: oneThread, cpu: oneThreadCpu }];
  if (numpy) {
    rows.push({ pipeline: `SVD pipeline (${reference.svd_name} + WWFit, numpy)`, ms: reference.svd, cpu: reference.svd_cpu });
    rows.push({ pipeline: 'numpy Gram + eigvalsh + WWFit', ms: reference.gram, cpu: reference.gram_cpu });
  }
  console.table(rows.map((row) => ({ pipeline: row.pipeline, ms: Number(row.ms.toFixed(1)), 'cpu ms': Number(row.cpu.toFixed(1)) })));
  if (numpy) {
    console.log(`speed-up vs SVD pipeline: ${(reference.svd / ours).toFixed(2)}x (auto), ${(reference.svd / oneThread).toFixed(2)}x (1 thread), `
      + `${(reference.svd_cpu / oursCpu).toFixed(2)}x in CPU time; vs numpy Gram+eigvalsh: ${(ours / reference.gram).toFixed(2)}x slower`);
  }
}

(async () => {
  const which = process.argv[2];
  const numpy = hasNumpy();
  console.log(`HTSR benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}; numpy ${numpy ? 'present' : 'absent (apt-get install python3-numpy python3-scipy libopenblas0)'}`);
  const { relaxedSimdDecision } = require('weightlab/dist/backend/wasm');
  console.log(`wasm kernels: ${relaxedSimdDecision().reason} (WEIGHTLAB_RELAXED_SIMD=0 for the plain-SIMD build)`);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-bench-htsr-'));
  try {
    if (!which || which === 'eig') await eigenBenchmark(directory, numpy);
    if (!which || which === 'model') await modelBenchmark(directory, numpy);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
})();
