// rng(seed): the seeded, splittable random source every stochastic routine takes.
// An Rng is a Threefry key plus a draw counter: each draw uses a fresh sub-key, so results
// depend only on the seed and the sequence of calls, never on timing, threads or platform.
// Transcendental steps (log, cos in normal draws) use V8's fdlibm ports, which give the
// same bits on every machine running the same Node major version.

import { ArgumentError } from '../errors';
import { foldIn, keyFromSeed, randomBits32, randomBits64, splitKey, type Key } from './threefry';

const TWO_POW_52 = 2 ** 52;

export class Rng {
  readonly key: Key;
  private draws = 0;

  constructor(key: Key) {
    this.key = [key[0] >>> 0, key[1] >>> 0];
  }

  /** The key for the next draw (advances this generator). */
  private nextKey(): Key {
    return foldIn(this.key, this.draws++);
  }

  /** `count` independent generators; advances this one, so repeated calls give new children. */
  split(count = 2): Rng[] {
    return splitKey(this.nextKey(), count).map((key) => new Rng(key));
  }

  /** A generator for the named sub-stream `data` (pure: the same data gives the same stream). */
  fold(data: number | string): Rng {
    const word = typeof data === 'number' ? data : hashString(data);
    if (!Number.isInteger(word) || word < 0 || word > 0xffffffff) {
      throw new ArgumentError('fold data must be a uint32 or a string', { field: 'data', found: String(data) });
    }
    return new Rng(foldIn(this.key, word));
  }

  /** `count` random 32-bit words. */
  bits(count: number): Uint32Array {
    checkCount(count);
    return randomBits32(this.nextKey(), count);
  }

  /** `count` uniform doubles in [low, high), 52 random mantissa bits each (jax.random.uniform, float64). */
  uniform(count: number, low = 0, high = 1): Float64Array {
    checkCount(count);
    const words = randomBits64(this.nextKey(), count);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      // Top 52 bits of the 64-bit value as the mantissa of a double in [1, 2), minus 1.
      const mantissa = (words[2 * i] >>> 0) * 2 ** 20 + (words[2 * i + 1] >>> 12);
      const unit = mantissa / TWO_POW_52;
      out[i] = low + (high - low) * unit;
    }
    return out;
  }

  /** `count` normal draws (Box-Muller on uniforms in (0, 1]). */
  normal(count: number, mean = 0, std = 1): Float64Array {
    checkCount(count);
    const pairs = Math.ceil(count / 2);
    const u = this.uniform(2 * pairs);
    const out = new Float64Array(count);
    for (let i = 0; i < pairs; i++) {
      const radius = Math.sqrt(-2 * Math.log(1 - u[2 * i]));
      const angle = 2 * Math.PI * u[2 * i + 1];
      out[2 * i] = mean + std * radius * Math.cos(angle);
      if (2 * i + 1 < count) out[2 * i + 1] = mean + std * radius * Math.sin(angle);
    }
    return out;
  }

  /** `count` integers uniform in [low, high) (unbiased: rejection sampling). */
  integers(count: number, low: number, high: number): Int32Array | Float64Array {
    checkCount(count);
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new ArgumentError('integers needs safe integers low < high', { found: `[${low}, ${high})` });
    }
    const range = high - low;
    if (range > 2 ** 32) throw new ArgumentError('integer range above 2^32 is not supported', { found: String(range) });
    const out = low >= -(2 ** 31) && high <= 2 ** 31 ? new Int32Array(count) : new Float64Array(count);
    const limit = 2 ** 32 - (2 ** 32 % range); // accept words below the largest multiple of range
    let filled = 0;
    while (filled < count) {
      const words = this.bits(Math.max(16, Math.ceil((count - filled) * 1.1)));
      for (let i = 0; i < words.length && filled < count; i++) {
        if (words[i] < limit) out[filled++] = low + (words[i] % range);
      }
    }
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    checkCount(n);
    const out = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.integers(1, 0, i + 1)[0];
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** `count` signs, each -1 or +1 with probability 1/2 (Hutchinson probes). */
  rademacher(count: number): Float64Array {
    const words = this.bits(count);
    return Float64Array.from(words, (w) => ((w & 1) === 1 ? 1 : -1));
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0)
    throw new ArgumentError('count must be a non-negative integer', { found: String(count) });
}

/** FNV-1a over UTF-16 code units: names of sub-streams to words. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A seeded generator: `rng(0)`, `rng(42n)`. Same seed, same sequence of draws, same bytes. */
export function rng(seed: number | bigint | Key): Rng {
  if (Array.isArray(seed)) return new Rng(seed as unknown as Key);
  return new Rng(keyFromSeed(seed as number | bigint));
}
