// Stage one of the two-stage symmetric tridiagonalisation: dense -> band of half-bandwidth b.
// One-stage Householder tridiagonalisation (./eigen.ts) spends half of its flops in matrix-vector
// products that stream the whole trailing matrix once per column, so it runs at memory speed once
// the matrix leaves the cache. Here each panel of b columns is QR-factored (Q = I - V T Vᵀ) and
// the trailing matrix gets the two-sided update Qᵀ A Q = A - V Wᵀ - W Vᵀ, where only two
// matrix products touch it: Y = A V and the rank-2b update, both register-blocked 4 x 4 tiles
// (8 f64x2 accumulators), so the matrix is read once per panel instead of once per column.
// Stage two (./_bulge-chasing.ts) takes the band to tridiagonal form in O(n² b).
//
// Storage: the upper triangle (with the diagonal) of the row-major n x n matrix; the lower one is
// never read or written. A panel is read from rows (its transpose), Y = A V is a symmetric product
// that takes each upper tile twice (for its rows and, transposed, for its columns), and the
// update writes upper tiles only. Against keeping both triangles valid, that halves what the
// product reads and what the update writes per panel (the two threads, or two side-by-side
// solves, share one memory bus), and the input needs no symmetrising pass.
// Work layout is a pure function of (n, b), so a second thread (eigen-parallel) can run the
// product and the update over its share of rows with nothing but (a, n, b, work, panel start).

import { multiplyAdd, multiplySubtract } from './_multiply-add';

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize { return base + (<usize>index << 3); }

// @ts-ignore: decorator
@inline function roundUp4(x: i32): i32 { return (x + 3) & ~3; }

/**
 * Doubles of work the panel functions need for an n x n matrix and half-bandwidth b (a multiple
 * of 8). The driver (lib/src/eigen/two-stage.ts) runs, for k = 0, b, 2b, ... while n - k - b >= 2:
 * bandPanelFactor, bandPanelProduct over all rows, bandPanelCorrection, bandPanelUpdate over all
 * blocks; the product and the update may be split by rows between threads.
 */
export function bandWorkSize(n: i32, b: i32): i32 {
  const np = roundUp4(n);
  return 2 * b * n + 7 * b * np + 4 * b * b + b + 16;
}

// Work areas (byte offsets), in order: Pt (b x n, the panel transposed), Vt (b x n, reflectors as
// rows), Vp (the reflectors packed as b/4 column chunks of np x 4), Y (np x b: A V, then X, then W),
// U (np x 2b rows [V_i, W_i]), Zp (np/4 tiles of 2b x 4: columns of [W V]ᵀ), T, S (b x b),
// [T; -½M] (2b x b), tau (b), Y1 (np x b: the product's second part, added to Y by the correction),
// the update's claim counter (on a cache line of its own).
// @ts-ignore: decorator
@inline function ptOf(work: usize): usize { return work; }
// @ts-ignore: decorator
@inline function vtOf(work: usize, n: i32, b: i32): usize { return work + ((<usize>b * <usize>n) << 3); }
// @ts-ignore: decorator
@inline function vpOf(work: usize, n: i32, b: i32): usize { return work + ((<usize>(2 * b) * <usize>n) << 3); }
// @ts-ignore: decorator
@inline function yOf(work: usize, n: i32, b: i32): usize { return vpOf(work, n, b) + ((<usize>b * <usize>roundUp4(n)) << 3); }
// @ts-ignore: decorator
@inline function uOf(work: usize, n: i32, b: i32): usize { return yOf(work, n, b) + ((<usize>b * <usize>roundUp4(n)) << 3); }
// @ts-ignore: decorator
@inline function zpOf(work: usize, n: i32, b: i32): usize { return uOf(work, n, b) + ((<usize>(2 * b) * <usize>roundUp4(n)) << 3); }
// @ts-ignore: decorator
@inline function tOf(work: usize, n: i32, b: i32): usize { return zpOf(work, n, b) + ((<usize>(2 * b) * <usize>roundUp4(n)) << 3); }

// @ts-ignore: decorator
@inline function y1Of(work: usize, n: i32, b: i32): usize { return tOf(work, n, b) + ((<usize>(4 * b * b + b)) << 3); }

