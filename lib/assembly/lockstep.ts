// Lockstep MLP and small-CNN training kernels: same-shaped models side by side in 128-bit vectors, one model per
// lane: two per f64x2 vector (float64, bit-identical to trainNetwork) or four per f32x4 (float32
// training). Every array of a "pack" of models is lane-interleaved (element e of lane l at
// lanes * e + l, so element vectors are 16 bytes apart for either type),
// and each lane runs exactly the scalar operations of lib/src/train/kernels.ts in the same order
// (a multiply then an add, never a fused multiply-add, no reassociated sums), so a model trained
// in a float64 pack gets the same bits as trainNetwork alone (f32 lanes may fuse: productAdd). Speed comes from two (four) models
// per instruction, independent outputs computed side by side in registers (more chains in
// flight, same order per element) and no per-call dispatch. Driven by lib/src/train/lockstep.ts.
//
// Memory contract (see lib/src/backend/wasm.ts): no allocation here; JS passes byte offsets of
// 16-byte-aligned pack arrays. Offsets below are in element vectors (16 bytes each).

// @ts-ignore: decorator
@inline function at(base: usize, element: i32): usize {
  return base + (<usize>element << 4);
}

/**
 * s + x * y per lane: for f64 lanes a multiply then an add (two roundings, the JS loops' bits); for
 * f32 lanes in the relaxed-SIMD build one fused multiply-add where the engine has it (FMA3, arm64),
 * which float32 training may take: its results must not depend on the group, and they do not
 * (every lane does the same operations), but they are not the float64 path's bits anyway.
 */
// @ts-ignore: decorator
@inline function productAdd<T>(s: v128, x: v128, y: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && sizeof<T>() == 4) return v128.relaxed_madd<f32>(x, y, s);
  return v128.add<T>(s, v128.mul<T>(x, y));
}

/**
 * out[i, j] = b[j] + sum_k a[i, k] W[j, k] (k ascending, per lane): W dout x din, b dout, a n x din.
 * Two rows by four columns per pass: eight independent sums, each in the scalar order.
 */
// @ts-ignore: decorator
@inline function affine<T>(a: usize, n: i32, din: i32, w: usize, b: usize, dout: i32, out: usize, withBias: i32): void {
  const zero = v128.splat<T>(<T>0);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a0 = at(a, i * din), a1 = at(a, (i + 1) * din);
    const o0 = at(out, i * dout), o1 = at(out, (i + 1) * dout);
    let j = 0;
    for (; j + 3 < dout; j += 4) {
      const w0 = at(w, j * din), w1 = at(w, (j + 1) * din), w2 = at(w, (j + 2) * din), w3 = at(w, (j + 3) * din);
      const b0 = withBias ? v128.load(at(b, j)) : zero, b1 = withBias ? v128.load(at(b, j + 1)) : zero;
      const b2 = withBias ? v128.load(at(b, j + 2)) : zero, b3 = withBias ? v128.load(at(b, j + 3)) : zero;
      let s00 = b0, s01 = b1, s02 = b2, s03 = b3;
      let s10 = b0, s11 = b1, s12 = b2, s13 = b3;
      for (let k = 0; k < din; k++) {
        const o = <usize>k << 4;
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        const y0 = v128.load(w0 + o), y1 = v128.load(w1 + o), y2 = v128.load(w2 + o), y3 = v128.load(w3 + o);
        s00 = productAdd<T>(s00, x0, y0); s01 = productAdd<T>(s01, x0, y1);
        s02 = productAdd<T>(s02, x0, y2); s03 = productAdd<T>(s03, x0, y3);
        s10 = productAdd<T>(s10, x1, y0); s11 = productAdd<T>(s11, x1, y1);
        s12 = productAdd<T>(s12, x1, y2); s13 = productAdd<T>(s13, x1, y3);
      }
      v128.store(at(o0, j), s00); v128.store(at(o0, j + 1), s01); v128.store(at(o0, j + 2), s02); v128.store(at(o0, j + 3), s03);
      v128.store(at(o1, j), s10); v128.store(at(o1, j + 1), s11); v128.store(at(o1, j + 2), s12); v128.store(at(o1, j + 3), s13);
    }
    for (; j < dout; j++) {
      const wj = at(w, j * din);
      let s0 = withBias ? v128.load(at(b, j)) : zero;
      let s1 = s0;
      for (let k = 0; k < din; k++) {
        const y = v128.load(at(wj, k));
        s0 = productAdd<T>(s0, v128.load(at(a0, k)), y);
        s1 = productAdd<T>(s1, v128.load(at(a1, k)), y);
      }
      v128.store(at(o0, j), s0);
      v128.store(at(o1, j), s1);
    }
  }
  for (; i < n; i++) {
    const ai = at(a, i * din);
    const oi = at(out, i * dout);
    for (let j = 0; j < dout; j++) {
      const wj = at(w, j * din);
      let s = withBias ? v128.load(at(b, j)) : zero;
      for (let k = 0; k < din; k++) s = productAdd<T>(s, v128.load(at(ai, k)), v128.load(at(wj, k)));
      v128.store(at(oi, j), s);
    }
  }
}

