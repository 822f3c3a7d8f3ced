// The O(n²) part of WeightWatcher's power-law fit (lib/src/spectral/powerlaw.ts, fitPowerLaw): the
// KS distance D of every candidate xmin, D_i = max_j |1 - (x_{i+j}/x_i)^(1-alpha_i) - j/n_i|, two
// j at a time with a vector exp. In plain JS each term's Math.exp costs ~17 ns, which made the fit
// of a 768-eigenvalue layer about 5 ms (a tenth of analyze() on a GPT-2 block).
// Memory contract as every kernel here (lib/src/backend/wasm.ts): byte offsets in, no allocation.

import { multiplyAdd } from './_multiply-add';

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize { return base + (<usize>index << 3); }

const LOG2E: f64 = 1.4426950408889634;
// ln 2 split so that k * LN2_HIGH is exact for |k| < 2^11 (fdlibm's constants).
const LN2_HIGH: f64 = 6.93147180369123816490e-01;
const LN2_LOW: f64 = 1.90821492927058770002e-10;
/** Below this exp(x) would leave the normal range; every x here that small stands for 0 (exp <= 2.3e-308). */
const LOWEST: f64 = -708;

/**
 * exp(x) lane-wise for x in [LOWEST, 0] (larger x are fine up to 709): x = k ln 2 + r with
 * |r| <= ln 2 / 2, exp(r) by its Taylor series to r^13 (truncation below 5e-18 relative), times 2^k
 * built in the exponent bits. Within 2 ulp of the correctly rounded value.
 */
// @ts-ignore: decorator
@inline function exp2(x0: v128): v128 {
  const x = f64x2.max(x0, f64x2.splat(LOWEST));
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  let r = multiplyAdd(f64x2.neg(k), f64x2.splat(LN2_HIGH), x);
  r = multiplyAdd(f64x2.neg(k), f64x2.splat(LN2_LOW), r);
  let p = f64x2.splat(1.0 / 6227020800.0); // 1/13!
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 479001600.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 39916800.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 3628800.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 362880.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 40320.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 5040.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 720.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 120.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 24.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0 / 6.0));
  p = multiplyAdd(p, r, f64x2.splat(0.5));
  p = multiplyAdd(p, r, f64x2.splat(1.0));
  p = multiplyAdd(p, r, f64x2.splat(1.0));
  // 2^k: k (|k| <= 1022 here) into the exponent field of a double.
  const exponent = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k)), i64x2.splat(1023)), 52);
  return f64x2.mul(p, exponent);
}

/**
 * For i in [0, count - 1): distances[i] = max over j in [0, n) of |1 - exp((1 - alpha_i)(logs[i+j] - logs[i])) - j / n|
 * (j / n taken as j * (1 / n))
 * with n = count - i, when alphas[i] > 1; 1 otherwise (WeightWatcher's initial value). `logs` holds
 * the logs of the ascending data (count doubles), `alphas` and `distances` count - 1 doubles.
 */
export function ksDistances(logs: usize, count: i32, alphas: usize, distances: usize): void {
  for (let i = 0; i < count - 1; i++) {
    const alpha = load<f64>(at(alphas, i));
    if (!(alpha > 1)) { store<f64>(at(distances, i), 1); continue; }
    const n = count - i;
    const exponent = f64x2.splat(1 - alpha);
    const base = f64x2.splat(load<f64>(at(logs, i)));
    const step = f64x2.splat(1 / <f64>n); // j / n as j * (1 / n): within an ulp, and no division per term
    const one = f64x2.splat(1);
    let index = f64x2(0, 1);
    const two = f64x2.splat(2);
    let largest = f64x2.splat(0);
    const tail = at(logs, i);
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const power = exp2(f64x2.mul(exponent, f64x2.sub(v128.load(at(tail, j)), base)));
      const gap = f64x2.abs(f64x2.sub(f64x2.sub(one, power), f64x2.mul(index, step)));
      largest = f64x2.max(largest, gap);
      index = f64x2.add(index, two);
    }
    let d = max(f64x2.extract_lane(largest, 0), f64x2.extract_lane(largest, 1));
    if (j < n) {
      const power = exp2(f64x2.mul(exponent, f64x2.sub(f64x2.splat(load<f64>(at(tail, j))), base)));
      const gap = Math.abs(1 - f64x2.extract_lane(power, 0) - <f64>j * (1 / <f64>n));
      d = max(d, gap);
    }
    store<f64>(at(distances, i), d);
  }
}