// @ts-ignore: decorator
@inline function claimOf(work: usize, n: i32, b: i32): usize { return (y1Of(work, n, b) + ((<usize>b * <usize>roundUp4(n)) << 3) + 63) & ~(<usize>63); }

/** Byte offset of the trailing block A[k+b.., k+b..] of the panel starting at column k. */
// @ts-ignore: decorator
@inline function trailing(a: usize, n: i32, b: i32, k: i32): usize { return at(a, (k + b) * n + k + b); }

/** Σ x[t] y[t] over t in [from, to), two lanes at a time. */
export function dotRange(x: usize, y: usize, from: i32, to: i32): f64 {
  let acc = f64x2.splat(0);
  let t = from;
  for (; t + 1 < to; t += 2) acc = multiplyAdd(v128.load(at(x, t)), v128.load(at(y, t)), acc);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; t < to; t++) s += load<f64>(at(x, t)) * load<f64>(at(y, t));
  return s;
}

/** y[t] -= c x[t] over t in [from, to). */
export function axpyRange(y: usize, x: usize, c: f64, from: i32, to: i32): void {
  const sc = f64x2.splat(c);
  let t = from;
  for (; t + 1 < to; t += 2) v128.store(at(y, t), multiplySubtract(sc, v128.load(at(x, t)), v128.load(at(y, t))));
  for (; t < to; t++) store<f64>(at(y, t), load<f64>(at(y, t)) - c * load<f64>(at(x, t)));
}

/**
 * Householder reflector (LAPACK dlarfg) for the vector x[from..to): on return x[from] = beta,
 * v[from] = 1, v[from+1..to) = the reflector's tail, v zero elsewhere in [0, to); returns tau.
 * The norm is scaled by the largest entry so that squares neither overflow nor underflow.
 */
export function reflector(x: usize, v: usize, from: i32, to: i32): f64 {
  for (let t = 0; t < from; t++) store<f64>(at(v, t), 0);
  store<f64>(at(v, from), 1);
  const alpha = load<f64>(at(x, from));
  let scale: f64 = 0;
  for (let t = from + 1; t < to; t++) scale = Math.max(scale, Math.abs(load<f64>(at(x, t))));
  if (scale == 0) {
    for (let t = from + 1; t < to; t++) store<f64>(at(v, t), 0);
    return 0;
  }
  const reference = Math.max(scale, Math.abs(alpha));
  const inverseReference = 1 / reference;
  let sum: f64 = 0;
  for (let t = from + 1; t < to; t++) { const y = load<f64>(at(x, t)) * inverseReference; sum += y * y; }
  const scaled = alpha * inverseReference;
  const norm = reference * Math.sqrt(scaled * scaled + sum);
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  const inverse = 1 / (alpha - beta);
  for (let t = from + 1; t < to; t++) store<f64>(at(v, t), load<f64>(at(x, t)) * inverse);
  store<f64>(at(x, from), beta);
  return tau;
}

/**
 * Panel at column k: QR of P = A[k+b.., k..k+b) (m x b, m = n-k-b), read as the rows k..k+b of the
 * upper triangle; writes R (and zeros) back there, and prepares T (Q = I - V T Vᵀ), Vt and the
 * packed Vp for the product.
 */
