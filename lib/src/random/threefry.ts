// Threefry-2x32 (20 rounds), the counter-based generator JAX uses. Counter-based means a
// value depends only on (key, counter), never on call order or platform, which is what
// "same seed, same bytes on every machine" needs; splitting keys is just hashing.
// Key and counter layout follow JAX's partitionable scheme, so jax-js is a test oracle.

/** A generator key: two unsigned 32-bit words. */
export type Key = readonly [number, number];

const PARITY = 0x1bd11bda;

/**
 * One Threefry-2x32-20 block: encrypts the counter (c0, c1) under the key (k0, k1) with the
 * schedule word k2 = PARITY ^ k0 ^ k1, writing two words to out[at], out[at+1]. Unrolled with
 * the rotation constants (13 15 26 6 / 17 29 16 24) inline and int32 arithmetic (| 0 wraps like
 * >>> 0; the Uint32Array store reinterprets the bits): a generic loop with a schedule array cost
 * 5x more per block, and normal draws spent most of their time here.
 */
function encrypt(k0: number, k1: number, k2: number, c0: number, c1: number, out: Uint32Array, at: number): void {
  let x0 = (c0 + k0) | 0;
  let x1 = (c1 + k1) | 0;
  // Rounds 1-4, then key injection (k1, k2, 1).
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 1) | 0;
  // Rounds 5-8, then (k2, k0, 2).
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 17) | (x1 >>> 15);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 29) | (x1 >>> 3);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 16) | (x1 >>> 16);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 24) | (x1 >>> 8);
  x1 ^= x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 2) | 0;
  // Rounds 9-12, then (k0, k1, 3).
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k0) | 0;
  x1 = (x1 + k1 + 3) | 0;
  // Rounds 13-16, then (k1, k2, 4).
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 17) | (x1 >>> 15);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 29) | (x1 >>> 3);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 16) | (x1 >>> 16);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 24) | (x1 >>> 8);
  x1 ^= x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 4) | 0;
  // Rounds 17-20, then (k2, k0, 5).
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 13) | (x1 >>> 19);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 15) | (x1 >>> 17);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 26) | (x1 >>> 6);
  x1 ^= x0;
  x0 = (x0 + x1) | 0;
  x1 = (x1 << 6) | (x1 >>> 26);
  x1 ^= x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 5) | 0;
  out[at] = x0;
  out[at + 1] = x1;
}

/** One Threefry-2x32-20 block: encrypts the counter (c0, c1) under `key`. Writes two words to out[at], out[at+1]. */
export function threefry2x32(key: Key, c0: number, c1: number, out: Uint32Array, at: number): void {
  const k0 = key[0] | 0;
  const k1 = key[1] | 0;
  encrypt(k0, k1, PARITY ^ k0 ^ k1, c0 | 0, c1 | 0, out, at);
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
  const k0 = key[0] | 0,
    k1 = key[1] | 0,
    k2 = PARITY ^ k0 ^ k1;
  // Typed arrays hold fewer than 2^32 elements, so the counter's high word is always 0.
  for (let i = 0; i < count; i++) {
    encrypt(k0, k1, k2, 0, i, block, 0);
    out[i] = block[0] ^ block[1];
  }
  return out;
}

/** `count` random 64-bit values from `key`, as (high, low) word pairs: out[2i] high, out[2i+1] low. */
export function randomBits64(key: Key, count: number): Uint32Array {
  const out = new Uint32Array(2 * count);
  const k0 = key[0] | 0,
    k1 = key[1] | 0,
    k2 = PARITY ^ k0 ^ k1;
  for (let i = 0; i < count; i++) encrypt(k0, k1, k2, 0, i, out, 2 * i);
  return out;
}
