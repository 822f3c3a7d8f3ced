// A small Nelder-Mead simplex minimiser for the maximum-likelihood refinement of the error
// model (3 parameters, a noisy-free but non-smooth-at-the-boundary objective, no gradients).
// Standard coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2); stops when the
// simplex's function values agree to `tolerance` or after `maxEvaluations`.

export interface NelderMeadResult {
  point: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export function nelderMead(objective: (x: number[]) => number, start: number[], options: { step?: number; tolerance?: number; maxEvaluations?: number } = {}): NelderMeadResult {
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
    if (Math.abs(worst.f - best.f) <= tolerance * (Math.abs(best.f) + tolerance)) { converged = true; break; }
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