/** out = z > 0 ? z : +0 per element (as the JS ternary: -0 and NaN give +0). */
// @ts-ignore: decorator
@inline function relu<T>(z: usize, count: i32, out: usize): void {
  const zero = v128.splat<T>(<T>0);
  for (let e = 0; e < count; e++) {
    const v = v128.load(at(z, e));
    v128.store(at(out, e), v128.and(v, v128.gt<T>(v, zero)));
  }
}

/** out = back * (z > 0 ? 1 : 0): the ReLU slope times the back-projected gradient. */
// @ts-ignore: decorator
@inline function reluBackward<T>(back: usize, z: usize, count: i32, out: usize): void {
  const zero = v128.splat<T>(<T>0);
  const one = v128.splat<T>(<T>1);
  for (let e = 0; e < count; e++) {
    const slope = v128.and(one, v128.gt<T>(v128.load(at(z, e)), zero));
    v128.store(at(out, e), v128.mul<T>(v128.load(at(back, e)), slope));
  }
}

/**
 * grad[b] += column sums of g (rows ascending), then grad[W] += g^T a, each element summed over
 * rows ascending as in the JS loop, held in a register across the rows (four columns k at a time:
 * four independent chains, one load per term). The JS loop skips a zero g[i, j]; adding 0 * a
 * instead leaves every element's bits unchanged while a is finite (the sum starts at +0 and
 * x + (+-0) = x), so the lanes need no branch.
 */
/** Element vectors of `a` per row block of accumulate (16 KiB vectors: 256 KiB, within L2). */
const BLOCK_ELEMENTS: i32 = 16384;

