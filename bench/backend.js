#!/usr/bin/env node
// Benchmark of the compute backends (not a test): dense matmul GFLOP/s for onnxruntime-node,
// jax-js (wasm device), weightlab's wasm kernel and plain JS at 256/512/1024 in float32 and
// float64; the float64 Gram matrix of a 768x3072 weight (BERT-base FFN); and a jax-js jitted
// Adam step for an MLP 64-128-128-10 at batch 256. Ratios are against the plain-JS reference
// measured in the same process. Run after `npm run build`: `node bench/backend.js [matmul|gram|adam]`.
const os = require('node:os');
const weightlab = require('weightlab/internal');
const { rowDotsJs, rowDotsWasm } = require('weightlab/dist/backend/row-dots');
const { packFloat64 } = require('weightlab/dist/backend/operands');

const { Tensor, matmul, gram, jax, rng } = weightlab;

/** Median milliseconds of `fn` (async), repeating until ~budget ms or `maxRuns` (at least `minRuns`). */
async function time(fn, { budget = 1500, maxRuns = 9, minRuns = 1 } = {}) {
  await fn(); // warm-up: session creation, kernel compilation, JIT
  const runs = [];
  const started = performance.now();
  while (runs.length < minRuns || (runs.length < maxRuns && performance.now() - started < budget)) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return { ms: runs[runs.length >> 1], runs: runs.length };
}

function randomTensor(seed, rows, cols, dtype) {
  const values = rng(seed).normal(rows * cols);
  return new Tensor(dtype, dtype === 'float64' ? values : Float32Array.from(values), [rows, cols]);
}

const rows = [];
function record(task, engine, ms, flops, reference) {
  rows.push({ task, engine, ms, gflops: flops ? flops / ms / 1e6 : undefined, reference });
}

async function matmulBench(np) {
  for (const dtype of ['float32', 'float64']) {
    for (const n of [256, 512, 1024]) {
      const task = `matmul ${dtype} ${n}`;
      const flops = 2 * n ** 3;
      const a = randomTensor(1, n, n, dtype);
      const b = randomTensor(2, n, n, dtype);
      // Plain JS reference: the WEIGHTLAB_ENGINE=js path (pack + 2x2-blocked float64 row dots).
      const js = await time(() => rowDotsJs(packFloat64(a, false), n, packFloat64(b, true), n, n), {
        budget: 3000,
        maxRuns: 3,
      });
      record(task, 'plain JS (float64 accumulation)', js.ms, flops, js.ms);
      const wasm = await time(() => rowDotsWasm(packFloat64(a, false), n, packFloat64(b, true), n, n), {
        budget: 3000,
        maxRuns: 5,
      });
      record(task, 'weightlab wasm (SIMD, 1 thread)', wasm.ms, flops, js.ms);
      const ort = await time(() => matmul(a, b));
      record(task, 'onnxruntime-node (2 threads)', ort.ms, flops, js.ms);
      const ja = np.array(a.data, { shape: [n, n], dtype });
      const jb = np.array(b.data, { shape: [n, n], dtype });
      const jx = await time(
        async () => {
          const c = np.matmul(ja.ref, jb.ref);
          await c.blockUntilReady();
          c.dispose();
        },
        { budget: 3000, maxRuns: 5 },
      );
      ja.dispose();
      jb.dispose();
      record(task, 'jax-js 0.1.25 (wasm, 1 thread)', jx.ms, flops, js.ms);
    }
  }
}

async function gramBench() {
  const [m, n] = [768, 3072];
  const w = randomTensor(3, m, n, 'float64');
  const flops = m * m * n; // lower triangle: half of 2 m² n
  const task = `gram float64 ${m}x${n} (W Wᵀ)`;
  const js = await time(() => rowDotsJs(packFloat64(w, false), m, packFloat64(w, false), m, n, true), {
    budget: 4000,
    maxRuns: 3,
  });
  record(task, 'plain JS (lower triangle)', js.ms, flops, js.ms);
  const wasm = await time(() => rowDotsWasm(packFloat64(w, false), m, packFloat64(w, false), m, n, true), {
    budget: 4000,
    maxRuns: 5,
  });
  record(task, 'weightlab wasm (lower triangle)', wasm.ms, flops, js.ms);
  const ort = await time(() => gram(w, { side: 'rows' }));
  record(task, 'onnxruntime-node Gemm (full)', ort.ms, 2 * flops, js.ms);
}