export function bandPanelFactor(a: usize, n: i32, b: i32, work: usize, k: i32): void {
  const m = n - k - b;
  const pt = ptOf(work), vt = vtOf(work, n, b), vp = vpOf(work, n, b);
  const t = tOf(work, n, b);
  const tauAt = t + ((<usize>(4 * b * b)) << 3);
  const np = roundUp4(m);
  // Pt[c][r] = A[k+c][k+b+r] (= A[k+b+r][k+c]): each panel column is a piece of a row already.
  for (let c = 0; c < b; c++) memory.copy(at(pt, c * n), at(a, (k + c) * n + k + b), <usize>m << 3);
  for (let c = 0; c < b; c++) {
    const x = at(pt, c * n), v = at(vt, c * n);
    let tau: f64 = 0;
    if (c < m - 1) tau = reflector(x, v, c, m);
    else {
      for (let r = 0; r < m; r++) store<f64>(at(v, r), r == c ? 1 : 0);
    }
    store<f64>(at(tauAt, c), tau);
    if (tau != 0) {
      for (let q = c + 1; q < b; q++) {
        const y = at(pt, q * n);
        axpyRange(y, v, tau * dotRange(v, y, c, m), c, m);
      }
    }
  }
  // R (upper triangle of the factored panel) and zeros below it, as rows of A's upper triangle.
  for (let c = 0; c < b; c++) {
    const row = at(a, (k + c) * n + k + b);
    for (let r = 0; r < m; r++) store<f64>(at(row, r), r <= c ? load<f64>(at(pt, c * n + r)) : 0);
  }
  // T (dlarft, forward, columnwise): T[c][c] = tau_c, T[0..c)[c] = -tau_c T[0..c)[0..c) (V[:,0..c)ᵀ v_c).
  for (let c = 0; c < b; c++) {
    const tau = load<f64>(at(tauAt, c));
    const vc = at(vt, c * n);
    for (let q = 0; q < b; q++) store<f64>(at(t, q * b + c), 0);
    store<f64>(at(t, c * b + c), tau);
    if (tau == 0 || c >= m) continue;
    // Work column: T[q][c] <- -tau (v_q · v_c) first, then multiplied by the leading triangle in place.
    for (let q = 0; q < c; q++) store<f64>(at(t, q * b + c), -tau * dotRange(at(vt, q * n), vc, c, m));
    for (let q = 0; q < c; q++) {
      let s: f64 = 0;
      for (let p = q; p < c; p++) s += load<f64>(at(t, q * b + p)) * load<f64>(at(t, p * b + c));
      store<f64>(at(t, q * b + c), s);
    }
  }
  // V row by row into U's first half (U[i] = [V[i], W[i]], rows up to np zero-padded by the correction).
  const u = uOf(work, n, b), width = 2 * b;
  for (let j = 0; j < m; j++) {
    const uRow = at(u, j * width);
    for (let c = 0; c < b; c++) store<f64>(at(uRow, c), load<f64>(at(vt, c * n + j)));
  }
  // Vp: chunk C holds rows j of V's columns 4C..4C+3, contiguous per row; rows up to np zero-padded.
  for (let chunk = 0; chunk < b; chunk += 4) {
    const base = vp + ((<usize>chunk * <usize>np) << 3);
    for (let j = 0; j < np; j++) {
      for (let c = 0; c < 4; c++) store<f64>(at(base, j * 4 + c), j < m ? load<f64>(at(vt, (chunk + c) * n + j)) : 0);
    }
  }
}

/**
 * out[r][0..4) += Σ_t row_r[t] panel[t][0..4) for the four rows row_r = first + r rowBytes over
 * `bytes` / 8 columns, with the panel packed as 4 values per column: 8 f64x2 sums in registers
 * (4 splatted row values times 2 panel vectors per column). The inner tile of the panel product
 * (pass A below) and of the wasm Gram kernel (./eigen.ts gramUpper).
 */
// @ts-ignore: decorator
@inline export function addFourRowsTimesPanel(first: usize, rowBytes: usize, panel: usize, bytes: usize, out: usize, outRowBytes: usize): void {
  const a0 = first, a1 = a0 + rowBytes, a2 = a1 + rowBytes, a3 = a2 + rowBytes;
  let pointer = panel;
  let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
  let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
  for (let t: usize = 0; t < bytes; t += 8) {
    const v0 = v128.load(pointer), v1 = v128.load(pointer, 16);
    const x0 = v128.load64_splat(a0 + t), x1 = v128.load64_splat(a1 + t);
    s00 = multiplyAdd(x0, v0, s00); s01 = multiplyAdd(x0, v1, s01);
    s10 = multiplyAdd(x1, v0, s10); s11 = multiplyAdd(x1, v1, s11);
    const x2 = v128.load64_splat(a2 + t), x3 = v128.load64_splat(a3 + t);
    s20 = multiplyAdd(x2, v0, s20); s21 = multiplyAdd(x2, v1, s21);
    s30 = multiplyAdd(x3, v0, s30); s31 = multiplyAdd(x3, v1, s31);
    pointer += 32;
  }
  const o0 = out, o1 = o0 + outRowBytes, o2 = o1 + outRowBytes, o3 = o2 + outRowBytes;
  v128.store(o0, f64x2.add(v128.load(o0), s00)); v128.store(o0, f64x2.add(v128.load(o0, 16), s01), 16);
  v128.store(o1, f64x2.add(v128.load(o1), s10)); v128.store(o1, f64x2.add(v128.load(o1, 16), s11), 16);
  v128.store(o2, f64x2.add(v128.load(o2), s20)); v128.store(o2, f64x2.add(v128.load(o2, 16), s21), 16);
  v128.store(o3, f64x2.add(v128.load(o3), s30)); v128.store(o3, f64x2.add(v128.load(o3, 16), s31), 16);
}

