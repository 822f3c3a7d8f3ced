// Fuzzing the readers with real files: seeded random truncations and byte flips over files
// written by PyTorch, numpy and our writers. Every outcome must be a clean read or a
// WeightlabError (FormatError, DTypeError, ShapeError); anything else (RangeError, TypeError,
// a hang, a crash) fails the test with the seed and mutation to reproduce it. HDF5 is left
// out: corrupt input can abort the wasm HDF5 library itself, which we cannot make safe here.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BufferSource,
  Tensor,
  WeightlabError,
  encodeSafetensors,
  readNpy,
  readNpz,
  readOnnxBytes,
  readSafetensors,
  readTorch,
  rng,
  type WeightSet,
} from 'weightlab/internal';
import {
  FIXTURES,
  bytesField,
  concat,
  onnxModel,
  pickledDict,
  pickledTensor,
  f32,
  textField,
  torchArchive,
  varintField,
} from './helpers';

const ITERATIONS = 250;

type Reader = (bytes: Uint8Array) => WeightSet | Tensor;

const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

const corpus: [string, Uint8Array, Reader][] = [
  [
    'safetensors',
    encodeSafetensors(
      {
        a: Tensor.from([1, 2, 3], [3], 'float32'),
        b: Tensor.from([1, -1], [2], 'bfloat16'),
        c: Tensor.from([5], [1], 'int64'),
        d: Tensor.from([1, 0], [2], 'bool'),
      },
      { format: 'pt' },
    ),
    (b) => readSafetensors(new BufferSource(b, 'fuzz.safetensors')),
  ],
  ['npy big-endian', fixture('big-endian-f8.npy'), (b) => readNpy(b)],
  ['npy fortran', fixture('fortran-i4.npy'), (b) => readNpy(b)],
  ['npz stored', fixture('stored.npz'), (b) => readNpz(b)],
  ['npz deflated', fixture('deflated.npz'), (b) => readNpz(b)],
  ['torch zip', fixture('torch-zip.pt'), (b) => readTorch(b)],
  ['torch legacy', fixture('torch-legacy.pt'), (b) => readTorch(b)],
  [
    'torch hand-built',
    torchArchive(pickledDict([['w', pickledTensor('FloatStorage', '0', 4, 1, [3], [1])]]), { 0: f32(1, 2, 3, 4) }),
    (b) => readTorch(b),
  ],
  [
    'onnx',
    onnxModel([concat(varintField(1, 2), varintField(2, 1), textField(8, 'W'), bytesField(9, f32(1, 2)))], []),
    (b) => readOnnxBytes(b, 'fuzz.onnx'),
  ],
];

function exercise(result: WeightSet | Tensor): void {
  if (result instanceof Tensor) {
    result.toFloat64();
    return;
  }
  for (const name of result.names) result.get(name).toFloat64();
}

test('random truncations and byte flips give only WeightlabErrors, quickly', { timeout: 60_000 }, () => {
  const random = rng(20240601);
  let clean = 0;
  let refused = 0;
  const started = Date.now();
  for (const [label, original, read] of corpus) {
    exercise(read(original)); // the unmutated file must read
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const bytes = original.slice();
      const kind = random.integers(1, 0, 3)[0];
      let cut = bytes.length;
      const flips: string[] = [];
      if (kind !== 1) {
        const count = random.integers(1, 1, 9)[0];
        for (let i = 0; i < count; i++) {
          const at = random.integers(1, 0, bytes.length)[0];
          bytes[at] = random.integers(1, 0, 256)[0];
          flips.push(`${at}=${bytes[at]}`);
        }
      }
      if (kind !== 0) cut = random.integers(1, 0, bytes.length)[0];
      const mutated = bytes.subarray(0, cut);
      const one = Date.now();
      try {
        exercise(read(mutated));
        clean++;
      } catch (error) {
        if (!(error instanceof WeightlabError)) {
          assert.fail(
            `${label} iteration ${iteration} (cut ${cut}, flips ${flips.join(' ')}): unexpected ${(error as Error)?.name}: ${(error as Error)?.message}\n${(error as Error)?.stack}`,
          );
        }
        refused++;
      }
      assert.ok(Date.now() - one < 2000, `${label} iteration ${iteration} took ${Date.now() - one} ms`);
    }
  }
  assert.ok(
    refused > corpus.length * ITERATIONS * 0.3,
    `most mutations are detected (${refused} refused, ${clean} read)`,
  );
  assert.ok(Date.now() - started < 50_000);
});
