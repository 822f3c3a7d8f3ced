// A small Nelder-Mead simplex minimiser shared by the fits that need one without gradients: the
// maximum-likelihood refinement of the inductive-bias error model (3 parameters, non-smooth at the
// boundary) and the ports of Python fits that call scipy.optimize.fmin (WeightWatcher's
// Marchenko-Pastur sigma, the `powerlaw` package's TPL fit).
// 'classic' rules: standard coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2);
// stops when the simplex's function values agree to `tolerance` or after `maxEvaluations`.
// 'scipy' rules: scipy.optimize.fmin's steps operation for operation (initial simplex +5 % per
// coordinate, absolute xatol/fatol test, 200·n iterations and calls, the same arithmetic for each
// trial point), so a port follows the same path and lands on the same point.

export interface NelderMeadResult {
  point: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export interface NelderMeadOptions {
  /** 'classic' (default): the rules above; 'scipy': scipy.optimize.fmin's, step for step. */
  rules?: 'classic' | 'scipy';
  /** classic: offset of the initial simplex along each axis (default 0.1). */
  step?: number;
  /** classic: relative spread of function values at which to stop (default 1e-9). */
  tolerance?: number;
  /** classic: default 600; scipy: maxfun, default 200·n. */
  maxEvaluations?: number;
  /** scipy: absolute spread of the simplex's points at which to stop (default 1e-4). */
  xatol?: number;
  /** scipy: absolute spread of the simplex's values at which to stop (default 1e-4). */
  fatol?: number;
}

export function nelderMead(
  objective: (x: number[]) => number,
  start: number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  if (options.rules === 'scipy') return scipyFmin(objective, start, options);
  const step = options.step ?? 0.1;
  const tolerance = options.tolerance ?? 1e-9;
  const maxEvaluations = options.maxEvaluations ?? 600;
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const value = objective(x);
    return Number.isFinite(value) ? value : Infinity; // infeasible points lose every comparison
  };
  const simplex: { x: number[]; f: number }[] = [{ x: [...start], f: evaluate(start) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] += step;
    simplex.push({ x, f: evaluate(x) });
  }
  const combine = (a: number[], b: number[], t: number): number[] => a.map((ai, i) => ai + t * (b[i] - ai));
  let converged = false;
  while (evaluations < maxEvaluations) {
    simplex.sort((p, q) => p.f - q.f);
    const best = simplex[0];
    const worst = simplex[n];
    if (Math.abs(worst.f - best.f) <= tolerance * (Math.abs(best.f) + tolerance)) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let d = 0; d < n; d++) centroid[d] += simplex[i].x[d] / n;
    const reflected = combine(centroid, worst.x, -1);
    const fr = evaluate(reflected);
    if (fr < best.f) {
      const expanded = combine(centroid, worst.x, -2);
      const fe = evaluate(expanded);
      simplex[n] = fe < fr ? { x: expanded, f: fe } : { x: reflected, f: fr };
    } else if (fr < simplex[n - 1].f) {
      simplex[n] = { x: reflected, f: fr };
    } else {
      const contracted = fr < worst.f ? combine(centroid, reflected, 0.5) : combine(centroid, worst.x, 0.5);
      const fc = evaluate(contracted);
      if (fc < Math.min(fr, worst.f)) {
        simplex[n] = { x: contracted, f: fc };
      } else {
        for (let i = 1; i <= n; i++) {
          const x = combine(best.x, simplex[i].x, 0.5);
          simplex[i] = { x, f: evaluate(x) };
        }
      }
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  return { point: simplex[0].x, value: simplex[0].f, evaluations, converged };
}

class EvaluationBudgetSpent extends Error {}

/** numpy's argsort order for the simplex: ascending, NaN last, ties kept in place (insertion sort, as numpy does for tiny arrays). */
function sortSimplex(points: number[][], values: number[]): void {
  const after = (a: number, b: number) => (Number.isNaN(a) ? !Number.isNaN(b) : a > b);
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    const point = points[i];
    let j = i - 1;
    while (j >= 0 && after(values[j], value)) {
      values[j + 1] = values[j];
      points[j + 1] = points[j];
      j--;
    }
    values[j + 1] = value;
    points[j + 1] = point;
  }
}

