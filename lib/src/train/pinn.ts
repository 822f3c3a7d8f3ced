// A physics-informed network (PINN) for the 1-D convection problem of PTMZ's SciML zoo and
// Krishnapriyan et al. 2021 ("failure modes of PINNs"): u(x, t) is a tanh MLP 2 -> ... -> 1 and
// the loss penalises the PDE residual u_t + beta u_x at collocation points, the initial
// condition u(x, 0) = sin x and the periodic boundary u(0, t) = u(2 pi, t):
//
//   L = mean_c (u_t + beta u_x)^2 + mean_i (u(x_i, 0) - sin x_i)^2 + mean_b (u(0, t_b) - u(2 pi, t_b))^2
//
// The input derivatives come from forward-mode tangents carried through the MLP (value, d/dx,
// d/dt streams per point); the parameter gradient is reverse mode through those three streams,
// all in float64. Hessian-vector products are central differences of that exact gradient
// (a third-order R-operator is not worth its code here; the error is stated below).

import { ArgumentError } from '../errors';
import type { ConvectionProblem } from '../data/synthetic';
import { accumulate, accumulateWeights, affine, backProject, curvature, slope, type LayerSlot } from './kernels';
import { layerSlots, parameterCount, type MlpArchitecture } from './mlp';
import type { TrainingTask } from './task';

/** The PINN's network: an MLP with 2 inputs (x, t), one output u, tanh by default. */
export function pinnArchitecture(
  hidden: number[],
  activation: MlpArchitecture['activation'] = 'tanh',
): MlpArchitecture {
  return { kind: 'mlp', inputs: 2, hidden: [...hidden], outputs: 1, activation };
}

/** u, u_x and u_t at m points (x, t) with the buffers of the reverse pass; one per thread. */
export class PinnNetwork {
  readonly architecture: MlpArchitecture;
  readonly slots: LayerSlot[];
  readonly capacity: number;
  // Per layer l = 0..L: values a, tangents ax = da/dx, at = da/dt, pre-activations z (a[0] is the input).
  private readonly a: Float64Array[];
  private readonly ax: Float64Array[];
  private readonly at: Float64Array[];
  private readonly z: Float64Array[];
  private readonly zx: Float64Array[];
  private readonly zt: Float64Array[];
  private readonly ga: Float64Array;
  private readonly gax: Float64Array;
  private readonly gat: Float64Array;
  private readonly gz: Float64Array[];
  private readonly gzx: Float64Array[];
  private readonly gzt: Float64Array[];

  constructor(arch: MlpArchitecture, capacity: number) {
    if (arch.inputs !== 2 || arch.outputs !== 1)
      throw new ArgumentError('a convection PINN maps (x, t) to u', {
        expected: '2 inputs, 1 output',
        found: `${arch.inputs}, ${arch.outputs}`,
      });
    this.architecture = arch;
    this.slots = layerSlots(arch);
    this.capacity = capacity;
    const sizes = [2, ...arch.hidden, 1];
    const make = () => sizes.map((s) => new Float64Array(capacity * s));
    this.a = make();
    this.ax = make();
    this.at = make();
    this.z = make();
    this.zx = make();
    this.zt = make();
    this.gz = make();
    this.gzx = make();
    this.gzt = make();
    const widest = Math.max(...sizes);
    this.ga = new Float64Array(capacity * widest);
    this.gax = new Float64Array(capacity * widest);
    this.gat = new Float64Array(capacity * widest);
    // The input tangents are constant: d(x, t)/dx = (1, 0), d(x, t)/dt = (0, 1).
    for (let i = 0; i < capacity; i++) {
      this.ax[0][2 * i] = 1;
      this.at[0][2 * i + 1] = 1;
    }
  }

