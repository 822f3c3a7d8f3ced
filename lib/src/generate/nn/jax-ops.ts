// The few jax-js building blocks the generator networks share: moving host parameters in and
// out, an MLP forward, sinusoidal time features. jax-js has move semantics (every op consumes
// its array arguments; `.ref` keeps one alive), so each helper documents what it consumes.

import { jax, type JaxArray, type JaxModule } from '../../backend/jax';
import type { HostParameters } from './parameters';

export type { JaxArray, JaxModule };

/** The jax-js module (loaded once, shims installed by lib/backend). */
export function jaxModule(): Promise<JaxModule> {
  return jax();
}

/** Device arrays for host parameters (float32). */
export function toDevice(jx: JaxModule, params: HostParameters): JaxArray[] {
  return params.map((p) => jx.numpy.array(p.values, { shape: p.shape, dtype: 'float32' as never }));
}

/** Host copies of device arrays (consumes them). */
export async function toHost(arrays: JaxArray[]): Promise<HostParameters> {
  const out: HostParameters = [];
  for (const array of arrays) {
    const shape = [...array.shape];
    const data = await array.data();
    out.push({ values: Float32Array.from(data as ArrayLike<number>), shape });
  }
  return out;
}

/** A float32 device array from host values. */
export function deviceArray(jx: JaxModule, values: ArrayLike<number>, shape: number[]): JaxArray {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return jx.numpy.array(data, { shape, dtype: 'float32' as never });
}

export type Activation = 'relu' | 'gelu' | 'silu' | 'tanh';

export function activate(jx: JaxModule, x: JaxArray, activation: Activation): JaxArray {
  switch (activation) {
    case 'relu':
      return jx.nn.relu(x);
    case 'gelu':
      return jx.nn.gelu(x);
    case 'silu':
      return jx.nn.silu(x);
    case 'tanh':
      return jx.numpy.tanh(x);
  }
}

/**
 * x @ W0 + b0 -> act -> ... -> x @ WL + bL (no activation after the last layer).
 * `params` = [W0, b0, W1, b1, ...] with W as [in, out]; consumes params and x.
 */
export function mlpForward(jx: JaxModule, params: JaxArray[], x: JaxArray, activation: Activation): JaxArray {
  const np = jx.numpy;
  let h = x;
  for (let l = 0; l < params.length; l += 2) {
    h = np.add(np.matmul(h, params[l]), params[l + 1]);
    if (l + 2 < params.length) h = activate(jx, h, activation);
  }
  return h;
}

/** Frequencies 2^k·π, k = 0..count-1, for sin/cos features of a scalar in [0, 1]. */
export function fourierFrequencies(count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, k) => Math.PI * 2 ** k);
}

/** [B, 1] times [1, F] frequencies -> [B, 2F] sin/cos features (consumes t and frequencies). */
export function fourierFeatures(jx: JaxModule, t: JaxArray, frequencies: JaxArray): JaxArray {
  const np = jx.numpy;
  const angle = np.matmul(t, frequencies);
  return np.concatenate([np.sin(angle.ref), np.cos(angle)], 1);
}
