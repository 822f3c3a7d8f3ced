// `weightlab tensors FILE`: what is in a weight file, without Python. One row per tensor with
// name, dtype, shape and two float64 reductions (sum, max |x|) that let users compare files
// across tools (numpy's float64 sum of the same tensor gives the same number up to summation order).

import { loadWeights, type WeightSet } from 'weightlab';
import { parseArgs, UsageError, type Command } from '../command';

export interface TensorRow {
  name: string;
  dtype: string;
  shape: number[];
  sum: number;
  absmax: number;
}

/** Float64 sum and max |x| of every tensor; each tensor is read, reduced and released in turn. */
export function tensorRows(weights: WeightSet): TensorRow[] {
  return weights.names.map((name) => {
    const tensor = weights.get(name);
    const values = tensor.toFloat64();
    let sum = 0;
    let absmax = 0;
    for (let i = 0; i < values.length; i++) {
      sum += values[i];
      const magnitude = Math.abs(values[i]);
      if (magnitude > absmax || Number.isNaN(magnitude)) absmax = magnitude;
    }
    weights.release(name);
    return { name, dtype: tensor.dtype, shape: [...tensor.shape], sum, absmax };
  });
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e6 || (value !== 0 && Math.abs(value) < 1e-4)
    ? value.toExponential(6)
    : Number(value.toPrecision(8)).toString();
}

export const tensorsCommand: Command = {
  name: 'tensors',
  summary: 'list the tensors of a weight file (safetensors, .pt, .npy/.npz, tfjs, ONNX, HDF5)',
  help: `Usage: weightlab tensors FILE [--json] [--key KEY]

Reads FILE lazily (format detected from its bytes) and prints one row per tensor:
name, dtype, shape, float64 sum and max |x|. PyTorch pickles are decoded by a
restricted reader that never runs code from the file.

Options:
  --json       print a JSON array of {name, dtype, shape, sum, absmax}
  --key KEY    take the weights from this top-level key of a PyTorch checkpoint
`,
  async run(args) {
    const parsed = parseArgs(args, { flags: ['json'], values: ['key'] });
    if (parsed.positional.length !== 1) throw new UsageError('expected exactly one FILE');
    const weights = await loadWeights(
      parsed.positional[0],
      parsed.options.key !== undefined ? { key: parsed.options.key } : {},
    );
    const rows = tensorRows(weights);
    const json = (value: number) => (Number.isFinite(value) ? value : String(value));
    if (parsed.flags.has('json')) {
      process.stdout.write(
        `${JSON.stringify(
          rows.map((row) => ({ ...row, sum: json(row.sum), absmax: json(row.absmax) })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const table = rows.map((row) => [
      row.name,
      row.dtype,
      `[${row.shape.join(', ')}]`,
      formatNumber(row.sum),
      formatNumber(row.absmax),
    ]);
    const header = ['name', 'dtype', 'shape', 'sum', 'absmax'];
    const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column].length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, column) => (column >= 3 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd();
    const parameters = rows.reduce((total, row) => total + row.shape.reduce((a, b) => a * b, 1), 0);
    process.stdout.write(
      `${[line(header), ...table.map(line)].join('\n')}\n${rows.length} tensors, ${parameters} values (${String(weights.metadata.format)})\n`,
    );
    return 0;
  },
};