  /** Forward pass with tangents at m points (row-major m x 2); returns views of u, u_x, u_t. */
  forward(
    params: Float64Array,
    points: Float64Array,
    m: number,
  ): { u: Float64Array; ux: Float64Array; ut: Float64Array } {
    if (m > this.capacity)
      throw new ArgumentError('more points than the PINN workspace', {
        expected: `<= ${this.capacity}`,
        found: String(m),
      });
    const { slots, architecture: arch } = this;
    const L = slots.length;
    this.a[0].set(points.subarray(0, 2 * m));
    for (let l = 0; l < L; l++) {
      const slot = slots[l];
      affine(this.a[l], m, slot.inputs, params, slot, this.z[l + 1]);
      affine(this.ax[l], m, slot.inputs, params, slot, this.zx[l + 1], false);
      affine(this.at[l], m, slot.inputs, params, slot, this.zt[l + 1], false);
      if (l + 1 < L) {
        const z = this.z[l + 1];
        const zx = this.zx[l + 1];
        const zt = this.zt[l + 1];
        const a = this.a[l + 1];
        const ax = this.ax[l + 1];
        const at = this.at[l + 1];
        for (let i = 0; i < m * slot.outputs; i++) {
          a[i] = arch.activation === 'relu' ? Math.max(0, z[i]) : Math.tanh(z[i]);
          const s = slope(arch.activation, z[i], a[i]);
          ax[i] = s * zx[i];
          at[i] = s * zt[i];
        }
      }
    }
    return { u: this.z[L].subarray(0, m), ux: this.zx[L].subarray(0, m), ut: this.zt[L].subarray(0, m) };
  }

  /** Hidden layer k's values (after the nonlinearity) from the last forward pass, m x width. */
  hidden(layer: number, m: number): Float64Array {
    if (!(Number.isInteger(layer) && layer >= 1 && layer <= this.architecture.hidden.length))
      throw new ArgumentError('no such hidden layer', {
        expected: `1..${this.architecture.hidden.length}`,
        found: String(layer),
      });
    return this.a[layer].slice(0, m * this.architecture.hidden[layer - 1]);
  }

  /** Adds to grad the gradient of sum_i (gu_i u_i + gux_i ux_i + gut_i ut_i) after forward() on the same m points. */
  backward(
    params: Float64Array,
    m: number,
    gu: Float64Array,
    gux: Float64Array,
    gut: Float64Array,
    grad: Float64Array,
  ): void {
    const { slots, architecture: arch } = this;
    const L = slots.length;
    this.gz[L].set(gu.subarray(0, m));
    this.gzx[L].set(gux.subarray(0, m));
    this.gzt[L].set(gut.subarray(0, m));
    for (let l = L - 1; l >= 0; l--) {
      const slot = slots[l];
      const gz = this.gz[l + 1];
      const gzx = this.gzx[l + 1];
      const gzt = this.gzt[l + 1];
      accumulate(gz, m, this.a[l], slot, grad);
      accumulateWeights(gzx, m, this.ax[l], slot, grad);
      accumulateWeights(gzt, m, this.at[l], slot, grad);
      if (l === 0) break;
      backProject(gz, m, params, slot, this.ga);
      backProject(gzx, m, params, slot, this.gax);
      backProject(gzt, m, params, slot, this.gat);
      // Through a = s(z), ax = s'(z) zx, at = s'(z) zt:
      // g_z = g_a s' + (g_ax zx + g_at zt) s'', g_zx = g_ax s', g_zt = g_at s'.
      const z = this.z[l];
      const a = this.a[l];
      const zx = this.zx[l];
      const zt = this.zt[l];
      const oz = this.gz[l];
      const ozx = this.gzx[l];
      const ozt = this.gzt[l];
      for (let i = 0; i < m * slot.inputs; i++) {
        const s = slope(arch.activation, z[i], a[i]);
        const c = curvature(arch.activation, a[i]);
        oz[i] = this.ga[i] * s + (this.gax[i] * zx[i] + this.gat[i] * zt[i]) * c;
        ozx[i] = this.gax[i] * s;
        ozt[i] = this.gat[i] * s;
      }
    }
  }
}

/** The three terms of the PINN loss and their sum. */
export interface PinnLoss {
  loss: number;
  residual: number;
  initial: number;
  boundary: number;
}

/**
 * The convection problem as a training task: examples are the collocation points (a minibatch
 * is a subset of them; the initial and boundary terms are always taken whole), the test data is
 * the exact solution on the problem's grid, and the error is the relative L2 error there.
 */
