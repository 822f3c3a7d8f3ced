// Fused multiply-add for the f64x2 hot loops. Every kernel is built twice (lib/scripts/build-wasm.js):
// with plain SIMD, where these are a multiply and an add (two roundings), and with relaxed SIMD,
// where they are one f64x2.relaxed_madd: a single FMA instruction on x86 CPUs with FMA3 and on
// arm64. Measured in the band reduction's 4 x 4 tiles on the project's machine (AMD EPYC, Node 20):
// 18 -> 25 GFLOP/s per core for the panel product, 14 -> 18 for the rank-2b update. Relaxed SIMD
// lets the engine pick fused or unfused per machine; on one machine the choice is fixed, so results
// are reproducible there, and the algorithms are backward stable either way.

/** a * b + c, lane-wise. */
// @ts-ignore: decorator
@inline export function multiplyAdd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<f64>(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** c - a * b, lane-wise. */
// @ts-ignore: decorator
@inline export function multiplySubtract(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_nmadd<f64>(a, b, c);
  return f64x2.sub(c, f64x2.mul(a, b));
}
