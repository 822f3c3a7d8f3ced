// Result tables as Parquet files, the columnar format pandas, Polars, DuckDB and Spark read
// natively, for sharing measurements with a paper's artifacts. A table of results is small
// (thousands of rows), so the writer is the plainest the format allows and needs no dependency:
// one row group, one uncompressed data page per column, PLAIN values, every column OPTIONAL with
// its nulls as definition levels; the footer is Thrift's compact protocol, written here.
// Format: the Apache Parquet specification (parquet.thrift, "Data Pages", "Encodings").

import { ArgumentError } from '../errors';

/** Parquet's physical types (parquet.thrift `Type`). */
const PHYSICAL = { BOOLEAN: 0, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
/** The legacy logical annotations every reader knows (parquet.thrift `ConvertedType`). */
const CONVERTED = { UTF8: 0, TIMESTAMP_MILLIS: 9, JSON: 19 } as const;
const OPTIONAL = 1;
const ENCODING = { PLAIN: 0, RLE: 3 } as const;
const UNCOMPRESSED = 0;
const DATA_PAGE = 0;

/** Thrift compact protocol field types. */
const T = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

/** A Thrift value to encode: a field list is a struct, an array a list of one element type. */
type ThriftValue =
  | { i32: number }
  | { i64: number | bigint }
  | { binary: string }
  | { list: ThriftValue[]; element: number }
  | { struct: ThriftField[] };
/** A struct field: its id and value (absent optional fields are left out of the list). */
type ThriftField = [id: number, value: ThriftValue];

/** Bytes of a growing buffer. */
class ByteWriter {
  private chunks: number[] = [];
  private parts: Uint8Array[] = [];
  private length = 0;
  byte(value: number): void {
    this.chunks.push(value & 0xff);
  }
  bytes(value: Uint8Array): void {
    this.flush();
    this.parts.push(value);
    this.length += value.byteLength;
  }
  /** Unsigned LEB128 (Thrift's varint) of a non-negative integer. */
  varint(value: bigint): void {
    let rest = value;
    while (rest >= 0x80n) {
      this.byte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.byte(Number(rest));
  }
  /** Zigzag varint, Thrift compact's encoding of i16/i32/i64. */
  zigzag(value: bigint): void {
    this.varint(value >= 0n ? value << 1n : (-value << 1n) - 1n);
  }
  private flush(): void {
    if (this.chunks.length === 0) return;
    this.parts.push(Uint8Array.from(this.chunks));
    this.length += this.chunks.length;
    this.chunks = [];
  }
  result(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.byteLength;
    }
    return out;
  }
}

function thriftType(value: ThriftValue): number {
  if ('i32' in value) return T.I32;
  if ('i64' in value) return T.I64;
  if ('binary' in value) return T.BINARY;
  if ('list' in value) return T.LIST;
  return T.STRUCT;
}

function writeThrift(out: ByteWriter, value: ThriftValue): void {
  if ('i32' in value) out.zigzag(BigInt(value.i32));
  else if ('i64' in value) out.zigzag(BigInt(value.i64));
  else if ('binary' in value) {
    const bytes = new TextEncoder().encode(value.binary);
    out.varint(BigInt(bytes.byteLength));
    out.bytes(bytes);
  } else if ('list' in value) {
    const size = value.list.length;
    if (size < 15) out.byte((size << 4) | value.element);
    else {
      out.byte(0xf0 | value.element);
      out.varint(BigInt(size));
    }
    for (const element of value.list) writeThrift(out, element);
  } else {
    // Field headers carry the id as a delta from the previous field's (1 to 15 fits in the header byte).
    let previous = 0;
    for (const [id, field] of value.struct) {
      const delta = id - previous;
      if (delta > 0 && delta <= 15) out.byte((delta << 4) | thriftType(field));
      else {
        out.byte(thriftType(field));
        out.zigzag(BigInt(id));
      }
      writeThrift(out, field);
      previous = id;
    }
    out.byte(0); // stop
  }
}

function thrift(value: ThriftValue): Uint8Array {
  const out = new ByteWriter();
  writeThrift(out, value);
  return out.result();
}

/** How one column is stored: its physical type, annotation, and the bytes of its present values. */
interface ColumnLayout {
  physical: number;
  converted?: number;
  encode(values: readonly unknown[], out: ByteWriter): void;
}

function littleEndian(size: number, fill: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  fill(new DataView(bytes.buffer));
  return bytes;
}

function byteArrays(strings: readonly string[], out: ByteWriter): void {
  for (const text of strings) {
    const bytes = new TextEncoder().encode(text);
    out.bytes(littleEndian(4, (view) => view.setUint32(0, bytes.byteLength, true)));
    out.bytes(bytes);
  }
}

/**
 * The storage of a column from its present values: booleans as BOOLEAN, integers (numbers that
 * are all safe integers, or bigints) as INT64, other numbers as DOUBLE, dates as millisecond
 * timestamps, strings as UTF-8, arrays and objects as JSON text. A column mixing kinds is stored
 * as text (each value as String() gives it); a column of nulls only as UTF-8.
 */
function layoutOf(name: string, values: readonly unknown[]): ColumnLayout {
  const kinds = new Set(values.map((value) => (value instanceof Date ? 'date' : typeof value)));
  const only = kinds.size === 1 ? [...kinds][0] : kinds.size === 0 ? 'string' : 'mixed';
  if (only === 'boolean')
    return {
      physical: PHYSICAL.BOOLEAN,
      encode: (present, out) => out.bytes(bitPacked(present.map((value) => (value ? 1 : 0)))),
    };
  if (only === 'bigint' || (only === 'number' && values.every((value) => Number.isSafeInteger(value))))
    return {
      physical: PHYSICAL.INT64,
      encode: (present, out) =>
        out.bytes(
          littleEndian(8 * present.length, (view) =>
            present.forEach((value, i) => view.setBigInt64(8 * i, BigInt(value as number | bigint), true)),
          ),
        ),
    };
  if (only === 'number')
    return {
      physical: PHYSICAL.DOUBLE,
      encode: (present, out) =>
        out.bytes(
          littleEndian(8 * present.length, (view) =>
            present.forEach((value, i) => view.setFloat64(8 * i, value as number, true)),
          ),
        ),
    };
  if (only === 'date')
    return {
      physical: PHYSICAL.INT64,
      converted: CONVERTED.TIMESTAMP_MILLIS,
      encode: (present, out) =>
        out.bytes(
          littleEndian(8 * present.length, (view) =>
            present.forEach((value, i) => view.setBigInt64(8 * i, BigInt((value as Date).getTime()), true)),
          ),
        ),
    };
  if (only === 'object')
    return {
      physical: PHYSICAL.BYTE_ARRAY,
      converted: CONVERTED.JSON,
      encode: (present, out) =>
        byteArrays(
          present.map((value) => JSON.stringify(value)),
          out,
        ),
    };
  if (only === 'string' || only === 'mixed')
    return {
      physical: PHYSICAL.BYTE_ARRAY,
      converted: CONVERTED.UTF8,
      encode: (present, out) => byteArrays(present.map(String), out),
    };
  throw new ArgumentError('a column Parquet cannot store', {
    field: name,
    expected: 'numbers, bigints, booleans, strings, dates, arrays or objects',
    found: `values of type ${only}`,
  });
}

/** Bits packed LSB first, eight to a byte (Parquet's bit-packing for width 1). */
function bitPacked(bits: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    if (bit) bytes[i >> 3] |= 1 << (i & 7);
  });
  return bytes;
}

