// Positional reads from a file or an in-memory buffer. Every checkpoint reader works on a
// ByteSource so that it can read a header first and then each tensor's bytes on demand,
// without ever holding a whole multi-GB file (Node refuses readFileSync past 2 GiB, and
// fresh whole-file buffers are slower than per-tensor reads: see specs/numerics.md §6).

import * as fs from 'node:fs';
import { FormatError, type ErrorDetails } from '../errors';

/** Random-access bytes with a name for error messages. */
export interface ByteSource {
  /** File path (or a label for buffers): every FormatError names it. */
  readonly name: string;
  /** Total length in bytes (may exceed 4 GiB). */
  readonly size: number;
  /** Exactly `length` bytes at `offset` in a fresh, 8-byte-aligned buffer; a FormatError when they run past the end. */
  read(offset: number, length: number, what?: string): Uint8Array;
}

// readSync moves at most 2 GiB - 1 per call; larger tensors are read in 1 GiB steps.
const MAX_READ = 1 << 30;

/** A FormatError when [offset, offset + length) is not a valid range of `source`. */
export function checkRange(source: ByteSource, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FormatError(`invalid byte range for ${what}`, { file: source.name, offset, found: `${length} bytes` });
  }
  if (offset + length > source.size) {
    throw new FormatError(`${what} runs past the end of the file (truncated?)`, {
      file: source.name,
      offset,
      expected: `${offset + length} bytes`,
      found: `${source.size} bytes`,
    });
  }
}

/** A file read with positional reads; each read opens and closes it, so lazy tensors hold no descriptor. */
export class FileSource implements ByteSource {
  readonly name: string;
  readonly size: number;

  constructor(path: string) {
    this.name = path;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path);
    } catch (error) {
      throw new FormatError(`cannot open file: ${(error as Error).message}`, { file: path });
    }
    if (!stat.isFile()) throw new FormatError('not a regular file', { file: path });
    this.size = stat.size;
  }

  read(offset: number, length: number, what = 'data'): Uint8Array {
    checkRange(this, offset, length, what);
    // A fresh ArrayBuffer is 8-byte aligned, so callers can view it as any typed array without copying.
    const out = new Uint8Array(new ArrayBuffer(length));
    const fd = fs.openSync(this.name, 'r');
    try {
      let done = 0;
      while (done < length) {
        const step = Math.min(MAX_READ, length - done);
        const got = fs.readSync(fd, out, done, step, offset + done);
        if (got === 0) {
          throw new FormatError(`${what} ends early: the file shrank while reading`, {
            file: this.name,
            offset: offset + done,
            expected: `${length} bytes`,
          });
        }
        done += got;
      }
    } finally {
      fs.closeSync(fd);
    }
    return out;
  }
}

/** Bytes already in memory (tests, network downloads, headers inflated from a zip). */
export class BufferSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array, name = '<buffer>') {
    this.bytes = bytes;
    this.name = name;
    this.size = bytes.byteLength;
  }

  read(offset: number, length: number, what = 'data'): Uint8Array {
    checkRange(this, offset, length, what);
    const slice = this.bytes.subarray(offset, offset + length);
    if (slice.byteOffset % 8 === 0) return slice;
    const copy = new Uint8Array(new ArrayBuffer(length));
    copy.set(slice);
    return copy;
  }
}

/** A FileSource for a path, or a BufferSource for bytes. */
export function toSource(input: string | Uint8Array | ByteSource, name?: string): ByteSource {
  if (typeof input === 'string') return new FileSource(input);
  if (input instanceof Uint8Array) return new BufferSource(input, name);
  return input;
}

/** A FormatError located in `source`. */
export function formatError(
  source: { name: string },
  message: string,
  details: Omit<ErrorDetails, 'file'> = {},
): FormatError {
  return new FormatError(message, { file: source.name, ...details });
}

/** Little-endian unsigned 64-bit integer as a number; a FormatError past 2^53. */
export function readUint64(
  view: DataView,
  at: number,
  source: { name: string },
  field: string,
  fileOffset = at,
): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw formatError(source, 'integer too large', {
      offset: fileOffset,
      field,
      expected: `at most 2^53`,
      found: String(value),
    });
  }
  return Number(value);
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
