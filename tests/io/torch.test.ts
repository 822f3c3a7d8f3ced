// PyTorch checkpoints: files torch 1.13 wrote (zip and legacy formats), archives and pickles
// built opcode by opcode here, and hostile pickles that must be refused by name without
// running anything (we check that no side effect happened, too).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BufferSource, FormatError, readTorch, readTorchObject, readWeights, unpickle } from 'weightlab/internal';
import {
  ascii,
  buildZip,
  concat,
  f32,
  FIXTURES,
  op,
  pickledDict,
  pickledTensor,
  tempDir,
  torchArchive,
} from './helpers';

const arange = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

function checkFixture(file: string, format: string): void {
  const weights = readTorch(path.join(FIXTURES, file));
  assert.equal(weights.metadata.format, format);
  assert.equal(weights.metadata.stateDictKey, 'state_dict');
  assert.deepEqual(weights.metadata.extra, { epoch: 7 });
  assert.deepEqual(
    weights.names,
    ['fc.weight', 'fc.bias', 't', 'h', 'b', 'i', 'm', 'u', 'd'],
    'module. prefix stripped, order kept',
  );
  assert.deepEqual(
    weights.get('fc.weight').toArray(),
    [0, 1, 2, 3].map((r) => arange(6, 6 * r)),
  );
  assert.deepEqual(weights.get('fc.bias').toArray(), [6, 7, 8, 9], 'view at storage offset 6 of a shared storage');
  const t = weights.get('t');
  assert.deepEqual(t.strides, [1, 6], 'transposed view keeps its strides');
  assert.deepEqual(
    t.toArray(),
    arange(6).map((c) => [c, c + 6, c + 12, c + 18]),
  );
  assert.equal(weights.get('h').dtype, 'float16');
  assert.deepEqual(weights.get('h').toArray(), [1.5, -2]);
  assert.equal(weights.get('b').dtype, 'bfloat16');
  assert.deepEqual(weights.get('b').toArray(), [1.5, -2]);
  assert.equal(weights.get('i').dtype, 'int64');
  assert.deepEqual([...(weights.get('i').data as BigInt64Array)], [-(2n ** 40n), 7n]);
  assert.deepEqual(weights.get('m').toArray(), [1, 0]);
  assert.deepEqual(weights.get('u').toArray(), [200, 3]);
  assert.deepEqual(weights.get('d').toArray(), [0, 0.25, 0.5]);
}

test('reads a torch.save zip checkpoint written by PyTorch 1.13', () => checkFixture('torch-zip.pt', 'torch-zip'));
test('reads a legacy (non-zip) checkpoint written by PyTorch 1.13', () =>
  checkFixture('torch-legacy.pt', 'torch-legacy'));

test('hand-built archive: shared storage, offsets, strides, OrderedDict, any prefix folder', () => {
  const pickle = pickledDict([
    ['module.w', pickledTensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1])],
    ['module.wt', pickledTensor('FloatStorage', '0', 6, 0, [3, 2], [1, 3])],
    ['module.tail', pickledTensor('FloatStorage', '0', 6, 4, [2], [1])],
    ['module.n', pickledTensor('LongStorage', '1', 1, 0, [], [])],
  ]);
  const bytes = torchArchive(
    pickle,
    { 0: f32(0, 1, 2, 3, 4, 5), 1: Uint8Array.of(42, 0, 0, 0, 0, 0, 0, 0) },
    'my_model',
  );
  const weights = readTorch(bytes);
  assert.deepEqual(weights.names, ['w', 'wt', 'tail', 'n']);
  assert.deepEqual(weights.get('w').toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(weights.get('wt').toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(weights.get('tail').toArray(), [4, 5]);
  assert.equal(weights.get('n').toArray(), 42);
});

test('big-endian archives (byteorder entry) are byte-swapped', () => {
  const pickle = pickledDict([['x', pickledTensor('IntStorage', '0', 2, 0, [2], [1])]]);
  const bytes = torchArchive(pickle, { 0: Uint8Array.of(0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe) }, 'archive', 'big');
  assert.deepEqual(readTorch(bytes).get('x').toArray(), [256, -2]);
});

test('unwraps wrappers: model_state_dict, explicit key, plain nested dicts', () => {
  const inner = pickledTensor('FloatStorage', '0', 1, 0, [1], [1]);
  const wrapped = concat(
    op.proto(2),
    op.emptyDict(),
    op.string('epoch'),
    op.int(3),
    op.setItem(),
    op.string('model_state_dict'),
    op.emptyDict(),
    op.string('fc.weight'),
    inner,
    op.setItem(),
    op.setItem(),
    op.stop(),
  );
  const weights = readTorch(torchArchive(wrapped, { 0: f32(9) }));
  assert.deepEqual(weights.names, ['fc.weight']);
  assert.equal(weights.metadata.stateDictKey, 'model_state_dict');
  assert.deepEqual(weights.metadata.extra, { epoch: 3 });
  const explicit = readTorch(torchArchive(wrapped, { 0: f32(9) }), { key: 'model_state_dict' });
  assert.deepEqual(explicit.get('fc.weight').toArray(), [9]);
  assert.throws(() => readTorch(torchArchive(wrapped, { 0: f32(9) }), { key: 'nope' }), FormatError);
  const object = readTorchObject(torchArchive(wrapped, { 0: f32(9) })).root as Map<string, unknown>;
  assert.equal(object.get('epoch'), 3);
});