/**
 * Definition levels (1 present, 0 null) in the RLE/bit-packed hybrid with bit width 1, as a data
 * page v1 stores them: a 4-byte length, then one bit-packed run of ceil(n/8) groups of 8.
 */
function definitionLevels(present: readonly boolean[]): Uint8Array {
  const groups = Math.ceil(present.length / 8);
  const run = new ByteWriter();
  run.varint(BigInt((groups << 1) | 1));
  run.bytes(bitPacked(present.map((flag) => (flag ? 1 : 0))));
  const body = run.result();
  const out = new Uint8Array(4 + body.byteLength);
  new DataView(out.buffer).setUint32(0, body.byteLength, true);
  out.set(body, 4);
  return out;
}

/** A Parquet file of `columns` (name → values, one per row; null or undefined is a null). */
export function parquetBytes(columns: ReadonlyArray<readonly [string, readonly unknown[]]>, rows: number): Uint8Array {
  const out = new ByteWriter();
  const magic = new TextEncoder().encode('PAR1');
  out.bytes(magic);
  let offset = magic.byteLength;
  const schema: ThriftValue[] = [
    {
      struct: [
        [4, { binary: 'schema' }],
        [5, { i32: columns.length }],
      ],
    },
  ];
  const chunks: ThriftValue[] = [];
  let totalBytes = 0;
  for (const [name, values] of columns) {
    if (values.length !== rows)
      throw new ArgumentError('a column of another length than the table', {
        field: name,
        expected: `${rows} values`,
        found: `${values.length}`,
      });
    const flags = values.map((value) => value !== null && value !== undefined);
    const present = values.filter((_, i) => flags[i]);
    const layout = layoutOf(name, present);
    const page = new ByteWriter();
    page.bytes(definitionLevels(flags));
    layout.encode(present, page);
    const pageBytes = page.result();
    const header = thrift({
      struct: [
        [1, { i32: DATA_PAGE }],
        [2, { i32: pageBytes.byteLength }],
        [3, { i32: pageBytes.byteLength }],
        [
          5,
          {
            struct: [
              [1, { i32: rows }],
              [2, { i32: ENCODING.PLAIN }],
              [3, { i32: ENCODING.RLE }],
              [4, { i32: ENCODING.RLE }],
            ],
          },
        ],
      ],
    });
    const chunkSize = header.byteLength + pageBytes.byteLength;
    schema.push({
      struct: [
        [1, { i32: layout.physical }],
        [3, { i32: OPTIONAL }],
        [4, { binary: name }],
        ...(layout.converted === undefined ? [] : ([[6, { i32: layout.converted }]] as ThriftField[])),
      ],
    });
    chunks.push({
      struct: [
        [2, { i64: offset }],
        [
          3,
          {
            struct: [
              [1, { i32: layout.physical }],
              [2, { list: [{ i32: ENCODING.PLAIN }, { i32: ENCODING.RLE }], element: T.I32 }],
              [3, { list: [{ binary: name }], element: T.BINARY }],
              [4, { i32: UNCOMPRESSED }],
              [5, { i64: rows }],
              [6, { i64: chunkSize }],
              [7, { i64: chunkSize }],
              [9, { i64: offset }],
            ],
          },
        ],
      ],
    });
    out.bytes(header);
    out.bytes(pageBytes);
    offset += chunkSize;
    totalBytes += chunkSize;
  }
  const footer = thrift({
    struct: [
      [1, { i32: 1 }],
      [2, { list: schema, element: T.STRUCT }],
      [3, { i64: rows }],
      [
        4,
        {
          list: [
            {
              struct: [
                [1, { list: chunks, element: T.STRUCT }],
                [2, { i64: totalBytes }],
                [3, { i64: rows }],
              ],
            },
          ],
          element: T.STRUCT,
        },
      ],
      [6, { binary: 'weightlab' }],
    ],
  });
  out.bytes(footer);
  out.bytes(littleEndian(4, (view) => view.setUint32(0, footer.byteLength, true)));
  out.bytes(magic);
  return out.result();
}
