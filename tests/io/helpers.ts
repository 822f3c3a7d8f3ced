// Test helpers that build files byte by byte, independently of the readers under test: a
// stored-only zip writer with its own CRC-32, pickle opcode emitters, and a torch.save-style
// archive builder. Oracles for the readers come from here, from committed files written by
// the original tools (tests/fixtures/io), or from closed forms.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'io');

/** A fresh temp folder removed when the process exits. */
export function tempDir(prefix = 'weightlab-io-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((part) => (part instanceof Uint8Array ? part : Uint8Array.from(part)));
  const out = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of arrays) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
export const u16 = (value: number) => {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, value, true);
  return b;
};
export const u32 = (value: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return b;
};
export const u64 = (value: number | bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(value), true);
  return b;
};
export const f32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** CRC-32 (IEEE), bit by bit: an oracle independent of the reader's table-driven one. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip with stored entries (method 0), data aligned to `align` bytes via padding in the local extra field, as torch does. */
export function buildZip(entries: { name: string; data: Uint8Array }[], align = 64): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = ascii(name);
    const crc = crc32(data);
    const unpadded = offset + 30 + nameBytes.length;
    const padding = align > 1 ? (align - ((unpadded + 4) % align)) % align : 0;
    const extra = align > 1 ? concat(u16(0x4246), u16(padding), new Uint8Array(padding)) : new Uint8Array(0);
    const local = concat(
      u32(0x04034b50),
      u16(20),
      u16(0),
      u16(0),
      u16(0),
      u16(0),
      u32(crc),
      u32(data.length),
      u32(data.length),
      u16(nameBytes.length),
      u16(extra.length),
      nameBytes,
      extra,
      data,
    );
    centrals.push(
      concat(
        u32(0x02014b50),
        u16(20),
        u16(20),
        u16(0),
        u16(0),
        u16(0),
        u16(0),
        u32(crc),
        u32(data.length),
        u32(data.length),
        u16(nameBytes.length),
        u16(0),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(offset),
        nameBytes,
      ),
    );
    locals.push(local);
    offset += local.length;
  }
  const directory = concat(...centrals);
  const end = concat(
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(entries.length),
    u16(entries.length),
    u32(directory.length),
    u32(offset),
    u16(0),
  );
  return concat(...locals, directory, end);
}

/** Pickle opcode emitters (protocol 2 unless noted); see CPython Lib/pickletools.py. */
export const op = {
  proto: (n = 2) => [0x80, n],
  stop: () => [0x2e],
  mark: () => [0x28],
  global: (module: string, name: string) => concat([0x63], ascii(`${module}\n${name}\n`)),
  stackGlobal: () => [0x93],
  string: (text: string) => {
    const bytes = Uint8Array.from(Buffer.from(text, 'utf8'));
    return concat([0x58], u32(bytes.length), bytes);
  },
  int: (n: number) =>
    n >= 0 && n < 256
      ? [0x4b, n]
      : concat(
          [0x4a],
          (() => {
            const b = new Uint8Array(4);
            new DataView(b.buffer).setInt32(0, n, true);
            return b;
          })(),
        ),
  none: () => [0x4e],
  false: () => [0x89],
  true: () => [0x88],
  emptyTuple: () => [0x29],
  emptyDict: () => [0x7d],
  tuple: () => [0x74],
  tuple2: () => [0x86],
  tuple3: () => [0x87],
  reduce: () => [0x52],
  setItem: () => [0x73],
  binPersId: () => [0x51],
  binPut: (slot: number) => [0x71, slot],
  binGet: (slot: number) => [0x68, slot],
  build: () => [0x62],
  inst: (module: string, name: string) => concat([0x69], ascii(`${module}\n${name}\n`)),
};

/** Pickle bytes of `_rebuild_tensor_v2(storage(key, dtypeStorage, numel), offset, size, stride, False, OrderedDict())`. */
export function pickledTensor(
  storageType: string,
  key: string,
  numel: number,
  offset: number,
  size: number[],
  stride: number[],
): Uint8Array {
  const ints = (values: number[]) => concat(op.mark(), ...values.map(op.int), op.tuple());
  return concat(
    op.global('torch._utils', '_rebuild_tensor_v2'),
    op.mark(),
    op.mark(),
    op.string('storage'),
    op.global('torch', storageType),
    op.string(key),
    op.string('cpu'),
    op.int(numel),
    op.tuple(),
    op.binPersId(),
    op.int(offset),
    ints(size),
    ints(stride),
    op.false(),
    op.global('collections', 'OrderedDict'),
    op.emptyTuple(),
    op.reduce(),
    op.tuple(),
    op.reduce(),
  );
}

/** A pickled OrderedDict of the given (name, pickled value) pairs. */
export function pickledDict(items: [string, Uint8Array][]): Uint8Array {
  return concat(
    op.proto(2),
    op.global('collections', 'OrderedDict'),
    op.emptyTuple(),
    op.reduce(),
    ...items.map(([name, value]) => concat(op.string(name), value, op.setItem())),
    op.stop(),
  );
}

/** A torch.save-style zip: archive/data.pkl, archive/data/<key>, archive/version, archive/byteorder. */
export function torchArchive(
  pickle: Uint8Array,
  storages: Record<string, Uint8Array>,
  prefix = 'archive',
  byteorder = 'little',
): Uint8Array {
  return buildZip([
    { name: `${prefix}/data.pkl`, data: pickle },
    { name: `${prefix}/byteorder`, data: ascii(byteorder) },
    ...Object.entries(storages).map(([key, data]) => ({ name: `${prefix}/data/${key}`, data })),
    { name: `${prefix}/version`, data: ascii('3\n') },
  ]);
}

// A few protobuf encoders, enough to write an ONNX ModelProto by hand.
export const varint = (value: number | bigint): number[] => {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
};
export const key = (field: number, wire: number) => varint(field * 8 + wire);
export const varintField = (field: number, value: number | bigint) => concat(key(field, 0), varint(value));
export const bytesField = (field: number, bytes: Uint8Array) => concat(key(field, 2), varint(bytes.length), bytes);
export const textField = (field: number, text: string) => bytesField(field, ascii(text));

export function valueInfo(name: string, elementType: number, dims: number[]): Uint8Array {
  const shape = concat(...dims.map((d) => bytesField(1, varintField(1, d))));
  return concat(
    textField(1, name),
    bytesField(2, bytesField(1, concat(varintField(1, elementType), bytesField(2, shape)))),
  );
}

export function onnxModel(initializers: Uint8Array[], outputs: [string, string, number, number[]][]): Uint8Array {
  const nodes = outputs.map(([input, output]) =>
    bytesField(1, concat(textField(1, input), textField(2, output), textField(4, 'Identity'))),
  );
  const graph = concat(
    ...nodes,
    textField(2, 'g'),
    ...initializers.map((t) => bytesField(5, t)),
    ...outputs.map(([, output, type, dims]) => bytesField(12, valueInfo(output, type, dims))),
  );
  return concat(varintField(1, 8), bytesField(8, concat(textField(1, ''), varintField(2, 13))), bytesField(7, graph));
}
