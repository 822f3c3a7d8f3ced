// Decompression with a hard output limit. A zip or gzip entry says how large it will be;
// a hostile one inflates far past that (a "zip bomb": deflate reaches ~1032:1). We feed the
// inflater slices of compressed input sized so that one step cannot yield much more than the
// output still allowed (deflate expands at most ~1032:1), and stop the moment the output
// passes the limit: a 1 GiB bomb declared as 48 bytes fails after ~1 MiB of output. Output goes straight into a
// buffer of the size the caller asked for: memory is that size plus a constant, never what
// the compressed bytes could expand to, and never a second copy for concatenation.

import * as zlib from 'node:zlib';
import { Gunzip, Inflate } from 'fflate';
import { FormatError, type ErrorDetails } from '../errors';

/** Deflate's largest expansion: 258 bytes from a 2-bit code, ~1032:1. */
const MAX_RATIO = 1032;
/**
 * Compressed bytes pushed per step: enough for the output still allowed, between 1 KiB (at most ~1 MiB
 * of output) and 64 KiB (at most ~66 MB). Small steps cost time (fflate copies its 32 KiB window per
 * step: 8 KiB steps inflate 32 MB of weights in 3.0 s, 64 KiB steps in 1.6 s, 1 MiB steps in 1.5 s on
 * the 2-core CI machine); large ones let a bomb make a large buffer before the limit is seen.
 */
function stepFor(remaining: number): number {
  return Math.max(1024, Math.min(64 * 1024, Math.ceil(remaining / MAX_RATIO)));
}
/** Compressed bytes fetched from the source per read. */
const READ_BLOCK = 1 << 20;

class LimitExceeded extends Error {}
class WindowFilled extends Error {}

/** What a streaming inflate saw: the bytes of the window asked for, and the whole stream's size and CRC. */
export interface InflateResult {
  /** Inflated bytes [from, from + length) in a fresh 8-byte-aligned buffer. */
  bytes: Uint8Array;
  /** Bytes the whole stream inflated to. */
  total: number;
  /** CRC-32 of every inflated byte. */
  crc: number;
}

export interface InflateRequest {
  /** Reads `length` compressed bytes at `offset` (relative to the start of the compressed stream). */
  read(offset: number, length: number): Uint8Array;
  compressedSize: number;
  /** Hard cap on the inflated size: passing it is an error at once. */
  limit: number;
  /** First inflated byte to keep (default 0). */
  from?: number;
  /** Inflated bytes to keep (default limit - from). */
  length?: number;
  /** Names the stream in errors ("entry 'a.npy'"). */
  what: string;
  where?: ErrorDetails;
}

/** Streams a raw deflate stream to its end through a bounded inflater, keeping one window of its output. */
export function inflateStream(request: InflateRequest): InflateResult {
  const { compressedSize, limit, what, where = {} } = request;
  const from = request.from ?? 0;
  const length = request.length ?? limit - from;
  const bytes = new Uint8Array(new ArrayBuffer(length));
  const decoder = new Inflate();
  let total = 0;
  let crc = 0;
  decoder.ondata = (chunk: Uint8Array) => {
    const start = total;
    total += chunk.length;
    if (total > limit) throw new LimitExceeded();
    crc = crc32(chunk, crc);
    // Copy the part of this chunk that falls inside [from, from + length).
    const lo = Math.max(from, start);
    const hi = Math.min(from + length, total);
    if (lo < hi) bytes.set(chunk.subarray(lo - start, hi - start), lo - from);
  };
  try {
    if (compressedSize === 0) decoder.push(new Uint8Array(0), true);
    for (let block = 0; block < compressedSize; block += READ_BLOCK) {
      const input = request.read(block, Math.min(READ_BLOCK, compressedSize - block));
      for (let at = 0; at < input.length;) {
        const next = Math.min(input.length, at + stepFor(limit - total));
        decoder.push(input.subarray(at, next), block + next >= compressedSize);
        at = next;
      }
    }
  } catch (error) {
    if (error instanceof LimitExceeded) {
      throw new FormatError(`${what} inflates past its declared size (zip bomb?)`, {
        ...where,
        expected: `at most ${limit} bytes`,
      });
    }
    if (error instanceof FormatError) throw error;
    throw new FormatError(`${what} is not valid deflate data: ${(error as Error).message}`, where);
  }
  if (total < from + length) {
    throw new FormatError(`${what} ends before its declared size`, {
      ...where,
      expected: `${from + length} bytes`,
      found: `${total}`,
    });
  }
  return { bytes, total, crc };
}

/** gzip to at most `limit` bytes (metrics.csv.gz), growing the output as it comes: the limit is a cap, not a size. */
export function gunzipBounded(input: Uint8Array, limit: number, what: string, where: ErrorDetails = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const decoder = new Gunzip();
  decoder.ondata = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > limit) throw new LimitExceeded();
    chunks.push(chunk);
  };
  try {
    if (input.length === 0) decoder.push(new Uint8Array(0), true);
    for (let at = 0; at < input.length;) {
      const next = Math.min(input.length, at + stepFor(limit - total));
      decoder.push(input.subarray(at, next), next >= input.length);
      at = next;
    }
  } catch (error) {
    if (error instanceof LimitExceeded)
      throw new FormatError(`${what} inflates past its limit (zip bomb?)`, {
        ...where,
        expected: `at most ${limit} bytes`,
      });
    throw new FormatError(`${what} is not valid gzip data: ${(error as Error).message}`, where);
  }
  const out = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The first `wanted` (or fewer, when the stream is shorter) inflated bytes: enough to read a header without inflating the whole entry. */
export function inflatePrefix(input: Uint8Array, wanted: number, what: string, where: ErrorDetails = {}): Uint8Array {
  let total = 0;
  const out = new Uint8Array(wanted);
  const decoder = new Inflate();
  decoder.ondata = (chunk: Uint8Array) => {
    const take = Math.min(chunk.length, wanted - total);
    out.set(chunk.subarray(0, take), total);
    total += take;
    if (total >= wanted) throw new WindowFilled();
  };
  try {
    for (let at = 0; at < input.length;) {
      const next = Math.min(input.length, at + stepFor(wanted - total));
      decoder.push(input.subarray(at, next), false);
      at = next;
    }
  } catch (error) {
    if (!(error instanceof WindowFilled))
      throw new FormatError(`${what} is not valid deflate data: ${(error as Error).message}`, where);
  }
  return out.subarray(0, total);
}

/** CRC-32 (IEEE, as zip uses) of `bytes`, continuing from `crc` (the CRC of the bytes before); zlib's, native. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  return zlib.crc32(bytes, crc);
}
