// A minimal Protocol Buffers wire-format reader: enough to walk an ONNX model to its
// initializers without a generated schema or a dependency. It decodes tags, varints,
// fixed-width values and length-delimited ranges, and checks every length against the
// message end, so a corrupt length is an error naming its offset, never a huge allocation.
// Wire format: https://protobuf.dev/programming-guides/encoding/

import { FormatError } from '../errors';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

export interface ProtoField {
  field: number;
  wire: number;
  /** For varints: the value (bigint when above 2^53). */
  value?: number | bigint;
  /** For length-delimited and fixed fields: the byte range [start, end) of the payload. */
  start: number;
  end: number;
}

export class ProtoReader {
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    private at = 0,
    private readonly end = bytes.length,
  ) {}

  get done(): boolean {
    return this.at >= this.end;
  }

  private fail(message: string): never {
    throw new FormatError(message, { file: this.file, offset: this.at });
  }

  /** A varint as a bigint (up to 10 bytes). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) this.fail('protobuf varint runs past the end of its message (truncated?)');
      const byte = this.bytes[this.at++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    return this.fail('protobuf varint longer than 10 bytes');
  }

  /** A varint as a number when safe, else a bigint. */
  varint(): number | bigint {
    // Fast path: up to 4 bytes fit in 28 bits.
    let result = 0;
    const start = this.at;
    for (let i = 0; i < 4 && this.at < this.end; i++) {
      const byte = this.bytes[this.at++];
      result |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) return result >>> 0;
    }
    this.at = start;
    const big = this.varintBig();
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  /** The next field, with its payload range; the reader moves past it. */
  next(): ProtoField {
    const key = this.varint();
    if (typeof key !== 'number' || key === 0) this.fail('invalid protobuf field key');
    const field = Math.floor((key as number) / 8);
    const wire = (key as number) & 7;
    const start = this.at;
    switch (wire) {
      case WIRE_VARINT:
        return { field, wire, value: this.varint(), start, end: this.at };
      case WIRE_FIXED64:
        this.skip(8);
        return { field, wire, start, end: this.at };
      case WIRE_FIXED32:
        this.skip(4);
        return { field, wire, start, end: this.at };
      case WIRE_LENGTH: {
        const length = this.varint();
        if (typeof length !== 'number') this.fail('protobuf length too large');
        const payload = this.at;
        this.skip(length as number);
        return { field, wire, start: payload, end: this.at };
      }
      default:
        return this.fail(`unsupported protobuf wire type ${wire}`);
    }
  }

  private skip(length: number): void {
    if (this.at + length > this.end) this.fail('protobuf field runs past the end of its message (truncated?)');
    this.at += length;
  }

  /** A reader over a length-delimited field's payload. */
  sub(field: ProtoField): ProtoReader {
    return new ProtoReader(this.bytes, this.file, field.start, field.end);
  }

  text(field: ProtoField): string {
    return new TextDecoder().decode(this.bytes.subarray(field.start, field.end));
  }
}
