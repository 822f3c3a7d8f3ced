// weightlab's analyze() with WeightWatcher's other layer iterators (pool false / ww2x, intra, peft)
// against WeightWatcher 0.7.5.5 itself: oracle/weightwatcher-0.7.5.5-options-b.json holds its columns for
// the layer sets of ./fixtures-options-b.ts (how it was produced: oracle/README.md). Rows are compared
// in WeightWatcher's order, column by column, with the tolerances of ./weightwatcher-parity.test.ts
// (fit columns 1e-9 relative, scale columns 1e-12, logs 1e-12 absolute, integers, strings and flags
// exact, noise-floor singular values 1e-14·σmax, the orthogonal layer's fit 1e-6). The chain and LoRA
// sets are float64, so X = W0·W1 and B·A are float64 products on both sides (see the fixtures).
// intra's default sparsify draws a random mask (numpy's unseeded one in WeightWatcher): it is checked
// here against a dense computation of its definition with weightlab's own mask instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, layerMatrices, rng, vectorColumns, type AnalyzeOptions } from 'weightlab/internal';
import { checksum } from './fixtures';
import { optionsBSets } from './fixtures-options-b';
import { assertColumn, relative } from './weightwatcher-columns';

interface Oracle {
  inputs: Record<string, { name: string; dtype: string; shape: number[]; sum: number; first: number }[]>;
  runs: Record<string, { set: string; rows: Record<string, unknown>[] }>;
}

const oracle = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../spectral/oracle/weightwatcher-0.7.5.5-options-b.json'), 'utf8'),
) as Oracle;

/** weightlab's options for each oracle run (WeightWatcher's keywords are in the JSON). */
const RUNS: Record<string, AnalyzeOptions> = {
  pool_false: { pool: false },
  ww2x: { ww2x: true },
  pool_false_slices: { pool: false },
  intra: { intra: true, sparsify: false },
  peft: { peft: true },
  peft_with_base: { peft: 'with_base' },
  vectors: { vectors: true },
  vectors_pool_false: { vectors: true, pool: false },
};
/** vectors' columns: 1e-9 relative, like the fit columns they depend on. */
const VECTOR = /^(bulk|tail)_(mean|var)_(vec_entropy|loc_ratio|part_ratio)$/;
/** The oracle's own column: how many eigenvectors WeightWatcher put in the tail (see its script). */
const TAIL_COUNT = 'oracle_vector_tail_count';
/**
 * Layers whose eigenvectors are not determined: orth's eigenvalues are all 1 (any basis is one),
 * lowrank's 34 zero eigenvalues span a null space in which every solver picks its own basis (its
 * tail of 6 is determined). Their undetermined columns cannot match any other solver's.
 */
const UNDETERMINED: Record<string, RegExp> = { orth: VECTOR, lowrank: /^bulk_/ };
/** Asserts one of our rows against WeightWatcher's, column by column (every column it has). */
function assertRow(ours: Record<string, unknown>, expected: Record<string, unknown>, where: string): void {
  const svMax = expected.sv_max as number;
  for (const [column, value] of Object.entries(expected)) {
    const at = `${where}/${column}`;
    if (column === TAIL_COUNT) continue;
    if (VECTOR.test(column)) {
      // Rows where WeightWatcher's rounding put the xmin eigenvector in the bulk: see the vectors test below.
      if (expected[TAIL_COUNT] !== expected.num_pl_spikes) continue;
      if (UNDETERMINED[String(expected.name)]?.test(column)) continue;
    }
    assert.ok(column in ours, `${at} missing`);
    assertColumn(ours[column], value, {
      column,
      layer: String(expected.name),
      where: at,
      svMax,
      lambdaMax: expected.lambda_max as number,
      measured: VECTOR.test(column),
    });
  }
}

test('the option-b fixtures regenerate the exact inputs WeightWatcher saw', () => {
  const sets = optionsBSets();
  assert.deepEqual(Object.keys(oracle.inputs).sort(), Object.keys(sets).sort());
  for (const [set, inputs] of Object.entries(oracle.inputs)) {
    assert.equal(sets[set].length, inputs.length, set);
    sets[set].forEach(([name, tensor], i) => {
      assert.equal(name, inputs[i].name);
      assert.equal(tensor.dtype, inputs[i].dtype);
      assert.deepEqual([...tensor.shape], inputs[i].shape);
      assert.deepEqual(checksum(tensor), { sum: inputs[i].sum, first: inputs[i].first });
    });
  }
});

for (const engine of ['auto', 'js'] as const) {
  for (const [run, options] of Object.entries(RUNS)) {
    test(`analyze(${run}, engine ${engine}) matches WeightWatcher row by row, column by column`, async () => {
      const { set, rows: expectedRows } = oracle.runs[run];
      const result = await analyze(Object.fromEntries(optionsBSets()[set]), { ...options, engine, progress: false });
      const ours = result.toJSON().map((row): Record<string, unknown> => ({ ...row }));
      assert.deepEqual(
        ours.map((row) => [row.layer_id, row.name, row.slice_id]),
        expectedRows.map((row) => [row.layer_id, row.name, row.slice_id]),
        `${run}: the same rows in the same order`,
      );
      expectedRows.forEach((expected, i) => assertRow(ours[i], expected, `${run}/${i}:${String(expected.name)}`));
    });
  }
}

