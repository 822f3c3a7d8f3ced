// Host-side parameter lists for the small networks the generators train (velocity fields,
// VAEs, denoisers, hypernetworks, priors). Parameters live as float32 arrays on the host between
// phases so models are plain data (seeded, copyable, serialisable); jax-js holds them while training.

import { rng } from '../../random/rng';

/** One parameter tensor on the host: values (row-major) and shape. */
export interface HostParameter {
  values: Float32Array;
  shape: number[];
}

/** An ordered list of parameters (the jax pytree is the same-ordered list of arrays). */
export type HostParameters = HostParameter[];

export interface LinearStackOptions {
  /** Zero the last layer (flow matching starts from v = 0, as DeepWeightFlow does). */
  zeroLast?: boolean;
  /** Multiply the default init range (1/sqrt(fan_in), PyTorch's Linear default) by this. */
  scale?: number;
}

/**
 * Weights [in, out] and biases [out] for consecutive linear layers of `sizes`, drawn
 * U(-s, s) with s = scale / sqrt(fan_in) from `seed` (same seed, same bytes).
 */
export function linearStack(sizes: number[], seed: number, options: LinearStackOptions = {}): HostParameters {
  const source = rng(seed);
  const out: HostParameters = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const bound = (options.scale ?? 1) / Math.sqrt(fanIn);
    const last = l === sizes.length - 2;
    const zero = last && options.zeroLast;
    out.push({
      values: zero
        ? new Float32Array(fanIn * sizes[l + 1])
        : Float32Array.from(source.uniform(fanIn * sizes[l + 1], -bound, bound)),
      shape: [fanIn, sizes[l + 1]],
    });
    out.push({
      values: zero ? new Float32Array(sizes[l + 1]) : Float32Array.from(source.uniform(sizes[l + 1], -bound, bound)),
      shape: [sizes[l + 1]],
    });
  }
  return out;
}

/** A parameter of `shape` drawn N(0, std²). */
export function normalParameter(shape: number[], seed: number, std: number): HostParameter {
  const size = shape.reduce((a, b) => a * b, 1);
  return { values: Float32Array.from(rng(seed).normal(size, 0, std)), shape };
}

/** A parameter of `shape` filled with `value`. */
export function constantParameter(shape: number[], value: number): HostParameter {
  const size = shape.reduce((a, b) => a * b, 1);
  return { values: new Float32Array(size).fill(value), shape };
}

/** Total number of scalars. */
export function parameterCount(params: HostParameters): number {
  return params.reduce((total, p) => total + p.values.length, 0);
}