/** scipy.optimize.fmin (scipy 1.10 _minimize_neldermead, adaptive=False, no bounds). */
function scipyFmin(objective: (x: number[]) => number, start: number[], options: NelderMeadOptions): NelderMeadResult {
  const n = start.length;
  const xatol = options.xatol ?? 1e-4;
  const fatol = options.fatol ?? 1e-4;
  const maxCalls = options.maxEvaluations ?? 200 * n;
  const maxIterations = 200 * n;
  let calls = 0;
  const call = (x: number[]): number => {
    if (calls >= maxCalls) throw new EvaluationBudgetSpent();
    calls++;
    return objective([...x]);
  };
  const sim: number[][] = [[...start]];
  for (let k = 0; k < n; k++) {
    const y = [...start];
    y[k] = y[k] !== 0 ? (1 + 0.05) * y[k] : 0.00025;
    sim.push(y);
  }
  const fsim = new Array<number>(n + 1).fill(Infinity);
  try {
    for (let k = 0; k <= n; k++) fsim[k] = call(sim[k]);
  } catch (error) {
    if (!(error instanceof EvaluationBudgetSpent)) throw error;
  }
  sortSimplex(sim, fsim);
  const along = (a: number, xbar: number[], b: number, x: number[]) => xbar.map((v, d) => a * v - b * x[d]);
  let iterations = 1;
  let converged = false;
  while (calls < maxCalls && iterations < maxIterations) {
    try {
      let xSpread = 0;
      let fSpread = 0;
      for (let j = 1; j <= n; j++) {
        for (let d = 0; d < n; d++) xSpread = Math.max(xSpread, Math.abs(sim[j][d] - sim[0][d]));
        fSpread = Math.max(fSpread, Math.abs(fsim[0] - fsim[j]));
      }
      // Math.max propagates NaN as numpy's max does, and NaN <= tol is false: keep iterating.
      if (xSpread <= xatol && fSpread <= fatol) {
        converged = true;
        break;
      }
      const xbar = new Array<number>(n).fill(0);
      for (let j = 0; j < n; j++) for (let d = 0; d < n; d++) xbar[d] += sim[j][d];
      for (let d = 0; d < n; d++) xbar[d] /= n;
      const worst = sim[n];
      const xr = along(2, xbar, 1, worst);
      const fxr = call(xr);
      let shrink = false;
      if (fxr < fsim[0]) {
        const xe = along(3, xbar, 2, worst);
        const fxe = call(xe);
        if (fxe < fxr) {
          sim[n] = xe;
          fsim[n] = fxe;
        } else {
          sim[n] = xr;
          fsim[n] = fxr;
        }
      } else if (fxr < fsim[n - 1]) {
        sim[n] = xr;
        fsim[n] = fxr;
      } else if (fxr < fsim[n]) {
        const xc = along(1.5, xbar, 0.5, worst);
        const fxc = call(xc);
        if (fxc <= fxr) {
          sim[n] = xc;
          fsim[n] = fxc;
        } else shrink = true;
      } else {
        const xcc = xbar.map((v, d) => 0.5 * v + 0.5 * worst[d]);
        const fxcc = call(xcc);
        if (fxcc < fsim[n]) {
          sim[n] = xcc;
          fsim[n] = fxcc;
        } else shrink = true;
      }
      if (shrink) {
        for (let j = 1; j <= n; j++) {
          sim[j] = sim[j].map((v, d) => sim[0][d] + 0.5 * (v - sim[0][d]));
          fsim[j] = call(sim[j]);
        }
      }
      iterations++;
    } catch (error) {
      if (!(error instanceof EvaluationBudgetSpent)) throw error;
    }
    sortSimplex(sim, fsim);
  }
  let value = fsim[0];
  for (const f of fsim) if (Number.isNaN(f) || f < value) value = f; // np.min: NaN wins
  return { point: sim[0], value, evaluations: calls, converged };
}