/**
 * Part `part` (0: into Y, 1: into Y1) of Y = A22 V (A22 = trailing block, m x m, upper triangle;
 * V = panel reflectors, m x b): the contributions of the upper tiles in 4-row blocks
 * [blockBegin, blockEnd). Each off-diagonal tile (I, J) adds A_IJ V_J to Y_I (pass A, as a row
 * times the panel) and A_IJᵀ V_I to Y_J (pass B); diagonal tiles add their symmetric 4 x 4 block.
 * The part's buffer is zeroed first; the correction adds Y1 to Y. A thread runs a part; with a
 * fixed split of the blocks (the driver's), one thread or two give the same sums in the same order.
 */
export function bandPanelProduct(a: usize, n: i32, b: i32, work: usize, k: i32, blockBegin: i32, blockEnd: i32, part: i32): void {
  const m = n - k - b;
  const np = roundUp4(m);
  const a22 = trailing(a, n, b, k);
  const vp = vpOf(work, n, b);
  const y = part == 0 ? yOf(work, n, b) : y1Of(work, n, b);
  memory.fill(y, 0, (<usize>np * <usize>b) << 3);
  const rowBytes = <usize>n << 3;
  const stride = <usize>b << 3;
  for (let block = blockBegin; block < blockEnd; block++) {
    const i = block << 2;
    const rows = min(4, m - i);
    // Diagonal tile: its symmetric block from the upper triangle, element by element.
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < rows; c++) {
        const value = c >= r ? load<f64>(at(a22, (i + r) * n + i + c)) : load<f64>(at(a22, (i + c) * n + i + r));
        const splat = f64x2.splat(value);
        for (let chunk = 0; chunk < b; chunk += 4) {
          const v = vp + ((<usize>chunk * <usize>np + <usize>(i + c) * 4) << 3);
          const out = at(y, (i + r) * b + chunk);
          v128.store(out, multiplyAdd(splat, v128.load(v), v128.load(out)));
          v128.store(out, multiplyAdd(splat, v128.load(v, 16), v128.load(out, 16)), 16);
        }
      }
    }
    const from = i + 4;
    if (from >= m) continue; // the last block (rows < 4 only here) has no tile right of the diagonal
    const a0 = a22 + <usize>i * rowBytes, a1 = a0 + rowBytes, a2 = a1 + rowBytes, a3 = a2 + rowBytes;
    for (let chunk = 0; chunk < b; chunk += 4) {
      const chunkBase = vp + ((<usize>chunk * <usize>np) << 3);
      // Pass A: Y_I += A[i..i+4, from..m) V[from..m), four rows times the panel chunk.
      const begin = <usize>from << 3, end = <usize>m << 3;
      addFourRowsTimesPanel(a0 + begin, rowBytes, chunkBase + ((<usize>from * 4) << 3), end - begin, at(y, i * b + chunk), stride);
      // Pass B: Y_j += Σ_r A[i+r][j] V[i+r] for j in [from, m): the same rows, transposed.
      const vi = chunkBase + ((<usize>i * 4) << 3);
      const p00 = v128.load(vi), p01 = v128.load(vi, 16), p10 = v128.load(vi, 32), p11 = v128.load(vi, 48);
      const p20 = v128.load(vi, 64), p21 = v128.load(vi, 80), p30 = v128.load(vi, 96), p31 = v128.load(vi, 112);
      let target = at(y, from * b + chunk);
      for (let j: usize = begin; j < end; j += 8) {
        const x0 = v128.load64_splat(a0 + j), x1 = v128.load64_splat(a1 + j);
        const x2 = v128.load64_splat(a2 + j), x3 = v128.load64_splat(a3 + j);
        let t0 = v128.load(target), t1 = v128.load(target, 16);
        t0 = multiplyAdd(x0, p00, t0); t1 = multiplyAdd(x0, p01, t1);
        t0 = multiplyAdd(x1, p10, t0); t1 = multiplyAdd(x1, p11, t1);
        t0 = multiplyAdd(x2, p20, t0); t1 = multiplyAdd(x2, p21, t1);
        t0 = multiplyAdd(x3, p30, t0); t1 = multiplyAdd(x3, p31, t1);
        v128.store(target, t0); v128.store(target, t1, 16);
        target += stride;
      }
    }
  }
}

