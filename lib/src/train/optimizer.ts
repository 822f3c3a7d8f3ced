// The two update rules zoo training and curve fitting use, with PyTorch's semantics, so the
// trainer and the Bezier-curve fit (lib/src/landscape/connectivity.ts) share one copy. The
// gradient passed in already holds any L2 term. Internal: not re-exported by lib/src/index.ts.

/** 'sgd': b = mu b + g, w -= lr b. 'adam': betas (mu, 0.999), eps 1e-8, bias-corrected. */
export type OptimizerKind = 'sgd' | 'adam';

export interface Optimizer {
  /** One update of `params` (in place) along `gradient` with learning rate lr. */
  step(params: Float64Array, gradient: Float64Array, lr: number): void;
}

export function createOptimizer(kind: OptimizerKind, size: number, momentum: number): Optimizer {
  const velocity = new Float64Array(size);
  if (kind === 'sgd') {
    return {
      step(params, gradient, lr) {
        for (let k = 0; k < size; k++) {
          velocity[k] = momentum * velocity[k] + gradient[k];
          params[k] -= lr * velocity[k];
        }
      },
    };
  }
  const second = new Float64Array(size);
  let steps = 0;
  return {
    step(params, gradient, lr) {
      steps++;
      const c1 = 1 - momentum ** steps;
      const c2 = 1 - 0.999 ** steps;
      for (let k = 0; k < size; k++) {
        const g = gradient[k];
        velocity[k] = momentum * velocity[k] + (1 - momentum) * g;
        second[k] = 0.999 * second[k] + 0.001 * g * g;
        params[k] -= (lr * (velocity[k] / c1)) / (Math.sqrt(second[k] / c2) + 1e-8);
      }
    },
  };
}