// @ts-ignore: decorator
@inline function accumulate<T>(g: usize, n: i32, dout: i32, a: usize, din: i32, gw: usize, gb: usize): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dout; j++) {
      const p = at(gb, j);
      v128.store(p, v128.add<T>(v128.load(p), v128.load(at(g, i * dout + j))));
    }
  }
  // Rows in blocks whose slice of `a` stays in cache while every (j, k) sum passes over it; a sum
  // is stored after one block and reloaded for the next, so each element still adds rows in order.
  const rowStride = <usize>din << 4;
  const block = max(4, BLOCK_ELEMENTS / max(din, 1));
  for (let first = 0; first < n; first += block) {
    const last = min(n, first + block);
    let j = 0;
    // two outputs j at a time share the loads of a: eight chains per pass
    for (; j + 1 < dout; j += 2) {
      const w0 = at(gw, j * din), w1 = at(gw, (j + 1) * din);
      let k = 0;
      for (; k + 3 < din; k += 4) {
        const p = at(w0, k), q = at(w1, k);
        let s0 = v128.load(p), s1 = v128.load(p + 16), s2 = v128.load(p + 32), s3 = v128.load(p + 48);
        let t0 = v128.load(q), t1 = v128.load(q + 16), t2 = v128.load(q + 32), t3 = v128.load(q + 48);
        let x = at(a, first * din + k);
        let gi = at(g, first * dout + j);
        for (let i = first; i < last; i++) {
          const g0 = v128.load(gi), g1 = v128.load(gi + 16);
          const x0 = v128.load(x), x1 = v128.load(x + 16), x2 = v128.load(x + 32), x3 = v128.load(x + 48);
          s0 = productAdd<T>(s0, g0, x0); s1 = productAdd<T>(s1, g0, x1);
          s2 = productAdd<T>(s2, g0, x2); s3 = productAdd<T>(s3, g0, x3);
          t0 = productAdd<T>(t0, g1, x0); t1 = productAdd<T>(t1, g1, x1);
          t2 = productAdd<T>(t2, g1, x2); t3 = productAdd<T>(t3, g1, x3);
          x += rowStride;
          gi += <usize>dout << 4;
        }
        v128.store(p, s0); v128.store(p + 16, s1); v128.store(p + 32, s2); v128.store(p + 48, s3);
        v128.store(q, t0); v128.store(q + 16, t1); v128.store(q + 32, t2); v128.store(q + 48, t3);
      }
      for (; k < din; k++) {
        const p = at(w0, k), q = at(w1, k);
        let s = v128.load(p), t = v128.load(q);
        for (let i = first; i < last; i++) {
          const x = v128.load(at(a, i * din + k));
          s = productAdd<T>(s, v128.load(at(g, i * dout + j)), x);
          t = productAdd<T>(t, v128.load(at(g, i * dout + j + 1)), x);
        }
        v128.store(p, s);
        v128.store(q, t);
      }
    }
    for (; j < dout; j++) {
      const wj = at(gw, j * din);
      let k = 0;
      for (; k + 3 < din; k += 4) {
        const p = at(wj, k);
        let s0 = v128.load(p), s1 = v128.load(p + 16), s2 = v128.load(p + 32), s3 = v128.load(p + 48);
        let x = at(a, first * din + k);
        for (let i = first; i < last; i++) {
          const gij = v128.load(at(g, i * dout + j));
          s0 = productAdd<T>(s0, gij, v128.load(x));
          s1 = productAdd<T>(s1, gij, v128.load(x + 16));
          s2 = productAdd<T>(s2, gij, v128.load(x + 32));
          s3 = productAdd<T>(s3, gij, v128.load(x + 48));
          x += rowStride;
        }
        v128.store(p, s0); v128.store(p + 16, s1); v128.store(p + 32, s2); v128.store(p + 48, s3);
      }
      for (; k < din; k++) {
        const p = at(wj, k);
        let s = v128.load(p);
        for (let i = first; i < last; i++) s = productAdd<T>(s, v128.load(at(g, i * dout + j)), v128.load(at(a, i * din + k)));
        v128.store(p, s);
      }
    }
  }
}

/**
 * out[i, k] = sum_j g[i, j] W[j, k], j ascending from +0 per element (as backProject after its
 * fill), four columns k at a time in registers.
 */
// @ts-ignore: decorator
@inline function backProject<T>(g: usize, n: i32, dout: i32, w: usize, din: i32, out: usize): void {
  const rowStride = <usize>din << 4;
  const zero = v128.splat<T>(<T>0);
  for (let i = 0; i < n; i++) {
    const oi = at(out, i * din);
    const gi = at(g, i * dout);
    let k = 0;
    for (; k + 3 < din; k += 4) {
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      let wk = at(w, k);
      for (let j = 0; j < dout; j++) {
        const gij = v128.load(at(gi, j));
        s0 = productAdd<T>(s0, gij, v128.load(wk));
        s1 = productAdd<T>(s1, gij, v128.load(wk + 16));
        s2 = productAdd<T>(s2, gij, v128.load(wk + 32));
        s3 = productAdd<T>(s3, gij, v128.load(wk + 48));
        wk += rowStride;
      }
      const p = at(oi, k);
      v128.store(p, s0); v128.store(p + 16, s1); v128.store(p + 32, s2); v128.store(p + 48, s3);
    }
    for (; k < din; k++) {
      let s = zero;
      for (let j = 0; j < dout; j++) s = productAdd<T>(s, v128.load(at(gi, j)), v128.load(at(w, j * din + k)));
      v128.store(at(oi, k), s);
    }
  }
}

/**
 * One SGD step with PyTorch's semantics and the trainer's order: g += wd w; v = mu v + g;
 * w -= lr v. Hyperparameters per lane (model) as vectors at lr, mu, wd, so a group may sweep them.
 */