/**
 * From Y = A22 V (m x b): W = X - ½ V M with X = Y T and M = Tᵀ Vᵀ X = Tᵀ (Vᵀ Y) T, i.e. one pass
 * W[i] = Y[i] T + V[i] (-½ M) once the small b x b matrix M is known. W goes into U's second half
 * (U[i] = [V[i], W[i]]) and into Zp (Zp[J][k][c] = Z[4J+c][k], Z[j] = [W[j], V[j]]), zero-padded.
 */
export function bandPanelCorrection(n: i32, b: i32, work: usize, k: i32): void {
  const m = n - k - b;
  const np = roundUp4(m);
  const y = yOf(work, n, b), u = uOf(work, n, b), zp = zpOf(work, n, b);
  const t = tOf(work, n, b), s = t + ((<usize>(b * b)) << 3), stacked = s + ((<usize>(b * b)) << 3); // [T; -½M], 2b x b
  const width = 2 * b;
  const uRowBytes = <usize>width << 3, yRowBytes = <usize>b << 3;
  // Y = Y + Y1: the product's two parts.
  const y1 = y1Of(work, n, b);
  for (let t = 0; t < np * b; t += 2) v128.store(at(y, t), f64x2.add(v128.load(at(y, t)), v128.load(at(y1, t))));
  // S = Vᵀ Y in 4 x 4 tiles (symmetric: tiles on and above the diagonal, mirrored).
  for (let p = 0; p < b; p += 4) {
    for (let c = p; c < b; c += 4) {
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
      let vRow = at(u, p), yRow = at(y, c);
      for (let i = 0; i < m; i++) {
        const y0 = v128.load(yRow), y1 = v128.load(yRow, 16);
        const x0 = v128.load64_splat(vRow), x1 = v128.load64_splat(vRow, 8);
        s00 = multiplyAdd(x0, y0, s00); s01 = multiplyAdd(x0, y1, s01);
        s10 = multiplyAdd(x1, y0, s10); s11 = multiplyAdd(x1, y1, s11);
        const x2 = v128.load64_splat(vRow, 16), x3 = v128.load64_splat(vRow, 24);
        s20 = multiplyAdd(x2, y0, s20); s21 = multiplyAdd(x2, y1, s21);
        s30 = multiplyAdd(x3, y0, s30); s31 = multiplyAdd(x3, y1, s31);
        vRow += uRowBytes; yRow += yRowBytes;
      }
      const out = at(s, p * b + c), stride = <usize>b << 3;
      v128.store(out, s00); v128.store(out, s01, 16);
      v128.store(out + stride, s10); v128.store(out + stride, s11, 16);
      v128.store(out + 2 * stride, s20); v128.store(out + 2 * stride, s21, 16);
      v128.store(out + 3 * stride, s30); v128.store(out + 3 * stride, s31, 16);
    }
  }
  for (let p = 0; p < b; p++) for (let c = 0; c < p; c++) store<f64>(at(s, p * b + c), load<f64>(at(s, c * b + p)));
  // stacked = [T; -½ Tᵀ S T]; the lower half is built via G = S T in the upper half's place first.
  const lower = at(stacked, b * b);
  for (let p = 0; p < b; p++) {
    for (let c = 0; c < b; c++) {
      let g: f64 = 0;
      for (let q = 0; q <= c; q++) g += load<f64>(at(s, p * b + q)) * load<f64>(at(t, q * b + c));
      store<f64>(at(stacked, p * b + c), g);
    }
  }
  for (let p = 0; p < b; p++) {
    for (let c = 0; c < b; c++) {
      let h: f64 = 0;
      for (let q = 0; q <= p; q++) h += load<f64>(at(t, q * b + p)) * load<f64>(at(stacked, q * b + c));
      store<f64>(at(lower, p * b + c), -0.5 * h);
    }
  }
  memory.copy(stacked, t, <usize>(b * b) << 3);
  // W[i] = [Y[i], V[i]] · stacked, 8 columns (4 accumulators) at a time.
  for (let i = 0; i < np; i++) {
    const uRow = at(u, i * width);
    const tile = zp + ((<usize>((i >> 2) * width * 4)) << 3);
    const lane = i & 3;
    if (i >= m) {
      for (let c = 0; c < width; c++) { store<f64>(at(uRow, c), 0); store<f64>(at(tile, c * 4 + lane), 0); }
      continue;
    }
    const yRow = at(y, i * b), wRow = at(uRow, b);
    for (let c = 0; c < b; c += 8) {
      let w0 = f64x2.splat(0), w1 = f64x2.splat(0), w2 = f64x2.splat(0), w3 = f64x2.splat(0);
      let q = at(stacked, c);
      for (let p = 0; p < b; p++) {
        const x = v128.load64_splat(at(yRow, p));
        w0 = multiplyAdd(x, v128.load(q), w0); w1 = multiplyAdd(x, v128.load(q, 16), w1);
        w2 = multiplyAdd(x, v128.load(q, 32), w2); w3 = multiplyAdd(x, v128.load(q, 48), w3);
        q += yRowBytes;
      }
      for (let p = 0; p < b; p++) {
        const x = v128.load64_splat(at(uRow, p));
        w0 = multiplyAdd(x, v128.load(q), w0); w1 = multiplyAdd(x, v128.load(q, 16), w1);
        w2 = multiplyAdd(x, v128.load(q, 32), w2); w3 = multiplyAdd(x, v128.load(q, 48), w3);
        q += yRowBytes;
      }
      const out = at(wRow, c);
      v128.store(out, w0); v128.store(out, w1, 16); v128.store(out, w2, 32); v128.store(out, w3, 48);
    }
    for (let c = 0; c < b; c++) {
      store<f64>(at(tile, c * 4 + lane), load<f64>(at(wRow, c)));
      store<f64>(at(tile, (b + c) * 4 + lane), load<f64>(at(uRow, c)));
    }
  }
}

