// SANE-style tokenisation (Schürholt et al., ICML 2024, HSG-AIML/SANE tokenize_checkpoint):
// each weight tensor becomes rows, one per output channel ([out, -1]) with its bias appended as
// an extra column; each row is cut into tokens of `tokenSize` values, zero-padded, with a mask
// marking real values and a position triple (global token index, layer index, channel index).
// Batch-norm running statistics are tokenised too unless `ignoreBatchNorm`. Detokenising with
// the same reference checkpoint restores every tensor exactly.

import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { ArgumentError, ShapeError } from '../errors';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';

export interface TokeniseOptions {
  /**
   * Values per token; 0 uses the longest row, so every row is one token.
   * @default 0
   */
  tokenSize?: number;
  /**
   * Skip entries whose names contain 'bn', 'downsample.1' or 'batchnorm' (SANE's ignore_bn).
   * @default false
   */
  ignoreBatchNorm?: boolean;
}

export const TOKENISE_DEFAULTS = {
  tokenSize: 0,
  ignoreBatchNorm: false,
} as const satisfies OptionDefaults<TokeniseOptions>;

export interface Tokens {
  /** [tokens, tokenSize] float32 values (zero where masked). */
  tokens: Tensor<'float32'>;
  /** [tokens, tokenSize] bool: 1 where a value is real. */
  mask: Tensor<'bool'>;
  /** [tokens, 3] (global token index, layer index, channel index): int16, or int32 if any exceeds 32767. */
  positions: Tensor<'int16' | 'int32'>;
  tokenSize: number;
}

const isBatchNorm = (name: string) =>
  name.includes('bn') || name.includes('downsample.1') || name.includes('batchnorm');

interface Entry {
  key: string;
  rows: number;
  columns: number;
  bias?: string;
}

/** The entries SANE tokenises, in checkpoint order, with their [rows, columns] after appending biases. */
function tokenEntries(weights: WeightSet, options: TokeniseOptions): Entry[] {
  const entries: Entry[] = [];
  for (const key of weights.names) {
    if (options.ignoreBatchNorm && isBatchNorm(key)) continue;
    const isWeight = key.includes('weight');
    if (!isWeight && !key.includes('running_mean') && !key.includes('running_var')) continue;
    const shape = weights.info(key).shape;
    if (shape.length === 0) throw new ShapeError('cannot tokenise a scalar', { field: key });
    const rows = shape[0];
    let columns = rows === 0 ? 0 : sizeOf(shape) / rows;
    const biasKey = key.split('weight').join('bias');
    const bias = isWeight && biasKey !== key && weights.has(biasKey) ? biasKey : undefined;
    if (bias) {
      if (sizeOf(weights.info(bias).shape) !== rows)
        throw new ShapeError('bias length differs from the output channels', {
          field: bias,
          expected: String(rows),
          found: String(sizeOf(weights.info(bias).shape)),
        });
      columns += 1;
    }
    entries.push({ key, rows, columns, bias });
  }
  return entries;
}

/** Tokens, masks and positions of a checkpoint. */
export function tokeniseCheckpoint(weights: WeightSet, options: TokeniseOptions = {}): Tokens {
  options = resolveOptions('tokeniseCheckpoint', TOKENISE_DEFAULTS, options);
  const entries = tokenEntries(weights, options);
  let tokenSize = options.tokenSize ?? 0;
  if (!Number.isInteger(tokenSize) || tokenSize < 0)
    throw new ArgumentError('tokenSize must be a non-negative integer', { found: String(tokenSize) });
  if (tokenSize === 0) tokenSize = Math.max(1, ...entries.map((entry) => entry.columns));
  const perRow = entries.map((entry) => Math.ceil(entry.columns / tokenSize));
  const total = entries.reduce((sum, entry, i) => sum + entry.rows * perRow[i], 0);
  const tokens = new Float32Array(total * tokenSize);
  const mask = new Uint8Array(total * tokenSize);
  const positions: number[] = [];
  let token = 0;
  entries.forEach((entry, layer) => {
    const values = weights.get(entry.key).toFloat32();
    const bias = entry.bias ? weights.get(entry.bias).toFloat32() : undefined;
    const width = entry.columns - (bias ? 1 : 0);
    for (let row = 0; row < entry.rows; row++) {
      for (let column = 0; column < entry.columns; column++) {
        const value = column < width ? values[row * width + column] : bias![row];
        const slot = (token + Math.floor(column / tokenSize)) * tokenSize + (column % tokenSize);
        tokens[slot] = value;
        mask[slot] = 1;
      }
      for (let piece = 0; piece < perRow[layer]; piece++) positions.push(token + piece, layer, row);
      token += perRow[layer];
    }
  });
  const wide = positions.some((value) => value > 32767);
  return {
    tokens: new Tensor('float32', tokens, [total, tokenSize]),
    mask: new Tensor('bool', mask, [total, tokenSize]),
    positions: new Tensor(wide ? 'int32' : 'int16', wide ? Int32Array.from(positions) : Int16Array.from(positions), [
      total,
      3,
    ]) as Tensor<'int16' | 'int32'>,
    tokenSize,
  };
}

/**
 * The checkpoint back from its tokens, shaped like `reference` (SANE's tokens_to_checkpoint).
 * Tensors that were tokenised are replaced (as float32); all others are taken from the reference.
 */
export function detokeniseCheckpoint(
  tokens: Tensor,
  reference: WeightSet,
  options: Omit<TokeniseOptions, 'tokenSize'> = {},
): WeightSet {
  options = resolveOptions('detokeniseCheckpoint', { ignoreBatchNorm: TOKENISE_DEFAULTS.ignoreBatchNorm }, options);
  if (tokens.rank !== 2)
    throw new ShapeError('tokens must be [tokens, tokenSize]', { found: `[${tokens.shape.join(', ')}]` });
  const [count, tokenSize] = tokens.shape;
  const values = tokens.toFloat32();
  const entries = tokenEntries(reference, options);
  const needed = entries.reduce((sum, entry) => sum + entry.rows * Math.ceil(entry.columns / tokenSize), 0);
  if (needed !== count)
    throw new ShapeError('token count does not match the reference checkpoint', {
      expected: String(needed),
      found: String(count),
    });
  const rebuilt = new Map<string, Tensor>();
  let token = 0;
  for (const entry of entries) {
    const perRow = Math.ceil(entry.columns / tokenSize);
    const width = entry.columns - (entry.bias ? 1 : 0);
    const weight = new Float32Array(entry.rows * width);
    const bias = entry.bias ? new Float32Array(entry.rows) : undefined;
    for (let row = 0; row < entry.rows; row++) {
      for (let column = 0; column < entry.columns; column++) {
        const value = values[(token + Math.floor(column / tokenSize)) * tokenSize + (column % tokenSize)];
        if (column < width) weight[row * width + column] = value;
        else bias![row] = value;
      }
      token += perRow;
    }
    rebuilt.set(entry.key, new Tensor('float32', weight, reference.info(entry.key).shape));
    if (entry.bias) rebuilt.set(entry.bias, new Tensor('float32', bias!, reference.info(entry.bias).shape));
  }
  return new WeightSet(
    reference.names.map((name): [string, Tensor] => [name, rebuilt.get(name) ?? reference.get(name)]),
    { metadata: { ...reference.metadata } },
  );
}