/** One jitted value-and-grad + Adam step of a 64-128-128-10 MLP (batch 256, float32). */
async function adamBench(module) {
  const np = module.numpy;
  const sizes = [64, 128, 128, 10];
  const batch = 256;
  const init = rng(4);
  let params = [];
  for (let l = 0; l < 3; l++) {
    params.push(
      np.array(Float32Array.from(init.normal(sizes[l] * sizes[l + 1], 0, 1 / Math.sqrt(sizes[l]))), {
        shape: [sizes[l], sizes[l + 1]],
        dtype: 'float32',
      }),
    );
    params.push(np.zeros([sizes[l + 1]], { dtype: 'float32' }));
  }
  const x = np.array(Float32Array.from(init.normal(batch * 64)), { shape: [batch, 64], dtype: 'float32' });
  const labels = Int32Array.from(init.integers(batch, 0, 10));
  const onehot = new Float32Array(batch * 10);
  labels.forEach((label, i) => {
    onehot[i * 10 + label] = 1;
  });
  const y = np.array(onehot, { shape: [batch, 10], dtype: 'float32' });
  const loss = (p, xs, ys) => {
    let h = xs;
    for (let l = 0; l < 3; l++) {
      h = np.matmul(h, p[2 * l]).add(p[2 * l + 1]);
      if (l < 2) h = np.maximum(h, 0);
    }
    const logp = module.nn.logSoftmax(h, -1);
    return np.mean(np.sum(logp.mul(ys), -1)).mul(-1);
  };
  const [b1, b2, lr, eps] = [0.9, 0.999, 1e-3, 1e-8];
  const step = module.jit((p, m, v, t, xs, ys) => {
    const [value, grads] = module.valueAndGrad(loss)(
      p.map((q) => q.ref),
      xs,
      ys,
    );
    const newP = [],
      newM = [],
      newV = [];
    const c1 = np.power(b1, t.ref).mul(-1).add(1);
    const c2 = np.power(b2, t).mul(-1).add(1);
    for (let i = 0; i < p.length; i++) {
      const mi = m[i].mul(b1).add(grads[i].ref.mul(1 - b1));
      const vi = v[i].mul(b2).add(grads[i].ref.mul(grads[i]).mul(1 - b2));
      const update = mi.ref
        .div(c1.ref)
        .div(np.sqrt(vi.ref.div(c2.ref)).add(eps))
        .mul(lr);
      newP.push(p[i].sub(update));
      newM.push(mi);
      newV.push(vi);
    }
    c1.dispose();
    c2.dispose();
    return [newP, newM, newV, value];
  });
  let m = params.map((p) => np.zerosLike(p.ref));
  let v = params.map((p) => np.zerosLike(p.ref));
  let t = 0;
  const losses = [];
  const one = async () => {
    t += 1;
    const [p2, m2, v2, value] = step(
      params,
      m,
      v,
      np.array(Float32Array.of(t), { shape: [], dtype: 'float32' }),
      x.ref,
      y.ref,
    );
    params = p2;
    m = m2;
    v = v2;
    losses.push((await value.data())[0]);
  };
  const result = await time(
    async () => {
      for (let i = 0; i < 20; i++) await one();
    },
    { budget: 3000, maxRuns: 10 },
  );
  record(
    'MLP 64-128-128-10 Adam step, batch 256',
    'jax-js jit(valueAndGrad + Adam), wasm',
    result.ms / 20,
    undefined,
    undefined,
  );
  // Sanity check that the step trains: cross-entropy on the fixed batch must fall.
  console.log(
    `Adam: loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)} over ${losses.length} steps`,
  );
}

(async () => {
  const info = weightlab.backendInfo();
  console.log(
    `node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0].model}), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(String(info));
  const module = await jax();
  const only = process.argv[2]; // optional: 'matmul', 'gram' or 'adam'
  if (!only || only === 'matmul') await matmulBench(module.numpy);
  if (!only || only === 'gram') await gramBench();
  try {
    if (!only || only === 'adam') await adamBench(module);
  } catch (error) {
    console.log(`Adam step benchmark failed: ${error.message}`);
  }
  const width = Math.max(...rows.map((r) => r.task.length));
  const engineWidth = Math.max(...rows.map((r) => r.engine.length));
  console.log(
    `\n${'task'.padEnd(width)}  ${'engine'.padEnd(engineWidth)}  ${'ms'.padStart(9)}  ${'GFLOP/s'.padStart(8)}  speed-up vs plain JS`,
  );
  for (const r of rows) {
    const ratio = r.reference ? `${(r.reference / r.ms).toFixed(1)}x` : '';
    console.log(
      `${r.task.padEnd(width)}  ${r.engine.padEnd(engineWidth)}  ${r.ms.toFixed(2).padStart(9)}  ${(r.gflops ? r.gflops.toFixed(2) : '').padStart(8)}  ${ratio}`,
    );
  }
  console.log(
    `\nload at end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other processes on a 2-core machine distort timings)`,
  );
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
