// The hostile-file corpus (issue 16): every crafted input the readers must contain, bound and
// read strictly, built byte by byte into a temp folder by the test that uses it, next to the
// valid files that must keep reading correctly. Each case says what must happen (a typed
// refusal, a correct read, or either) and whether it is big enough to run in its own child
// process under a 512 MB heap (bombs, billion laughs, huge integers). The attacks follow what
// an attack run found against torch.load(weights_only=True) and numpy's allow_pickle=False.
// The zoo loader's cases (zoo-cases.ts) and the kernel's and `weightlab run`'s over the wire
// (wire-cases.ts) join them at the end, so one test reports on every surface.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Tensor, encodeNpy, encodeSafetensors, readWeights, writeSafetensors } from 'weightlab/internal';
import { MARKER, type AttackCase } from './case';
import { wireCases } from './wire-cases';
import { zooCases } from './zoo-cases';
import { ascii, buildZip, bytesField, concat, crc32, f32, onnxModel, op, pickledDict, pickledTensor, textField, torchArchive, u16, u32, u64, varintField } from '../helpers';

export { MARKER, ReportedError, type AttackCase, type Expectation } from './case';

const write = (file: string, bytes: Uint8Array | string): string => { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, bytes); return file; };
const float32 = (values: number[]) => Tensor.from(values, [values.length], 'float32');

/** Opens any file through the one entry point and loads every tensor. */
function loadAll(target: string): Map<string, number[]> {
  const set = readWeights(target);
  return new Map(set.names.map((name) => [name, [...set.get(name).toFloat64()]]));
}

function expectValues(target: string, expected: Record<string, number[]>): void {
  const got = loadAll(target);
  assert.deepEqual([...got.keys()].sort(), Object.keys(expected).sort());
  for (const [name, values] of Object.entries(expected)) assert.deepEqual(got.get(name), values, `tensor '${name}'`);
}

// ---- zip by hand: stored or deflated entries with declared sizes and CRCs we choose ----

interface RawEntry {
  name: string; method: 0 | 8; payload: Uint8Array; size: number; crc: number;
  localExtra?: Uint8Array;
  /** Compressed size to declare when it is not the payload's length (a lie). */
  compressedSize?: number;
}

function rawZip(entries: RawEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = ascii(entry.name);
    const extra = entry.localExtra ?? new Uint8Array(0);
    const sizes = [u32(entry.crc), u32(entry.compressedSize ?? entry.payload.length), u32(entry.size)];
    const local = concat(u32(0x04034b50), u16(20), u16(0), u16(entry.method), u16(0), u16(0), ...sizes, u16(name.length), u16(extra.length), name, extra, entry.payload);
    centrals.push(concat(u32(0x02014b50), u16(20), u16(20), u16(0), u16(entry.method), u16(0), u16(0), ...sizes, u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(offset), name));
    locals.push(local);
    offset += local.length;
  }
  const directory = concat(...centrals);
  return concat(...locals, directory, u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(directory.length), u32(offset), u16(0));
}

const deflated = (name: string, data: Uint8Array): RawEntry => ({ name, method: 8, payload: zlib.deflateRawSync(data), size: data.length, crc: crc32(data) });
const stored = (name: string, data: Uint8Array): RawEntry => ({ name, method: 0, payload: data, size: data.length, crc: crc32(data) });

/**
 * A raw deflate stream of `head` followed by `zeros` zero bytes, built from one sync-flushed 1 MiB block
 * repeated (each block starts with a literal, so it needs no history): 1 GiB costs ~1 MB and no time.
 */
function zeroStream(head: Uint8Array, zeros: number): { payload: Uint8Array; crc: number } {
  const MiB = 1 << 20;
  assert.equal(zeros % MiB, 0);
  const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const block = zlib.deflateRawSync(Buffer.alloc(MiB), flush);
  const parts: Uint8Array[] = [zlib.deflateRawSync(Buffer.from(head), flush)];
  const zero = Buffer.alloc(MiB);
  let crc = zlib.crc32(Buffer.from(head));
  for (let i = 0; i < zeros / MiB; i++) { parts.push(block); crc = zlib.crc32(zero, crc); }
  parts.push(Uint8Array.from([0x03, 0x00])); // final empty fixed-Huffman block
  return { payload: concat(...parts), crc };
}

// ---- pickles ----

const tensorW = pickledTensor('FloatStorage', '0', 4, 0, [4], [1]);
const storageW = f32(1, 2, 3, 4);