test('vectors: with the tail WeightWatcher counted, the vector columns of every row match, xmin ties included', async () => {
  let ties = 0;
  for (const run of ['vectors', 'vectors_pool_false']) {
    const { set, rows } = oracle.runs[run];
    const tensors = Object.fromEntries(optionsBSets()[set]);
    for (const expected of rows) {
      const name = String(expected.name);
      if (name === 'orth') continue; // UNDETERMINED: every eigenvector
      if (expected[TAIL_COUNT] !== expected.num_pl_spikes) ties++;
      const tensor = tensors[`${name}.weight`];
      const layerType = tensor.rank === 4 ? 'conv2d' : 'dense';
      const all = layerMatrices(layerType, tensor, { pool: run === 'vectors' }).matrices;
      const matrices =
        expected.slice_id === undefined || layerType !== 'conv2d' ? all : [all[expected.slice_id as number]];
      const ours = vectorColumns(matrices, expected[TAIL_COUNT] as number) as unknown as Record<string, unknown>;
      const columns = Object.fromEntries(
        Object.entries(expected).filter(([column]) => VECTOR.test(column) && !UNDETERMINED[name]?.test(column)),
      );
      assertRow(ours, columns, `${run}/${name}/${String(expected.slice_id ?? '')}`);
    }
  }
  // The oracle has rows of both kinds, so both paths are exercised.
  assert.ok(ties > 0);
});

test('pool false gives kh·kw rows per Conv2d layer, each the ESD of its own slice', async () => {
  const layers = Object.fromEntries(optionsBSets().slices);
  const pooled = await analyze(layers, { progress: false });
  const sliced = await analyze(layers, { pool: false, progress: false });
  const conv = sliced.toJSON().filter((row) => row.name === 'conv3');
  assert.deepEqual(
    conv.map((row) => row.slice_id),
    [0, 1, 2, 3, 4, 5, 6, 7, 8],
  );
  // Pooled slices are scaled by sqrt(1/2), unpooled ones by sqrt(9/2): eigenvalues 9x larger, and
  // the pooled ESD is the union of the slices' (sums of eigenvalues agree up to the factor 9).
  const pooledNorm = pooled.toJSON().find((row) => row.name === 'conv3')!.norm;
  const slicedNorm = conv.reduce((sum, row) => sum + row.norm, 0);
  assert.ok(relative(slicedNorm, 9 * pooledNorm) < 1e-6, `${slicedNorm} vs 9 x ${pooledNorm}`);
});

test('intra with sparsify: X = W0·S·W1 / (|W0| |W1| + sqrt|S|) with weightlab seeded mask', async () => {
  const chain = Object.fromEntries(optionsBSets().chain.slice(0, 2));
  const seed = 7;
  const result = await analyze(chain, { intra: true, seed, progress: false });
  const [row] = result.toJSON();
  assert.equal(row.name, '1 X 2 ');
  // fc1 (64, 32), fc2 (48, 64) share 64: X = fc1ᵀ (32 x 64) · S (64 x 64) · fc2ᵀ (64 x 48).
  const w0 = chain['fc1.weight'].toFloat64(),
    w1 = chain['fc2.weight'].toFloat64();
  const mask = rng(seed)
    .fold('intra')
    .fold(2)
    .integers(64 * 64, 0, 2);
  const frob = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  const norm = frob(w0) * frob(w1) + Math.sqrt(frob(mask));
  const x = new Float64Array(32 * 48);
  for (let i = 0; i < 32; i++)
    for (let k = 0; k < 64; k++) {
      let left = 0; // (fc1ᵀ S)[i, k]
      for (let t = 0; t < 64; t++) left += w0[t * 32 + i] * mask[t * 64 + k];
      for (let j = 0; j < 48; j++) x[i * 48 + j] += (left * w1[j * 64 + k]) / norm;
    }
  // The ESD is X's singular values: their squares sum to |X|_F^2 (the `norm` column is their sum, so
  // check the largest one by power iteration on XᵀX and the sum of squares through the spectrum).
  const evals = result.layer(2).evals;
  const sumSquares = evals.reduce((s, v) => s + v * v, 0);
  assert.ok(relative(sumSquares, frob(x) ** 2) < 1e-10, `${sumSquares} vs ${frob(x) ** 2}`);
  let v = new Float64Array(48).fill(1);
  let top = 0;
  for (let iteration = 0; iteration < 2000; iteration++) {
    const xv = new Float64Array(32);
    for (let i = 0; i < 32; i++) for (let j = 0; j < 48; j++) xv[i] += x[i * 48 + j] * v[j];
    const next = new Float64Array(48);
    for (let i = 0; i < 32; i++) for (let j = 0; j < 48; j++) next[j] += x[i * 48 + j] * xv[i];
    top = Math.sqrt(frob(next));
    v = next.map((value) => value / (top * top));
  }
  assert.ok(relative(row.lambda_max, top) < 1e-8, `lambda_max ${row.lambda_max} vs sigma_max ${top}`);
  assert.ok(relative(row.sv_max, Math.sqrt(top)) < 1e-8);
});

test('option clashes are ArgumentErrors naming the field', async () => {
  const chain = Object.fromEntries(optionsBSets().chain);
  await assert.rejects(analyze(chain, { intra: true, randomize: true }), { name: 'ArgumentError' });
  await assert.rejects(analyze(chain, { intra: true, pool: false }), /intra cannot be combined with pool/);
  await assert.rejects(analyze(chain, { peft: 'with_base', ww2x: true }), /peft cannot be combined/);
  await assert.rejects(analyze(chain, { peft: 'peft_only' as never }), /unsupported peft/);
});
