// Format detection must be unambiguous: a safetensors file starts with its header length, and
// when that length's low byte is 0x80 (1 header length in 32, since headers are padded to 8
// bytes) the file starts like a pickle's PROTO opcode. This property test writes thousands of
// files with writeSafetensors over random names, dtypes and shapes, covering every header length
// residue, and reads each back through readWeights' detection; the values come from the tensors
// written (an independent seeded generator, not the reader).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tensor, detectWeightFormat, readWeights, rng, writeSafetensors, type DType } from 'weightlab/internal';

const FILES = 2000;
const DTYPES: DType[] = [
  'float64',
  'float32',
  'float16',
  'bfloat16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz._0123456789äß漢';

test(
  'safetensors files of every header length are detected as safetensors and read back exactly',
  { timeout: 300_000 },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-detect-'));
    try {
      const random = rng(16);
      const lowBytes = new Set<number>();
      let startsLikePickle = 0;
      for (let file = 0; file < FILES; file++) {
        const tensors: Record<string, Tensor> = {};
        const count = random.integers(1, 1, 4)[0];
        for (let t = 0; t < count; t++) {
          const length = random.integers(1, 1, 120)[0];
          const name = Array.from(random.integers(length, 0, LETTERS.length), (i) => LETTERS[i]).join('') + `#${t}`;
          const dtype = DTYPES[random.integers(1, 0, DTYPES.length)[0]];
          const shape = Array.from(random.integers(random.integers(1, 0, 3)[0], 1, 4));
          const size = shape.reduce((a, b) => a * b, 1);
          // Values every dtype holds exactly: small integers (bool: 0/1), halves for the float types.
          const values = Array.from(random.integers(size, 0, 100), (v) =>
            dtype === 'bool'
              ? v % 2
              : dtype === 'uint8'
                ? v
                : dtype.startsWith('float') || dtype === 'bfloat16'
                  ? (v - 50) / 2
                  : v - 50,
          );
          tensors[name] = Tensor.from(values, shape, dtype);
        }
        const target = path.join(dir, `${file}.safetensors`);
        writeSafetensors(target, tensors);
        const head = fs.readFileSync(target).subarray(0, 8);
        lowBytes.add(head[0]);
        if (head[0] === 0x80) startsLikePickle++;
        assert.equal(
          detectWeightFormat(target),
          'safetensors',
          `file ${file}: header length ${head.readBigUInt64LE(0)}`,
        );
        const set = readWeights(target);
        assert.deepEqual(set.names, Object.keys(tensors));
        for (const [name, tensor] of Object.entries(tensors)) {
          const got = set.get(name);
          assert.equal(got.dtype, tensor.dtype, name);
          assert.deepEqual(got.shape, tensor.shape, name);
          assert.deepEqual([...got.toFloat64()], [...tensor.toFloat64()], name);
        }
        fs.rmSync(target);
      }
      // Headers are padded to a multiple of 8: 32 possible low bytes, each seen; about 1 file in 32 starts with 0x80.
      assert.equal(lowBytes.size, 32, `low bytes seen: ${[...lowBytes].sort((a, b) => a - b).join(' ')}`);
      assert.ok(startsLikePickle > FILES / 64, `${startsLikePickle} files start with 0x80`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