/** A torch.save-style archive whose data.pkl holds `pickle` and one storage '0' of 1, 2, 3, 4. */
const torchFile = (pickle: Uint8Array) => torchArchive(pickle, { 0: storageW });

/** Pickle value bytes that call module.name(text) with GLOBAL + REDUCE. */
const callWithText = (module: string, name: string, text: string) => concat(op.global(module, name), op.string(text), [0x85], op.reduce());

/** Pickle value bytes building the list L_depth, L_0 = [1, 1], L_i = [L_(i-1), L_(i-1)], via the memo; L_depth stays on the stack. */
function laughs(depth: number): Uint8Array {
  const parts: (Uint8Array | number[])[] = [[0x5d], op.mark(), op.int(1), op.int(1), [0x65], op.binPut(0)];
  for (let i = 1; i <= depth; i++) parts.push([0x30], op.mark(), op.binGet(i - 1), op.binGet(i - 1), [0x6c], op.binPut(i));
  return concat(...parts);
}

/** The legacy (pre-1.6) torch.save layout: magic, protocol, sys_info, the object, the key list, then each storage. */
function legacyCheckpoint(object: Uint8Array, keys: string[], storages: Uint8Array[]): Uint8Array {
  const magic = concat(op.proto(2), [0x8a, 10], Uint8Array.from([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]), op.stop());
  const protocol = concat(op.proto(2), [0x4d], u16(1001), op.stop());
  const sysInfo = concat(op.proto(2), op.emptyDict(), op.stop());
  const keyList = concat(op.proto(2), op.mark(), ...keys.map(op.string), [0x6c], op.stop());
  return concat(magic, protocol, sysInfo, object, keyList, ...storages.map((data, i) => concat(u64(data.length / 4), storages[i])));
}

/** A legacy tensor: storage '0' (FloatStorage, `numel`), seen through the view (key, offset, size) when given. */
function legacyTensor(numel: number, view: [string, number, number] | undefined, size: number[]): Uint8Array {
  const viewBytes = view ? concat(op.mark(), op.string(view[0]), op.int(view[1]), op.int(view[2]), op.tuple()) : Uint8Array.from(op.none());
  const ints = (values: number[]) => concat(op.mark(), ...values.map(op.int), op.tuple());
  return concat(
    op.global('torch._utils', '_rebuild_tensor_v2'), op.mark(),
    op.mark(), op.string('storage'), op.global('torch', 'FloatStorage'), op.string('0'), op.string('cpu'), op.int(numel), viewBytes, op.tuple(), op.binPersId(),
    op.int(0), ints(size), ints(size.map(() => 1)), op.false(), op.global('collections', 'OrderedDict'), op.emptyTuple(), op.reduce(),
    op.tuple(), op.reduce(),
  );
}

// ---- safetensors and npy by hand ----

function safetensorsBytes(header: string | Uint8Array, data: Uint8Array): Uint8Array {
  const text = typeof header === 'string' ? ascii(header) : header;
  return concat(u64(text.length), text, data);
}

function npyBytes(headerText: string, data: Uint8Array): Uint8Array {
  let text = headerText;
  text += ' '.repeat((64 - ((10 + text.length + 1) % 64)) % 64) + '\n';
  return concat(ascii('\x93NUMPY'), [1, 0], u16(text.length), ascii(text), data);
}

// ---- tfjs and the hub cache layout ----

