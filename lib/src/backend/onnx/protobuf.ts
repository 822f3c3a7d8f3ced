// A minimal protocol-buffers writer: just enough of the wire format (varints, length-delimited
// fields) to serialise the handful of ONNX messages the backend builds in memory. Writing our
// own avoids the onnx/protobufjs packages (large, and old protobufjs majors) for ~60 lines.
//
// Wire format: each field is a key varint (field_number << 3 | wire_type) then the value;
// wire type 0 = varint (int32/int64/enum), 2 = length-delimited (string, bytes, sub-message).

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

const encoder = new TextEncoder();

/** Accumulates the bytes of one message; sub-messages are written into their own writer. */
export class ProtoWriter {
  private readonly chunks: number[] = [];

  private varint(value: number | bigint): void {
    // int64 fields carry negative values as 10-byte two's complement; weightlab only writes
    // non-negative ones (versions, dims, flags), which is checked rather than silently wrapped.
    let v = BigInt(value);
    if (v < 0n) throw new RangeError('negative varints are not used by the ONNX writer');
    while (v >= 0x80n) {
      this.chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }

  private key(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** An int32/int64/enum/bool field. */
  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A length-delimited bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    for (const byte of value) this.chunks.push(byte);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** An embedded message field. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
