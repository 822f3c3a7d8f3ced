// Decompression with a hard output limit. A zip or gzip entry says how large it will be;
// a hostile one inflates far past that (a "zip bomb"). We stream the inflater and stop the
// moment the output passes the limit, so memory stays bounded by what the caller allowed,
// never by what the compressed bytes can expand to (deflate reaches ~1000:1).

import { Gunzip, Inflate } from 'fflate';
import { FormatError, type ErrorDetails } from '../errors';

const CHUNK = 1 << 20;

class LimitExceeded extends Error {}

function run(decoder: Inflate | Gunzip, chunks: Uint8Array[], input: Uint8Array, limit: number, what: string, where: ErrorDetails): Uint8Array {
  let total = 0;
  decoder.ondata = (chunk) => {
    total += chunk.length;
    if (total > limit) throw new LimitExceeded();
    chunks.push(chunk);
  };
  try {
    if (input.length === 0) decoder.push(new Uint8Array(0), true);
    for (let at = 0; at < input.length; at += CHUNK) {
      decoder.push(input.subarray(at, Math.min(input.length, at + CHUNK)), at + CHUNK >= input.length);
    }
  } catch (error) {
    if (error instanceof LimitExceeded) {
      throw new FormatError(`${what} inflates past its declared size (zip bomb?)`, { ...where, expected: `at most ${limit} bytes` });
    }
    throw new FormatError(`${what} is not valid deflate data: ${(error as Error).message}`, where);
  }
  const out = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
  return out;
}

/** Raw DEFLATE (zip method 8) to at most `limit` bytes. */
export function inflateBounded(input: Uint8Array, limit: number, what: string, where: ErrorDetails = {}): Uint8Array {
  return run(new Inflate(), [], input, limit, what, where);
}

/** gzip to at most `limit` bytes (metrics.csv.gz). */
export function gunzipBounded(input: Uint8Array, limit: number, what: string, where: ErrorDetails = {}): Uint8Array {
  return run(new Gunzip(), [], input, limit, what, where);
}

class PrefixReached extends Error {}

/** The first `wanted` (or more) inflated bytes: enough to read a header without inflating the whole entry. */
export function inflatePrefix(input: Uint8Array, wanted: number, what: string, where: ErrorDetails = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const decoder = new Inflate();
  decoder.ondata = (chunk) => {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= wanted) throw new PrefixReached();
  };
  try {
    const step = 4096;
    for (let at = 0; at < input.length; at += step) decoder.push(input.subarray(at, Math.min(input.length, at + step)), false);
  } catch (error) {
    if (!(error instanceof PrefixReached)) throw new FormatError(`${what} is not valid deflate data: ${(error as Error).message}`, where);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE, as zip uses) of `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