/**
 * Row blocks [blockBegin, blockEnd) (4 rows each) of the rank-2b update A22 -= U Zᵀ = V Wᵀ + W Vᵀ
 * (U = [V W], Z = [W V]) on the upper triangle: tiles on and right of the diagonal.
 */
export function bandPanelUpdate(a: usize, n: i32, b: i32, work: usize, k: i32, blockBegin: i32, blockEnd: i32): void {
  const m = n - k - b;
  const a22 = trailing(a, n, b, k);
  const zp = zpOf(work, n, b);
  const width = 2 * b;
  const blocks = roundUp4(m) >> 2;
  const rowBytes = <usize>n << 3;
  const tileBytes = <usize>(width * 4) << 3, halfBytes = <usize>(b * 4) << 3;
  for (let block = blockBegin; block < blockEnd; block++) {
    const i = block << 2;
    // Zp holds [W V] of 4 rows interleaved per depth step; U = [V W] is the same with its halves
    // swapped, so the row operand is read from Zp too: 4 splats at fixed offsets from one pointer.
    const rowTile = zp + <usize>block * tileBytes;
    for (let column = block; column < blocks; column++) {
      const j = column << 2;
      const columnTile = zp + <usize>column * tileBytes;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
      for (let half = 0; half < 2; half++) {
        let z = columnTile + (half == 0 ? 0 : halfBytes);
        let x = rowTile + (half == 0 ? halfBytes : 0);
        const end = z + halfBytes;
        for (; z < end; z += 32) {
          const z0 = v128.load(z), z1 = v128.load(z, 16);
          const x0 = v128.load64_splat(x), x1 = v128.load64_splat(x, 8);
          s00 = multiplyAdd(x0, z0, s00); s01 = multiplyAdd(x0, z1, s01);
          s10 = multiplyAdd(x1, z0, s10); s11 = multiplyAdd(x1, z1, s11);
          const x2 = v128.load64_splat(x, 16), x3 = v128.load64_splat(x, 24);
          s20 = multiplyAdd(x2, z0, s20); s21 = multiplyAdd(x2, z1, s21);
          s30 = multiplyAdd(x3, z0, s30); s31 = multiplyAdd(x3, z1, s31);
          x += 32;
        }
      }
      if (column != block && j + 3 < m) {
        // Interior tile: 4 x 4 with vector stores.
        const r0 = a22 + <usize>i * rowBytes + (<usize>j << 3), r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
        const n00 = f64x2.sub(v128.load(r0), s00), n01 = f64x2.sub(v128.load(r0, 16), s01);
        const n10 = f64x2.sub(v128.load(r1), s10), n11 = f64x2.sub(v128.load(r1, 16), s11);
        const n20 = f64x2.sub(v128.load(r2), s20), n21 = f64x2.sub(v128.load(r2, 16), s21);
        const n30 = f64x2.sub(v128.load(r3), s30), n31 = f64x2.sub(v128.load(r3, 16), s31);
        v128.store(r0, n00); v128.store(r0, n01, 16);
        v128.store(r1, n10); v128.store(r1, n11, 16);
        v128.store(r2, n20); v128.store(r2, n21, 16);
        v128.store(r3, n30); v128.store(r3, n31, 16);
        continue;
      }
      // Diagonal or edge tile: element by element, upper part only.
      for (let r = 0; r < 4; r++) {
        const row = i + r;
        if (row >= m) break;
        const lo = r == 0 ? s00 : r == 1 ? s10 : r == 2 ? s20 : s30;
        const hi = r == 0 ? s01 : r == 1 ? s11 : r == 2 ? s21 : s31;
        for (let c = 0; c < 4; c++) {
          const col = j + c;
          if (col >= m) break;
          if (col < row) continue;
          const delta = c == 0 ? f64x2.extract_lane(lo, 0) : c == 1 ? f64x2.extract_lane(lo, 1) : c == 2 ? f64x2.extract_lane(hi, 0) : f64x2.extract_lane(hi, 1);
          const p = at(a22, row * n + col);
          const value = load<f64>(p) - delta;
          store<f64>(p, value);
        }
      }
    }
  }
}

/** Sets the update's claim counter to `first`, the next block row bandPanelUpdateClaimed hands out. */
export function bandPanelClaimReset(n: i32, b: i32, work: usize, first: i32): void {
  atomic.store<i32>(claimOf(work, n, b), first);
}

/**
 * Block rows of the rank-2b update, claimed `chunk` at a time from the counter in `work` until
 * `blockEnd`: two threads share the update by how fast each one runs rather than by a fixed split,
 * so a core slowed by another process (or by main factoring the next panel) costs its partner no
 * waiting. Tiles are independent, so the result does not depend on who computed which.
 */
export function bandPanelUpdateClaimed(a: usize, n: i32, b: i32, work: usize, k: i32, blockEnd: i32, chunk: i32): void {
  const counter = claimOf(work, n, b);
  for (;;) {
    const begin = atomic.add<i32>(counter, chunk);
    if (begin >= blockEnd) return;
    bandPanelUpdate(a, n, b, work, k, begin, min(blockEnd, begin + chunk));
  }
}

/** Number of 4-row blocks of the trailing matrix of the panel at column k. */
export function bandPanelBlocks(n: i32, b: i32, k: i32): i32 { return roundUp4(n - k - b) >> 2; }