// @ts-ignore: decorator
@inline function sgdStep<T>(params: usize, grad: usize, velocity: usize, count: i32, lr: usize, mu: usize, wd: usize): void {
  const rate = v128.load(lr), momentum = v128.load(mu), decay = v128.load(wd);
  for (let e = 0; e < count; e++) {
    const pp = at(params, e);
    const w = v128.load(pp);
    const g = v128.add<T>(v128.load(at(grad, e)), v128.mul<T>(decay, w));
    const pv = at(velocity, e);
    const v = v128.add<T>(v128.mul<T>(momentum, v128.load(pv)), g);
    v128.store(pv, v);
    v128.store(pp, v128.sub<T>(w, v128.mul<T>(rate, v)));
  }
}

// The exports: each kernel for f64 lanes (two models per vector, the bits of trainNetwork) and
// f32 lanes (four models per vector, float32 training).
export function affine64(a: usize, n: i32, din: i32, w: usize, b: usize, dout: i32, out: usize, withBias: i32): void { affine<f64>(a, n, din, w, b, dout, out, withBias); }
export function affine32(a: usize, n: i32, din: i32, w: usize, b: usize, dout: i32, out: usize, withBias: i32): void { affine<f32>(a, n, din, w, b, dout, out, withBias); }
export function relu64(z: usize, count: i32, out: usize): void { relu<f64>(z, count, out); }
export function relu32(z: usize, count: i32, out: usize): void { relu<f32>(z, count, out); }
export function reluBackward64(back: usize, z: usize, count: i32, out: usize): void { reluBackward<f64>(back, z, count, out); }
export function reluBackward32(back: usize, z: usize, count: i32, out: usize): void { reluBackward<f32>(back, z, count, out); }
export function accumulate64(g: usize, n: i32, dout: i32, a: usize, din: i32, gw: usize, gb: usize): void { accumulate<f64>(g, n, dout, a, din, gw, gb); }
export function accumulate32(g: usize, n: i32, dout: i32, a: usize, din: i32, gw: usize, gb: usize): void { accumulate<f32>(g, n, dout, a, din, gw, gb); }
export function backProject64(g: usize, n: i32, dout: i32, w: usize, din: i32, out: usize): void { backProject<f64>(g, n, dout, w, din, out); }
export function backProject32(g: usize, n: i32, dout: i32, w: usize, din: i32, out: usize): void { backProject<f32>(g, n, dout, w, din, out); }
export function sgdStep64(params: usize, grad: usize, velocity: usize, count: i32, lr: usize, mu: usize, wd: usize): void { sgdStep<f64>(params, grad, velocity, count, lr, mu, wd); }
export function sgdStep32(params: usize, grad: usize, velocity: usize, count: i32, lr: usize, mu: usize, wd: usize): void { sgdStep<f32>(params, grad, velocity, count, lr, mu, wd); }

// The small CNN's extra pieces (lib/src/train/cnn.ts): a conv layer is the affine map above applied
// to im2col patches, so these move lane-interleaved elements between image and patch layouts and
// pool, each in the order of the JS loop it mirrors (cnn.ts im2col, col2im, pool, unpool).

/**
 * im2col: out[(i * outH * outW + oy * outW + ox) * patch + (c * kernel + ky) * kernel + kx] =
 * a[i](c, oy stride + ky - pad, ox stride + kx - pad), zero outside the image; `chw` says whether a
 * sample is channel-major (the dataset's rows) or position-major (a conv layer's output). Copies only.
 */
// @ts-ignore: decorator
@inline function im2col(a: usize, n: i32, inC: i32, inH: i32, inW: i32, outH: i32, outW: i32, stride: i32, pad: i32, kernel: i32, chw: i32, out: usize): void {
  const zero = i64x2.splat(0);
  const sampleSize = inC * inH * inW;
  const channelElements: i32 = chw ? inH * inW : 1;
  const pixelStride = chw ? 1 : inC;
  const tapStride = <usize>pixelStride << 4;
  // Bounds are checked once per kernel row: where the row of taps lies inside the image (most
  // positions), its `kernel` entries are a strided copy.
  let o = out;
  for (let i = 0; i < n; i++) {
    const base = i * sampleSize;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const inside = x0 >= 0 && x0 + kernel <= inW;
        for (let c = 0; c < inC; c++) {
          for (let ky = 0; ky < kernel; ky++) {
            const y = oy * stride + ky - pad;
            if (y < 0 || y >= inH) {
              for (let kx = 0; kx < kernel; kx++) {
                v128.store(o, zero);
                o += 16;
              }
            } else if (inside) {
              let from = at(a, base + c * channelElements + (y * inW + x0) * pixelStride);
              for (let kx = 0; kx < kernel; kx++) {
                v128.store(o, v128.load(from));
                o += 16;
                from += tapStride;
              }
            } else {
              for (let kx = 0; kx < kernel; kx++) {
                const x = x0 + kx;
                v128.store(o, x >= 0 && x < inW ? v128.load(at(a, base + c * channelElements + (y * inW + x) * pixelStride)) : zero);
                o += 16;
              }
            }
          }
        }
      }
    }
  }
}