export function pinnTask(
  arch: MlpArchitecture,
  problem: ConvectionProblem,
): TrainingTask & { losses(params: Float64Array): PinnLoss } {
  const nc = problem.collocation.length / 2;
  const ni = problem.initial.values.length;
  const nb = problem.boundaryTimes.length;
  const fixed = ni + 2 * nb;
  const testSize = problem.test.values.length;
  const net = new PinnNetwork(arch, Math.max(nc + fixed, testSize));
  const P = parameterCount(arch);
  // Fixed points after the batch: initial (x_i, 0), then (0, t_b), then (2 pi, t_b).
  const points = new Float64Array(2 * (nc + fixed));
  const gu = new Float64Array(nc + fixed);
  const gux = new Float64Array(nc + fixed);
  const gut = new Float64Array(nc + fixed);
  const all = Int32Array.from({ length: nc }, (_, i) => i);
  const place = (rows: ArrayLike<number>) => {
    const m = rows.length;
    for (let r = 0; r < m; r++) {
      points[2 * r] = problem.collocation[2 * rows[r]];
      points[2 * r + 1] = problem.collocation[2 * rows[r] + 1];
    }
    points.set(problem.initial.points, 2 * m);
    for (let b = 0; b < nb; b++) {
      points[2 * (m + ni + b)] = 0;
      points[2 * (m + ni + b) + 1] = problem.boundaryTimes[b];
      points[2 * (m + ni + nb + b)] = 2 * Math.PI;
      points[2 * (m + ni + nb + b) + 1] = problem.boundaryTimes[b];
    }
    return m + fixed;
  };
  /** Loss terms on the batch `rows`; with grad, also the gradient (overwritten). */
  const run = (params: Float64Array, rows: ArrayLike<number>, grad?: Float64Array): PinnLoss => {
    const m = rows.length;
    const count = place(rows);
    const { u, ux, ut } = net.forward(params, points, count);
    const beta = problem.beta;
    let residual = 0;
    let initial = 0;
    let boundary = 0;
    gu.fill(0);
    gux.fill(0);
    gut.fill(0);
    for (let r = 0; r < m; r++) {
      const e = ut[r] + beta * ux[r];
      residual += e * e;
      gut[r] = (2 * e) / m;
      gux[r] = (2 * beta * e) / m;
    }
    for (let i = 0; i < ni; i++) {
      const e = u[m + i] - problem.initial.values[i];
      initial += e * e;
      gu[m + i] = (2 * e) / ni;
    }
    for (let b = 0; b < nb; b++) {
      const e = u[m + ni + b] - u[m + ni + nb + b];
      boundary += e * e;
      gu[m + ni + b] = (2 * e) / nb;
      gu[m + ni + nb + b] = (-2 * e) / nb;
    }
    residual /= Math.max(1, m);
    initial /= ni;
    boundary /= nb;
    if (grad) {
      grad.fill(0);
      net.backward(params, count, gu, gux, gut, grad);
    }
    return { loss: residual + initial + boundary, residual, initial, boundary };
  };
  const plus = new Float64Array(P);
  const minus = new Float64Array(P);
  const shifted = new Float64Array(P);
  const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return {
    name: `convection(beta=${problem.beta})|pinn`,
    architecture: arch,
    dimension: P,
    examples: nc,
    lossAndGradient: (params, grad, rows) => run(params, rows, grad).loss,
    /**
     * H v ~ (g(p + h v) - g(p - h v)) / 2h with h = cbrt(eps) (1 + |p|) / |v|: truncation
     * O(h^2 |g'''|) and rounding O(eps |g| / h) balance at a relative error of ~1e-10 to 1e-8,
     * far below the 1e-3 tolerance of the power iteration and trace estimates built on it.
     */
    hessianVectorProduct(params, v, out, rows) {
      const size = norm(v);
      if (size === 0) {
        out.fill(0);
        return run(params, rows).loss;
      }
      const h = (Math.cbrt(Number.EPSILON) * (1 + norm(params))) / size;
      for (let k = 0; k < P; k++) shifted[k] = params[k] + h * v[k];
      run(shifted, rows, plus);
      for (let k = 0; k < P; k++) shifted[k] = params[k] - h * v[k];
      run(shifted, rows, minus);
      for (let k = 0; k < P; k++) out[k] = (plus[k] - minus[k]) / (2 * h);
      return run(params, rows).loss;
    },
    evaluate(params) {
      const train = run(params, all).loss;
      const { u } = net.forward(params, problem.test.points, testSize);
      let error = 0;
      let reference = 0;
      for (let i = 0; i < testSize; i++) {
        error += (u[i] - problem.test.values[i]) ** 2;
        reference += problem.test.values[i] ** 2;
      }
      return { train_loss: train, test_loss: error / testSize, relative_l2_error: Math.sqrt(error / reference) };
    },
    representation(params, layer = 'logits') {
      const { u } = net.forward(params, problem.test.points, testSize);
      if (layer === 'logits') return { values: Float64Array.from(u), rows: testSize, columns: 1 };
      const index = layer === 'hidden' ? arch.hidden.length : layer;
      return { values: net.hidden(index, testSize), rows: testSize, columns: arch.hidden[index - 1] };
    },
    losses: (params) => run(params, all),
  };
}