/** Runs `attempt`, which must throw a FormatError naming `global`; and checks no marker file appeared. */
function assertRefused(attempt: () => unknown, global: string, marker: string): void {
  assert.throws(attempt, (error: unknown) => {
    assert.ok(error instanceof FormatError, String(error));
    assert.match(error.message, new RegExp(global.replace(/\./g, '\\.')));
    assert.match(error.message, /allow-list/);
    return true;
  });
  assert.equal(fs.existsSync(marker), false, 'nothing was executed');
}

test('hostile pickles are refused by name and never executed', () => {
  const dir = tempDir();
  const marker = path.join(dir, 'pwned');
  const command = `touch ${marker}`;
  const hostile: [string, Uint8Array][] = [
    [
      'posix.system',
      concat(op.proto(2), op.global('posix', 'system'), op.string(command), [0x85], op.reduce(), op.stop()),
    ],
    [
      'os.system',
      concat(
        op.proto(4),
        op.string('os'),
        op.string('system'),
        op.stackGlobal(),
        op.string(command),
        [0x85],
        op.reduce(),
        op.stop(),
      ),
    ],
    [
      'builtins.eval',
      concat(
        op.proto(2),
        op.global('builtins', 'eval'),
        op.string(`__import__('os').system('${command}')`),
        [0x85],
        op.reduce(),
        op.stop(),
      ),
    ],
    ['subprocess.Popen', concat(op.mark(), op.string(command), op.inst('subprocess', 'Popen'), op.stop())],
    ['torch.load', concat(op.proto(2), op.global('torch', 'load'), op.stop())],
  ];
  for (const [global, pickle] of hostile) {
    assertRefused(() => readTorch(torchArchive(pickle, {})), global, marker);
    // The same pickle hidden inside a tensor's persistent id and in a legacy-format file.
    assertRefused(() => unpickle(pickle, { file: 'x.pkl', globals: {} }), global, marker);
  }
  // A legacy-looking file whose first pickle is hostile.
  assertRefused(() => readTorch(new BufferSource(hostile[0][1], 'legacy.pt')), 'posix.system', marker);
});

test('malformed archives: TorchScript, missing or short storages, views past the storage', () => {
  const tensor = pickledDict([['x', pickledTensor('FloatStorage', '0', 4, 0, [4], [1])]]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['storage missing', torchArchive(tensor, {}), /storage entry missing/],
    ['storage short', torchArchive(tensor, { 0: f32(1, 2) }), /storage size does not match/],
    [
      'view past storage',
      torchArchive(pickledDict([['x', pickledTensor('FloatStorage', '0', 2, 1, [2], [1])]]), { 0: f32(1, 2) }),
      /past the end of its storage/,
    ],
    [
      'unknown storage type',
      torchArchive(pickledDict([['x', pickledTensor('QInt8Storage', '0', 1, 0, [1], [1])]]), { 0: Uint8Array.of(1) }),
      /allow-list/,
    ],
    ['no data.pkl', torchArchive(new Uint8Array(0), {}).slice(), /data\.pkl|truncated/],
    ['plain pickle', concat(op.proto(2), op.int(5), op.stop()), /legacy magic/],
    ['truncated pickle', concat(op.proto(2), op.string('abc')).subarray(0, 5), /truncated/],
    ['tar', concat(new Uint8Array(257), ascii('ustar'), new Uint8Array(300)), /tar-based/],
  ];
  for (const [label, bytes, message] of cases) {
    assert.throws(
      () => readTorch(new BufferSource(bytes, `${label}.pt`)),
      (error: unknown) => error instanceof FormatError && message.test(error.message),
      label,
    );
  }
});

test('TorchScript archives are refused with advice', () => {
  const dir = tempDir();
  const file = path.join(dir, 'scripted.pt');
  fs.writeFileSync(
    file,
    buildZip([
      { name: 'scripted/data.pkl', data: concat(op.proto(2), op.none(), op.stop()) },
      { name: 'scripted/code/__torch__.py', data: ascii('def forward(self): ...') },
      { name: 'scripted/constants.pkl', data: concat(op.proto(2), op.none(), op.stop()) },
    ]),
  );
  assert.throws(
    () => readWeights(file),
    (error: unknown) =>
      error instanceof FormatError && /TorchScript/.test(error.message) && error.details.file === file,
  );
});