/** col2im, the adjoint of im2col into position-major activations: out = 0, then every patch entry added where it came from. */
// @ts-ignore: decorator
@inline function col2im<T>(cols: usize, n: i32, inC: i32, inH: i32, inW: i32, outH: i32, outW: i32, stride: i32, pad: i32, kernel: i32, out: usize): void {
  memory.fill(out, 0, <usize>(n * inC * inH * inW) << 4);
  const sampleSize = inC * inH * inW;
  let col = cols;
  for (let i = 0; i < n; i++) {
    const base = i * sampleSize;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < inC; c++) {
          for (let ky = 0; ky < kernel; ky++) {
            const y = oy * stride + ky - pad;
            for (let kx = 0; kx < kernel; kx++) {
              const x = ox * stride + kx - pad;
              if (y >= 0 && y < inH && x >= 0 && x < inW) {
                const p = at(out, base + (y * inW + x) * inC + c);
                v128.store(p, v128.add<T>(v128.load(p), v128.load(col)));
              }
              col += 16;
            }
          }
        }
      }
    }
  }
}

/** Global average pooling of position-major activations: out[i, c] = (sum over positions, ascending) / positions. */
// @ts-ignore: decorator
@inline function pool<T>(a: usize, n: i32, positions: i32, channels: i32, out: usize): void {
  const count = v128.splat<T>(<T>positions);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      let s = v128.splat<T>(<T>0);
      for (let p = 0; p < positions; p++) s = v128.add<T>(s, v128.load(at(a, (i * positions + p) * channels + c)));
      v128.store(at(out, i * channels + c), v128.div<T>(s, count));
    }
  }
}

/** The adjoint of pool: out[i, p, c] = g[i, c] / positions. */
// @ts-ignore: decorator
@inline function unpool<T>(g: usize, n: i32, positions: i32, channels: i32, out: usize): void {
  const count = v128.splat<T>(<T>positions);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      const v = v128.div<T>(v128.load(at(g, i * channels + c)), count);
      for (let p = 0; p < positions; p++) v128.store(at(out, (i * positions + p) * channels + c), v);
    }
  }
}

// im2col only copies, so one export serves both lane types.
export function im2colLanes(a: usize, n: i32, inC: i32, inH: i32, inW: i32, outH: i32, outW: i32, stride: i32, pad: i32, kernel: i32, chw: i32, out: usize): void { im2col(a, n, inC, inH, inW, outH, outW, stride, pad, kernel, chw, out); }
export function col2im64(cols: usize, n: i32, inC: i32, inH: i32, inW: i32, outH: i32, outW: i32, stride: i32, pad: i32, kernel: i32, out: usize): void { col2im<f64>(cols, n, inC, inH, inW, outH, outW, stride, pad, kernel, out); }
export function col2im32(cols: usize, n: i32, inC: i32, inH: i32, inW: i32, outH: i32, outW: i32, stride: i32, pad: i32, kernel: i32, out: usize): void { col2im<f32>(cols, n, inC, inH, inW, outH, outW, stride, pad, kernel, out); }
export function pool64(a: usize, n: i32, positions: i32, channels: i32, out: usize): void { pool<f64>(a, n, positions, channels, out); }
export function pool32(a: usize, n: i32, positions: i32, channels: i32, out: usize): void { pool<f32>(a, n, positions, channels, out); }
export function unpool64(g: usize, n: i32, positions: i32, channels: i32, out: usize): void { unpool<f64>(g, n, positions, channels, out); }
export function unpool32(g: usize, n: i32, positions: i32, channels: i32, out: usize): void { unpool<f32>(g, n, positions, channels, out); }
