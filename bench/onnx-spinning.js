#!/usr/bin/env node
// Benchmark (not a test) behind the backend's choice to let onnxruntime's intra-op threads sleep
// between products (session option allow_spinning = 0): the same f32 matmul session with and
// without spinning, for a chain of products and for products interleaved with 5 ms of JavaScript
// (what weightlab's pipelines do: a product, then JS work on its result). Prints ms per round.
// Usage (after `npm run build`): node bench/onnx-spinning.js
const ort = require('onnxruntime-node');
const { encodeModel, ONNX_ELEMENT_TYPE, matmulGraph } = require('weightlab/dist/backend/onnx/model');
const { rng } = require('weightlab/internal');
async function make(spin) {
  return ort.InferenceSession.create(encodeModel(matmulGraph(false, false), ONNX_ELEMENT_TYPE.float32), {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  });
}
function jsWork() {
  let s = 0;
  for (let i = 0; i < 2e6; i++) s += Math.sqrt(i);
  return s;
}
(async () => {
  const sessions = { spin: await make(true), nospin: await make(false) };
  for (const n of [64, 256, 1024]) {
    const a = new ort.Tensor('float32', Float32Array.from(rng(1).normal(n * n)), [n, n]);
    const feeds = Object.fromEntries(sessions.spin.inputNames.map((name) => [name, a]));
    for (const round of [0, 1])
      for (const [name, s] of Object.entries(sessions)) {
        const reps = n === 1024 ? 20 : 200;
        await s.run(feeds);
        let t0 = performance.now();
        for (let i = 0; i < reps; i++) await s.run(feeds);
        const chain = (performance.now() - t0) / reps;
        t0 = performance.now();
        for (let i = 0; i < 20; i++) {
          await s.run(feeds);
          jsWork();
        }
        const mixed = (performance.now() - t0) / 20;
        if (round)
          console.log(
            `n=${n} ${name.padEnd(6)} chain ${chain.toFixed(3)} ms/product, product+JS ${mixed.toFixed(2)} ms`,
          );
      }
  }
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) jsWork();
  console.log('JS alone', ((performance.now() - t0) / 20).toFixed(2), 'ms');
})();