function tfjsModel(folder: string, paths: string[], weights: { name: string; shape: number[]; dtype: string }[]): string {
  return write(path.join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', weightsManifest: [{ paths, weights }] }));
}

/** A secret outside the model folder that no reader may return. */
function secret(dir: string): string {
  return write(path.join(dir, 'outside', 'secret.bin'), f32(6.5, 7.5, 8.5, 9.5));
}

function onnxExternal(location: string): Uint8Array {
  const external = concat(bytesField(13, concat(textField(1, 'location'), textField(2, location))), bytesField(13, concat(textField(1, 'length'), textField(2, '16'))));
  return onnxModel([concat(varintField(1, 4), varintField(2, 1), textField(8, 'W'), external, varintField(14, 1))], []);
}

// ---- the corpus ----

const refuse = (target: string) => { loadAll(target); };

export function attackCases(): AttackCase[] {
  const cases: AttackCase[] = [];
  const add = (c: AttackCase) => cases.push(c);

  // Containment: symlinks out of the folder the user named.
  add({ name: 'tfjs shard is a symlink to a file outside', group: 'containment', expect: 'refuse', build: (dir) => {
    fs.mkdirSync(path.join(dir, 'model'));
    fs.symlinkSync(secret(dir), path.join(dir, 'model', 'shard1.bin'));
    return tfjsModel(path.join(dir, 'model'), ['shard1.bin'], [{ name: 'w', shape: [4], dtype: 'float32' }]);
  }, read: refuse });
  add({ name: 'tfjs shard inside a subfolder that is a symlink outside', group: 'containment', expect: 'refuse', build: (dir) => {
    secret(dir);
    fs.mkdirSync(path.join(dir, 'model'));
    fs.symlinkSync(path.join(dir, 'outside'), path.join(dir, 'model', 'sub'));
    return tfjsModel(path.join(dir, 'model'), ['sub/secret.bin'], [{ name: 'w', shape: [4], dtype: 'float32' }]);
  }, read: refuse });
  add({ name: 'tfjs uint8 weight without quantization through a symlink', group: 'containment', expect: 'refuse', build: (dir) => {
    fs.mkdirSync(path.join(dir, 'model'));
    fs.symlinkSync(secret(dir), path.join(dir, 'model', 'shard1.bin'));
    return tfjsModel(path.join(dir, 'model'), ['shard1.bin'], [{ name: 'w', shape: [16], dtype: 'uint8' }]);
  }, read: refuse });
  add({ name: 'tfjs shard path with ..', group: 'containment', expect: 'refuse', build: (dir) => {
    secret(dir);
    return tfjsModel(path.join(dir, 'model'), ['../outside/secret.bin'], [{ name: 'w', shape: [4], dtype: 'float32' }]);
  }, read: refuse });
  add({ name: 'tfjs shard given as an absolute path', group: 'containment', expect: 'refuse', build: (dir) => tfjsModel(path.join(dir, 'model'), [secret(dir)], [{ name: 'w', shape: [4], dtype: 'float32' }]), read: refuse });
  add({ name: 'ONNX external data is a symlink outside', group: 'containment', expect: 'refuse', build: (dir) => {
    fs.mkdirSync(path.join(dir, 'model'));
    fs.symlinkSync(secret(dir), path.join(dir, 'model', 'weights.bin'));
    return write(path.join(dir, 'model', 'model.onnx'), onnxExternal('weights.bin'));
  }, read: refuse });
  add({ name: 'safetensors index shard is a symlink outside', group: 'containment', expect: 'refuse', build: (dir) => {
    write(path.join(dir, 'outside', 'shard.safetensors'), encodeSafetensors({ w: float32([6.5, 7.5]) }));
    fs.mkdirSync(path.join(dir, 'model'));
    fs.symlinkSync(path.join(dir, 'outside', 'shard.safetensors'), path.join(dir, 'model', 'model-00001.safetensors'));
    return write(path.join(dir, 'model', 'model.safetensors.index.json'), JSON.stringify({ weight_map: { w: 'model-00001.safetensors' } }));
  }, read: refuse });
  add({ name: 'hub cache snapshot links into its own blobs (allowed)', group: 'containment', expect: 'read', build: (dir) => {
    const repository = path.join(dir, 'hub', 'models--org--name');
    write(path.join(repository, 'blobs', 'a1b2'), encodeSafetensors({ w: float32([1, 2]) }));
    write(path.join(repository, 'blobs', 'c3d4'), JSON.stringify({ weight_map: { w: 'model-00001.safetensors' } }));
    const snapshot = path.join(repository, 'snapshots', 'rev1');
    fs.mkdirSync(snapshot, { recursive: true });
    fs.symlinkSync('../../blobs/a1b2', path.join(snapshot, 'model-00001.safetensors'));
    fs.symlinkSync('../../blobs/c3d4', path.join(snapshot, 'model.safetensors.index.json'));
    return path.join(snapshot, 'model.safetensors.index.json');
  }, read: (target) => expectValues(target, { w: [1, 2] }) });
  add({ name: 'hub cache tfjs snapshot with shards in blobs (allowed)', group: 'containment', expect: 'read', build: (dir) => {
    const repository = path.join(dir, 'hub', 'models--org--tfjs');
    write(path.join(repository, 'blobs', 'e5f6'), f32(3, 4, 5));
    const snapshot = path.join(repository, 'snapshots', 'rev2');
    fs.mkdirSync(snapshot, { recursive: true });
    fs.symlinkSync('../../blobs/e5f6', path.join(snapshot, 'group1-shard1of1.bin'));
    return tfjsModel(snapshot, ['group1-shard1of1.bin'], [{ name: 'w', shape: [3], dtype: 'float32' }]);
  }, read: (target) => expectValues(target, { w: [3, 4, 5] }) });
  add({ name: 'hub cache snapshot links into another repository', group: 'containment', expect: 'refuse', build: (dir) => {
    write(path.join(dir, 'hub', 'models--evil--other', 'blobs', 'ffff'), encodeSafetensors({ w: float32([6.5, 7.5]) }));
    const snapshot = path.join(dir, 'hub', 'models--org--name', 'snapshots', 'rev1');
    fs.mkdirSync(snapshot, { recursive: true });
    fs.symlinkSync('../../../models--evil--other/blobs/ffff', path.join(snapshot, 'model-00001.safetensors'));
    return write(path.join(snapshot, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { w: 'model-00001.safetensors' } }));
  }, read: refuse });
  add({ name: 'symlink that stays inside the model folder (allowed)', group: 'containment', expect: 'read', build: (dir) => {
    const model = path.join(dir, 'model');
    write(path.join(model, 'real', 'shard.bin'), f32(7, 8));
    fs.symlinkSync('real/shard.bin', path.join(model, 'shard1.bin'));
    return tfjsModel(model, ['shard1.bin'], [{ name: 'w', shape: [2], dtype: 'float32' }]);
  }, read: (target) => expectValues(target, { w: [7, 8] }) });

  // Format detection: a safetensors header length whose low byte is 0x80 looks like a pickle's PROTO.
  add({ name: 'safetensors whose header length has low byte 0x80', group: 'detection', expect: 'read', build: (dir) => {
    for (let length = 1; length < 200; length++) {
      const name = 'n'.repeat(length);
      const bytes = encodeSafetensors({ [name]: float32([1.5, -2]) });
      if (bytes[0] === 0x80) {
        const file = path.join(dir, 'model.safetensors');
        writeSafetensors(file, { [name]: float32([1.5, -2]) });
        return file;
      }
    }
    throw new Error('no name length gives a header length with low byte 0x80');
  }, read: (target) => { const got = loadAll(target); assert.deepEqual([...got.values()], [[1.5, -2]]); } });

  // Strict reading.
  const npzOf = (entries: RawEntry[]) => rawZip(entries);
  add({ name: 'stored npz entry whose CRC-32 does not match', group: 'strict', expect: 'refuse', build: (dir) => {
    const data = encodeNpy(float32([1, 2, 3, 4]));
    const entry = stored('a.npy', data);
    const bad = data.slice(); bad[bad.length - 1] ^= 0x40;
    return write(path.join(dir, 'bad-crc.npz'), npzOf([{ ...entry, payload: bad }]));
  }, read: refuse });
  add({ name: 'stored torch storage whose CRC-32 does not match', group: 'strict', expect: 'refuse', build: (dir) => {
    const bytes = torchFile(pickledDict([['w', tensorW]]));
    const at = Buffer.from(bytes).indexOf(Buffer.from(storageW));
    bytes[at + 15] ^= 0x01;
    return write(path.join(dir, 'bad-crc.pt'), bytes);
  }, read: refuse });
  add({ name: 'stored torch storage with a wrong CRC-32 read through a view of its first half', group: 'strict', expect: 'refuse', build: (dir) => {
    const bytes = torchFile(pickledDict([['w', pickledTensor('FloatStorage', '0', 4, 0, [2], [1])]]));
    const at = Buffer.from(bytes).indexOf(Buffer.from(storageW));
    bytes[at + 1] ^= 0x01;
    return write(path.join(dir, 'bad-crc-view.pt'), bytes);
  }, read: refuse });
  add({ name: 'zip local extra field makes two entries overlap', group: 'strict', expect: 'refuse', build: (dir) => {
    // a's local header has a 16-byte extra field the central directory does not count, and a's last 16 bytes are
    // missing: a's data, measured from its local header, ends inside b's local header (whose bytes it would read as floats).
    const a = encodeNpy(float32([1, 2, 3, 4, 5, 6, 7, 8]));
    const b = stored('b.npy', encodeNpy(float32([5, 6])));
    const shortA: RawEntry = { name: 'a.npy', method: 0, payload: a.subarray(0, a.length - 16), size: a.length, compressedSize: a.length, crc: crc32(a), localExtra: new Uint8Array(16) };
    return write(path.join(dir, 'overlap.npz'), npzOf([shortA, b]));
  }, read: refuse });
  add({ name: 'zip central directory entries that overlap', group: 'strict', expect: 'refuse', build: (dir) => {
    const bytes = buildZip([{ name: 'a.npy', data: encodeNpy(float32([1, 2])) }, { name: 'b.npy', data: encodeNpy(float32([3, 4])) }], 1);
    // Point b's central record at a's local header.
    const view = new DataView(bytes.buffer);
    const central = Buffer.from(bytes).lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    view.setUint32(central + 42, 0, true);
    return write(path.join(dir, 'central-overlap.npz'), bytes);
  }, read: refuse });
  add({ name: 'legacy checkpoint view with a negative offset', group: 'strict', expect: 'refuse', build: (dir) => {
    const object = concat(op.proto(2), op.emptyDict(), op.string('w'), legacyTensor(4, ['0v', -4, 2], [2]), op.setItem(), op.stop());
    return write(path.join(dir, 'legacy-negative.pt'), legacyCheckpoint(object, ['0'], [f32(1, 2, 3, 4)]));
  }, read: refuse });
  add({ name: 'legacy checkpoint view (valid, offset 2)', group: 'valid', expect: 'read', build: (dir) => {
    const object = concat(op.proto(2), op.emptyDict(), op.string('w'), legacyTensor(4, ['0v', 2, 2], [2]), op.setItem(), op.stop());
    return write(path.join(dir, 'legacy-view.pt'), legacyCheckpoint(object, ['0'], [f32(1, 2, 3, 4)]));
  }, read: (target) => expectValues(target, { w: [3, 4] }) });
  add({ name: 'safetensors names one tensor twice', group: 'strict', expect: 'refuse', build: (dir) => write(path.join(dir, 'dup.safetensors'), safetensorsBytes(
    '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2))), read: refuse });
  add({ name: 'safetensors entry with a field twice', group: 'strict', expect: 'refuse', build: (dir) => write(path.join(dir, 'dup-field.safetensors'), safetensorsBytes(
    '{"w":{"dtype":"I32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(1))), read: refuse });
  add({ name: 'safetensors name that is not valid UTF-8', group: 'strict', expect: 'refuse', build: (dir) => write(path.join(dir, 'latin1.safetensors'), safetensorsBytes(
    concat(ascii('{"w'), [0xff, 0xfe], ascii('":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')), f32(1))), read: refuse });
  add({ name: 'npy shape with a float (4.0,), which numpy refuses too', group: 'strict', expect: 'refuse', build: (dir) => {
    const file = write(path.join(dir, 'float-shape.npy'), npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4.0,), }", f32(1, 2, 3, 4)));
    const numpy = spawnSync('/usr/bin/python3', ['-c', 'import sys, numpy as np; np.load(sys.argv[1], allow_pickle=False)', file], { encoding: 'utf8' });
    assert.notEqual(numpy.status, 0, 'numpy reads the float shape: the oracle disagrees');
    assert.match(numpy.stderr, /shape/);
    return file;
  }, read: refuse });
  add({ name: 'npy Python 2 header with (4L,) (valid)', group: 'valid', expect: 'read', build: (dir) => write(path.join(dir, 'py2.npy'), npyBytes(
    "{'descr': '<f4', 'fortran_order': False, 'shape': (4L,), }", f32(1, 2, 3, 4))), read: (target) => expectValues(target, { 'py2': [1, 2, 3, 4] }) });

  // Bounded work and memory in the unpickler.
  add({ name: 'billion laughs passed to torch.device', group: 'bounded', heavy: true, expect: 'refuse', build: (dir) => write(path.join(dir, 'laughs-device.pt'), torchFile(pickledDict([
    ['w', tensorW], ['device', concat(laughs(40), [0x30], op.global('torch', 'device'), op.mark(), op.binGet(40), op.tuple(), op.reduce())]]))), read: refuse });
  add({ name: 'billion laughs as a tensor size', group: 'bounded', heavy: true, expect: 'refuse', build: (dir) => write(path.join(dir, 'laughs-size.pt'), torchFile(pickledDict([
    ['w', concat(laughs(40), [0x30], op.global('torch._utils', '_rebuild_tensor_v2'), op.mark(),
      op.mark(), op.string('storage'), op.global('torch', 'FloatStorage'), op.string('0'), op.string('cpu'), op.int(4), op.tuple(), op.binPersId(),
      op.int(0), op.binGet(40), op.binGet(40), op.false(), op.global('collections', 'OrderedDict'), op.emptyTuple(), op.reduce(), op.tuple(), op.reduce())]]))), read: refuse });
  add({ name: 'billion laughs kept as metadata (references, not copies)', group: 'bounded', heavy: true, expect: 'read', build: (dir) => write(path.join(dir, 'laughs-kept.pt'), torchFile(pickledDict([
    ['w', tensorW], ['junk', concat(laughs(40), [0x30], op.binGet(40))]]))), read: (target) => expectValues(target, { w: [1, 2, 3, 4] }) });
  add({ name: '200 KB LONG4 integer', group: 'bounded', heavy: true, expect: 'refuse', build: (dir) => write(path.join(dir, 'long4.pt'), torchFile(pickledDict([
    ['w', tensorW], ['seed', concat([0x8b], u32(200_000), new Uint8Array(200_000).fill(0x5a))]]))), read: refuse });
  add({ name: '200 KB decimal INT text', group: 'bounded', heavy: true, expect: 'refuse', build: (dir) => write(path.join(dir, 'int-text.pt'), torchFile(pickledDict([
    ['w', tensorW], ['seed', concat([0x49], ascii('7'.repeat(200_000)), [0x0a])]]))), read: refuse });
  add({ name: '300k items in one APPENDS (valid)', group: 'bounded', heavy: true, expect: 'read', build: (dir) => {
    const items = new Uint8Array(600_000);
    for (let i = 0; i < items.length; i += 2) { items[i] = 0x4b; items[i + 1] = 7; }
    return write(path.join(dir, 'appends.pt'), torchFile(pickledDict([['w', tensorW], ['history', concat([0x5d], op.mark(), items, [0x65])]])));
  }, read: (target) => expectValues(target, { w: [1, 2, 3, 4] }) });
  add({ name: '100k nested lists', group: 'bounded', heavy: true, expect: 'either', build: (dir) => write(path.join(dir, 'deep.pt'), torchFile(pickledDict([
    ['w', tensorW], ['deep', concat(new Uint8Array(100_000).fill(0x5d), new Uint8Array(99_999).fill(0x61))]]))), read: (target) => expectValues(target, { w: [1, 2, 3, 4] }) });
  add({ name: 'one shared 50k list rebuilt as a set 20k times', group: 'bounded', heavy: true, expect: 'refuse', build: (dir) => {
    const items = new Uint8Array(100_000);
    for (let i = 0; i < items.length; i += 2) { items[i] = 0x4b; items[i + 1] = i & 0xff; }
    const call = concat(op.binGet(1), op.mark(), op.binGet(0), op.tuple(), op.reduce(), [0x30]);
    const calls = new Uint8Array(call.length * 20_000);
    for (let i = 0; i < 20_000; i++) calls.set(call, i * call.length);
    const value = concat([0x5d], op.mark(), items, [0x65], op.binPut(0), [0x30], op.global('builtins', 'set'), op.binPut(1), [0x30], calls, op.none());
    return write(path.join(dir, 'shared-set.pt'), torchFile(pickledDict([['w', tensorW], ['sets', value]])));
  }, read: refuse });

  // Decompression bombs and lazy inflating.
  add({ name: 'npz entry declares 48 data bytes, inflates to 1 GiB', group: 'decompression', heavy: true, expect: 'refuse', build: (dir) => {
    const npy = encodeNpy(Tensor.zeros([12], 'float32'));
    const header = npy.subarray(0, npy.length - 48);
    const { payload, crc } = zeroStream(header, 1 << 30);
    return write(path.join(dir, 'bomb.npz'), rawZip([{ name: 'a.npy', method: 8, payload, size: npy.length, crc }]));
  }, read: refuse });
  add({ name: 'torch storage declares 48 bytes, inflates to 1 GiB', group: 'decompression', heavy: true, expect: 'refuse', build: (dir) => {
    const { payload, crc } = zeroStream(new Uint8Array(0), 1 << 30);
    const pickle = pickledDict([['w', pickledTensor('FloatStorage', '0', 12, 0, [12], [1])]]);
    return write(path.join(dir, 'bomb.pt'), rawZip([stored('archive/data.pkl', pickle), { name: 'archive/data/0', method: 8, payload, size: 48, crc }]));
  }, read: refuse });
  add({ name: 'honest 1 GiB deflated storage: opening inflates nothing', group: 'decompression', heavy: true, expect: 'read', build: (dir) => {
    const { payload, crc } = zeroStream(new Uint8Array(0), 1 << 30);
    const pickle = pickledDict([['w', pickledTensor('FloatStorage', '0', 1 << 28, 0, [1 << 28], [1])]]);
    return write(path.join(dir, 'honest-1g.pt'), rawZip([stored('archive/data.pkl', pickle), { name: 'archive/data/0', method: 8, payload, size: 1 << 30, crc }]));
  }, read: (target) => { const set = readWeights(target); assert.deepEqual(set.info('w').shape, [1 << 28]); } });
  add({ name: 'honest 16 MiB deflated storage loads within its size', group: 'decompression', heavy: true, expect: 'read', build: (dir) => {
    const values = new Float32Array(1 << 22);
    for (let i = 0; i < values.length; i++) values[i] = i % 1000;
    const data = new Uint8Array(values.buffer);
    const pickle = pickledDict([['w', pickledTensor('FloatStorage', '0', values.length, 0, [values.length], [1])]]);
    return write(path.join(dir, 'honest-16m.pt'), rawZip([stored('archive/data.pkl', pickle), { name: 'archive/data/0', method: 8, payload: zlib.deflateRawSync(data, { level: 1 }), size: data.length, crc: crc32(data) }]));
  }, read: (target) => {
    const tensor = readWeights(target).get('w').toFloat64();
    assert.equal(tensor.length, 1 << 22);
    for (let i = 0; i < tensor.length; i += 4099) assert.equal(tensor[i], i % 1000);
  } });
  add({ name: 'npz entry declares a 1 GiB array, its stream holds 1 MiB', group: 'decompression', heavy: true, expect: 'refuse', build: (dir) => {
    const header = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (268435456,), }", new Uint8Array(0));
    const { payload, crc } = zeroStream(header, 1 << 20);
    return write(path.join(dir, 'short-1g.npz'), rawZip([{ name: 'a.npy', method: 8, payload, size: header.length + (1 << 30), crc }]));
  }, read: refuse });
  add({ name: 'deflated npz entry shorter than declared', group: 'decompression', expect: 'refuse', build: (dir) => {
    const npy = encodeNpy(float32([1, 2, 3, 4]));
    return write(path.join(dir, 'short.npz'), rawZip([{ ...deflated('a.npy', npy.subarray(0, npy.length - 8)), size: npy.length, crc: crc32(npy) }]));
  }, read: refuse });
  add({ name: 'deflated npz entry with a wrong CRC-32', group: 'decompression', expect: 'refuse', build: (dir) => {
    const entry = deflated('a.npy', encodeNpy(float32([1, 2, 3, 4])));
    return write(path.join(dir, 'deflated-crc.npz'), rawZip([{ ...entry, crc: (entry.crc ^ 1) >>> 0 }]));
  }, read: refuse });

  // Code execution: every way a pickle can name a callable that runs something.
  const command = (dir: string) => `touch ${path.join(dir, MARKER)}`;
  const codeCase = (name: string, value: (dir: string) => Uint8Array) => add({ name, group: 'code', expect: 'refuse',
    build: (dir) => write(path.join(dir, 'exploit.pt'), torchFile(pickledDict([['w', tensorW], ['x', value(dir)]]))), read: refuse });
  codeCase('os.system via GLOBAL + REDUCE', (dir) => callWithText('os', 'system', command(dir)));
  codeCase('posix.system via GLOBAL + REDUCE', (dir) => callWithText('posix', 'system', command(dir)));
  codeCase('subprocess.getoutput via STACK_GLOBAL', (dir) => concat(op.string('subprocess'), op.string('getoutput'), op.stackGlobal(), op.string(command(dir)), [0x85], op.reduce()));
  codeCase('builtins.eval of __import__', (dir) => callWithText('builtins', 'eval', `__import__('os').system('${command(dir)}')`));
  codeCase('builtins.exec', (dir) => callWithText('builtins', 'exec', `import os; os.system('${command(dir)}')`));
  codeCase('__builtin__.eval (Python 2 name)', (dir) => callWithText('__builtin__', 'eval', `__import__('os').system('${command(dir)}')`));
  codeCase('os.system via INST', (dir) => concat(op.mark(), op.string(command(dir)), op.inst('os', 'system')));
  codeCase('os.system via OBJ', (dir) => concat(op.mark(), op.global('os', 'system'), op.string(command(dir)), [0x6f]));
  codeCase('os.system via NEWOBJ', (dir) => concat(op.global('os', 'system'), op.string(command(dir)), [0x85], [0x81]));
  codeCase('builtins.getattr to reach os.system', () => concat(op.global('builtins', 'getattr'), op.global('collections', 'OrderedDict'), op.string('__init__'), op.tuple2(), op.reduce()));
  codeCase('torch.load named as a global', (dir) => callWithText('torch', 'load', path.join(dir, 'other.pt')));
  codeCase('os.system through the copyreg extension registry', () => Uint8Array.from([0x82, 0x01]));
  add({ name: 'legacy pickle file running os.system', group: 'code', expect: 'refuse', build: (dir) => write(path.join(dir, 'legacy-exploit.pt'), concat(op.proto(2), callWithText('os', 'system', command(dir)), op.stop())), read: refuse });
  add({ name: 'npy object array (a pickle inside)', group: 'code', expect: 'refuse', build: (dir) => write(path.join(dir, 'object.npy'), npyBytes(
    "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", concat(op.proto(2), callWithText('os', 'system', command(dir)), op.stop()))), read: refuse });
  add({ name: 'npz with an object array entry', group: 'code', expect: 'refuse', build: (dir) => write(path.join(dir, 'object.npz'), rawZip([stored('a.npy', npyBytes(
    "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", concat(op.proto(2), callWithText('os', 'system', command(dir)), op.stop())))])), read: refuse });

  // Valid files that must keep reading identically (numpy is the oracle for the .npz pair).
  add({ name: 'torch.save-style archive (valid)', group: 'valid', expect: 'read', build: (dir) => write(path.join(dir, 'valid.pt'), torchFile(pickledDict([['w', tensorW]]))),
    read: (target) => expectValues(target, { w: [1, 2, 3, 4] }) });
  add({ name: 'safetensors shards through an index (valid)', group: 'valid', expect: 'read', build: (dir) => {
    writeSafetensors(path.join(dir, 'model', 'model-00001.safetensors'), { a: float32([1, 2]) });
    writeSafetensors(path.join(dir, 'model', 'model-00002.safetensors'), { b: float32([3]) });
    return write(path.join(dir, 'model', 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'model-00001.safetensors', b: 'model-00002.safetensors' } }));
  }, read: (target) => expectValues(target, { a: [1, 2], b: [3] }) });
  add({ name: 'ONNX external data next to the model (valid)', group: 'valid', expect: 'read', build: (dir) => {
    write(path.join(dir, 'model', 'weights.bin'), f32(1, 2, 3, 4));
    return write(path.join(dir, 'model', 'model.onnx'), onnxExternal('weights.bin'));
  }, read: (target) => expectValues(target, { W: [1, 2, 3, 4] }) });
  for (const compressed of [false, true]) {
    add({ name: `numpy ${compressed ? 'savez_compressed' : 'savez'} file (valid, numpy oracle)`, group: 'valid', expect: 'read', build: (dir) => {
      const script = [
        'import sys, numpy as np',
        'rng = np.random.default_rng(7)',
        'a = rng.standard_normal((3, 5)).astype(np.float32); b = np.arange(-4, 8, dtype=np.int64); c = np.asfortranarray(rng.standard_normal((4, 2)))',
        `np.${compressed ? 'savez_compressed' : 'savez'}(sys.argv[1] + '/arrays.npz', a=a, b=b, c=c)`,
        "open(sys.argv[1] + '/expected.txt', 'w').write(repr({k: [float(x) for x in v.ravel(order='C')] for k, v in dict(a=a, b=b, c=c).items()}))",
      ].join('\n');
      const run = spawnSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      return path.join(dir, 'arrays.npz');
    }, read: (target) => {
      const expected = JSON.parse(fs.readFileSync(path.join(path.dirname(target), 'expected.txt'), 'utf8').replace(/'/g, '"')) as Record<string, number[]>;
      expectValues(target, expected);
    } });
  }

  // The zoo loader, the kernel's wire protocol and `weightlab run` (zoo-cases.ts, wire-cases.ts).
  cases.push(...zooCases(), ...wireCases());
  return cases;
}
