// A read-only zip reader for the two containers weight files use: PyTorch checkpoints
// (torch.save since 1.6: stored entries, 64-byte aligned, ZIP64 past 4 GiB) and NumPy .npz
// (stored or deflated, ZIP64 local headers). It reads only the central directory up front;
// entries are read on demand, stored ones with positional reads, deflated ones streamed through
// a bounded inflater when (and only when) their bytes are asked for, every entry checked against
// its CRC-32 the first time it is read. Entries that overlap (the trick behind non-recursive zip
// bombs; measured from the local headers, whose extra fields may differ from the central
// directory's), sizes past the file, encryption and unknown methods are refused with the entry named.
// Format: PKWARE APPNOTE.TXT 6.3 (sections 4.3 and 4.5.3).

import { checkRange, dataView, formatError, toSource, type ByteSource } from './byte-source';
import { crc32, inflateStream } from './inflate';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const MAX_CENTRAL_DIRECTORY = 256 * 1024 * 1024;
/** Bytes per read when a stored entry is streamed through its CRC check. */
const CRC_BLOCK = 1 << 20;
/** Reads up to this size that stop short of the end of a larger entry are header peeks: they skip the CRC check. */
const HEADER_PEEK = 64 * 1024;

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

export interface ZipReadOptions {
  /** Largest entry (uncompressed) that may be inflated into memory (default 4 GiB). */
  maxEntryBytes?: number;
}

export class ZipArchive {
  readonly source: ByteSource;
  readonly entries: ZipEntry[];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly dataOffsets = new Map<ZipEntry, number>();
  private readonly maxEntryBytes: number;

  constructor(input: string | Uint8Array | ByteSource, options: ZipReadOptions = {}) {
    this.source = toSource(input);
    this.maxEntryBytes = options.maxEntryBytes ?? 2 ** 32;
    const { entries, directoryOffset } = readCentralDirectory(this.source);
    this.entries = entries;
    for (const entry of this.entries) this.byName.set(entry.name, entry);
    this.checkNoOverlap(directoryOffset);
  }

