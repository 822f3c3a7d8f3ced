// Threefry-2x32 (20 rounds), the counter-based generator JAX uses. Counter-based means a
// value depends only on (key, counter), never on call order or platform, which is what
// "same seed, same bytes on every machine" needs; splitting keys is just hashing.
// Key and counter layout follow JAX's partitionable scheme, so jax-js is a test oracle.

/** A generator key: two unsigned 32-bit words. */
export type Key = readonly [number, number];

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
const PARITY = 0x1bd11bda;

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** One Threefry-2x32-20 block: encrypts the counter (c0, c1) under `key`. Writes two words to out[at], out[at+1]. */
export function threefry2x32(key: Key, c0: number, c1: number, out: Uint32Array, at: number): void {
  const k0 = key[0] >>> 0;
  const k1 = key[1] >>> 0;
  const k2 = (PARITY ^ k0 ^ k1) >>> 0;
  const schedule = [k0, k1, k2];
  let x0 = (c0 + k0) >>> 0;
  let x1 = (c1 + k1) >>> 0;
  for (let group = 0; group < 5; group++) {
    const base = (group % 2) * 4;
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      x1 = rotateLeft(x1, ROTATIONS[base + r]);
      x1 = (x1 ^ x0) >>> 0;
    }
    x0 = (x0 + schedule[(group + 1) % 3]) >>> 0;
    x1 = (x1 + schedule[(group + 2) % 3] + group + 1) >>> 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
}

/** The key JAX derives from an integer seed: the seed's high and low 32 bits. */
export function keyFromSeed(seed: number | bigint): Key {
  let value: bigint;
  if (typeof seed === 'bigint') value = seed;
  else {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer or a bigint, got ${seed}`);
    value = BigInt(seed);
  }
  value = BigInt.asUintN(64, value);
  return [Number(value >> 32n), Number(value & 0xffffffffn)];
}

/** `count` child keys of `key` (jax.random.split). */
export function splitKey(key: Key, count: number): Key[] {
  const out = new Uint32Array(2);
  const keys: Key[] = [];
  for (let i = 0; i < count; i++) {
    threefry2x32(key, Math.floor(i / 2 ** 32), i >>> 0, out, 0);
    keys.push([out[0], out[1]]);
  }
  return keys;
}

/** The key for `data` under `key` (jax.random.fold_in): a named sub-stream. */
export function foldIn(key: Key, data: number): Key {
  const out = new Uint32Array(2);
  threefry2x32(key, 0, data >>> 0, out, 0);
  return [out[0], out[1]];
}

/** `count` random 32-bit words from `key` (jax.random.bits with the partitionable scheme). */
export function randomBits32(key: Key, count: number): Uint32Array {
  const out = new Uint32Array(count);
  const block = new Uint32Array(2);
  for (let i = 0; i < count; i++) {
    threefry2x32(key, Math.floor(i / 2 ** 32), i >>> 0, block, 0);
    out[i] = (block[0] ^ block[1]) >>> 0;
  }
  return out;
}

/** `count` random 64-bit values from `key`, as (high, low) word pairs: out[2i] high, out[2i+1] low. */
export function randomBits64(key: Key, count: number): Uint32Array {
  const out = new Uint32Array(2 * count);
  for (let i = 0; i < count; i++) threefry2x32(key, Math.floor(i / 2 ** 32), i >>> 0, out, 2 * i);
  return out;
}