  /** Entries must not share bytes: overlapping entries let a small file expand into many large ones. */
  private checkNoOverlap(directoryOffset: number): void {
    const sorted = [...this.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    for (let i = 0; i < sorted.length; i++) {
      const entry = sorted[i];
      const end = this.dataOffset(entry) + entry.compressedSize;
      const next = i + 1 < sorted.length ? sorted[i + 1] : undefined;
      const limit = next ? next.localHeaderOffset : directoryOffset;
      if (end > limit) {
        throw formatError(this.source, next ? 'zip entries overlap' : 'entry data runs into the central directory', {
          field: entry.name,
          offset: this.dataOffset(entry),
          expected: `data ending by ${limit}${next ? ` (where '${next.name}' starts)` : ''}`,
          found: `data ending at ${end}`,
        });
      }
    }
  }

  get names(): string[] {
    return this.entries.map((entry) => entry.name);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  entry(name: string): ZipEntry {
    const entry = this.byName.get(name);
    if (!entry) throw formatError(this.source, 'zip archive has no such entry', { field: name });
    return entry;
  }

  /** Absolute offset of the entry's data (after its local header). */
  dataOffset(entry: ZipEntry): number {
    let offset = this.dataOffsets.get(entry);
    if (offset !== undefined) return offset;
    const local = dataView(this.source.read(entry.localHeaderOffset, 30, `local header of '${entry.name}'`));
    if (local.getUint32(0, true) !== LOCAL) {
      throw formatError(this.source, 'bad local header signature', {
        offset: entry.localHeaderOffset,
        field: entry.name,
      });
    }
    offset = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
    if (offset + entry.compressedSize > this.source.size) {
      throw formatError(this.source, 'entry data runs past the end of the file', {
        offset,
        field: entry.name,
        expected: `${entry.compressedSize} bytes`,
      });
    }
    this.dataOffsets.set(entry, offset);
    return offset;
  }

  /** The entry's bytes as a source; nothing is read or inflated until a read, and every read is checked (size, CRC-32). */
  entrySource(entry: ZipEntry): ByteSource {
    return new ZipEntrySource(this, entry, this.maxEntryBytes);
  }

  /** The whole entry, inflated within its declared size and CRC checked. */
  read(entry: ZipEntry): Uint8Array {
    return this.entrySource(entry).read(0, entry.size, `entry '${entry.name}'`);
  }
}

/**
 * One entry as a ByteSource. Stored entries are windows of the file whose CRC-32 is checked, in
 * bounded steps, at the first read that reaches the entry's end, is larger than a header peek, or
 * falls in an entry no larger than one (an .npy preamble read at open time does not read a large
 * entry whole; a tensor load does). Deflated
 * entries are streamed through the inflater at each read, keeping only the bytes asked for,
 * stopping the moment the output passes the declared size, and checking size and CRC-32 at the
 * end of the stream. Memory is the bytes returned plus a constant.
 */
class ZipEntrySource implements ByteSource {
  readonly name: string;
  readonly size: number;
  private verified = false;

  constructor(
    private readonly archive: ZipArchive,
    private readonly entry: ZipEntry,
    private readonly maxEntryBytes: number,
  ) {
    this.name = `${archive.source.name}:${entry.name}`;
    this.size = entry.size;
  }

  read(offset: number, length: number, what = 'data'): Uint8Array {
    const { archive, entry } = this;
    const file = archive.source;
    checkRange(this, offset, length, what);
    const dataOffset = archive.dataOffset(entry);
    if (entry.method === 0) {
      const bytes = file.read(dataOffset + offset, length, what);
      // A header peek into a large entry (an npy preamble) does not pay for reading the whole entry; any other read does, once.
      if (!this.verified && (offset + length === entry.size || length > HEADER_PEEK || entry.size <= HEADER_PEEK)) {
        const crc = offset === 0 && length === entry.size ? crc32(bytes) : this.storedCrc(dataOffset);
        this.checkCrc(crc, dataOffset);
        this.verified = true;
      }
      return bytes;
    }
    if (entry.size > this.maxEntryBytes) {
      throw formatError(file, 'entry is larger than the allowed limit', {
        field: entry.name,
        expected: `at most ${this.maxEntryBytes} bytes`,
        found: `${entry.size}`,
      });
    }
    const result = inflateStream({
      read: (at, count) => file.read(dataOffset + at, count, `entry '${entry.name}'`),
      compressedSize: entry.compressedSize,
      limit: entry.size,
      from: offset,
      length,
      what: `entry '${entry.name}'`,
      where: { file: file.name, offset: dataOffset, field: entry.name },
    });
    if (result.total !== entry.size) {
      throw formatError(file, 'entry inflates to a different size than declared', {
        offset: dataOffset,
        field: entry.name,
        expected: `${entry.size} bytes`,
        found: `${result.total}`,
      });
    }
    this.checkCrc(result.crc, dataOffset);
    this.verified = true;
    return result.bytes;
  }

  private storedCrc(dataOffset: number): number {
    let crc = 0;
    for (let at = 0; at < this.entry.size; at += CRC_BLOCK) {
      crc = crc32(
        this.archive.source.read(
          dataOffset + at,
          Math.min(CRC_BLOCK, this.entry.size - at),
          `entry '${this.entry.name}'`,
        ),
        crc,
      );
    }
    return crc;
  }

  private checkCrc(crc: number, dataOffset: number): void {
    if (crc !== this.entry.crc) {
      throw formatError(this.archive.source, 'entry fails its CRC-32 check', {
        offset: dataOffset,
        field: this.entry.name,
        expected: `0x${this.entry.crc.toString(16).padStart(8, '0')}`,
        found: `0x${crc.toString(16).padStart(8, '0')}`,
      });
    }
  }
}

function findEndOfCentralDirectory(source: ByteSource): { at: number; view: DataView } {
  const tailLength = Math.min(source.size, 22 + 65535);
  const tailStart = source.size - tailLength;
  const tail = source.read(tailStart, tailLength, 'end of central directory');
  const view = dataView(tail);
  for (let i = tailLength - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD && i + 22 + view.getUint16(i + 20, true) <= tailLength) {
      return { at: tailStart + i, view: new DataView(tail.buffer, tail.byteOffset + i, 22) };
    }
  }
  throw formatError(source, 'not a zip file (no end of central directory record)', {
    expected: 'signature PK\\x05\\x06 in the last 64 KiB',
  });
}

function readCentralDirectory(source: ByteSource): { entries: ZipEntry[]; directoryOffset: number } {
  if (source.size < 22)
    throw formatError(source, 'too short for a zip file', { expected: 'at least 22 bytes', found: `${source.size}` });
  const { at: eocdAt, view: eocd } = findEndOfCentralDirectory(source);
  let count = eocd.getUint16(10, true);
  let cdSize = eocd.getUint32(12, true);
  let cdOffset = eocd.getUint32(16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: a locator just before the classic record points at the 64-bit record.
    if (eocdAt < 20) throw formatError(source, 'ZIP64 locator missing', { offset: eocdAt });
    const locator = dataView(source.read(eocdAt - 20, 20, 'ZIP64 locator'));
    if (locator.getUint32(0, true) !== ZIP64_LOCATOR)
      throw formatError(source, 'ZIP64 locator missing', { offset: eocdAt - 20 });
    const recordAt = Number(locator.getBigUint64(8, true));
    const record = dataView(source.read(recordAt, 56, 'ZIP64 end of central directory'));
    if (record.getUint32(0, true) !== ZIP64_EOCD)
      throw formatError(source, 'bad ZIP64 end of central directory', { offset: recordAt });
    count = Number(record.getBigUint64(32, true));
    cdSize = Number(record.getBigUint64(40, true));
    cdOffset = Number(record.getBigUint64(48, true));
  }
  if (
    !Number.isSafeInteger(cdOffset) ||
    !Number.isSafeInteger(cdSize) ||
    cdOffset + cdSize > source.size ||
    cdSize > MAX_CENTRAL_DIRECTORY
  ) {
    throw formatError(source, 'central directory lies outside the file', {
      offset: cdOffset,
      expected: `within ${source.size} bytes`,
      found: `${cdSize} bytes`,
    });
  }
  if (count > cdSize / 46)
    throw formatError(source, 'more entries than the central directory can hold', {
      offset: cdOffset,
      found: String(count),
    });
  const directory = source.read(cdOffset, cdSize, 'central directory');
  const view = dataView(directory);
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdSize || view.getUint32(at, true) !== CENTRAL) {
      throw formatError(source, 'bad central directory entry', { offset: cdOffset + at, field: `entry ${i}` });
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    if (at + 46 + nameLength + extraLength + commentLength > cdSize)
      throw formatError(source, 'central directory entry runs past its end', { offset: cdOffset + at });
    let name: string;
    try {
      name = STRICT_UTF8.decode(directory.subarray(at + 46, at + 46 + nameLength));
    } catch {
      throw formatError(source, 'zip entry name is not valid UTF-8', {
        offset: cdOffset + at + 46,
        field: `entry ${i}`,
        found: Buffer.from(directory.subarray(at + 46, at + 46 + Math.min(nameLength, 32))).toString('hex'),
      });
    }
    // ZIP64 extra field (id 1): 64-bit values for exactly those fields that are 0xFFFFFFFF, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (extra + 4 + length > extraEnd) break;
      if (id === 1) {
        let field = extra + 4;
        const next = (): number => {
          if (field + 8 > extra + 4 + length) throw formatError(source, 'ZIP64 extra field too short', { field: name });
          const value = Number(view.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      extra += 4 + length;
    }
    at += 46 + nameLength + extraLength + commentLength;
    if (flags & 1) throw formatError(source, 'encrypted zip entries are not supported', { field: name });
    if (method !== 0 && method !== 8)
      throw formatError(source, 'unsupported zip compression method', {
        field: name,
        expected: '0 (stored) or 8 (deflate)',
        found: String(method),
      });
    if (method === 0 && compressedSize !== size) {
      throw formatError(source, 'stored entry has different compressed and uncompressed sizes', {
        field: name,
        expected: `${size}`,
        found: `${compressedSize}`,
      });
    }
    if (
      !Number.isSafeInteger(size) ||
      !Number.isSafeInteger(compressedSize) ||
      localHeaderOffset + 30 + compressedSize > cdOffset
    ) {
      throw formatError(source, 'entry lies outside the data area', {
        field: name,
        offset: localHeaderOffset,
        expected: `before the central directory at ${cdOffset}`,
      });
    }
    if (names.has(name)) throw formatError(source, 'duplicate zip entry name', { field: name });
    names.add(name);
    entries.push({ name, method, compressedSize, size, crc, localHeaderOffset });
  }
  return { entries, directoryOffset: cdOffset };
}
