// The Small CNN Zoo (Unterthiner et al. 2020, used by NFN and DWSNets): every checkpoint is one
// row of an N x P `weights.npy`; `layout.csv` (varname,start_idx,end_idx,shape) cuts a row into
// TensorFlow variables; `metrics.csv.gz` row i describes weights row i (step, accuracies,
// config.* hyperparameters, and the run's folder in `modeldir`). Rows are read one at a time
// with positional reads, so a 600 MB zoo opens instantly. With `layout: 'torch'` (default),
// kernels are transposed HWIO -> OIHW and (in, out) -> (out, in) and renamed `weight`, as the NFN loader does.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError } from '../errors';
import { readNpyHeader, readNpyRows } from '../io/npy';
import { gunzipBounded } from '../io/inflate';
import { parsePythonLiteral } from '../io/python-literal';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import { parseCsv } from './csv';
import { hyperparametersOf } from './ptmz-keys';
import { Zoo, type ZooCheckpoint, type ZooModel, type ZooResult } from './zoo';
import { ZooFolder, type ZooReadOptions } from './zoo-folder';

export interface SmallCnnZooOptions extends ZooReadOptions {
  /**
   * Small CNN Zoo weights: 'torch' (OIHW, out x in, `weight`) or 'tensorflow' (as stored).
   * @default 'torch'
   */
  layout?: 'torch' | 'tensorflow';
  /**
   * Largest metrics.csv.gz we read and inflate, in bytes, compressed and inflated.
   * @default 1073741824 (1 GiB)
   */
  maxMetricsBytes?: number;
}

interface LayoutRow {
  name: string;
  start: number;
  end: number;
  shape: number[];
}

function readLayout(folder: ZooFolder, file: string, width: number): LayoutRow[] {
  const rows = parseCsv(folder.readText(file), file);
  return rows.map((row, index) => {
    const shape = parsePythonLiteral(String(row.shape), file, `row ${index + 2} shape`);
    const start = Number(row.start_idx);
    const end = Number(row.end_idx);
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      throw new FormatError('layout shape must be a tuple of integers', {
        file,
        field: String(row.varname),
        found: String(row.shape),
      });
    }
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      end > width ||
      end - start !== sizeOf(shape as number[])
    ) {
      throw new FormatError('layout range does not match the shape or the weights width', {
        file,
        field: String(row.varname),
        expected: `end - start = ${sizeOf(shape as number[])} within ${width}`,
        found: `${start}..${end}`,
      });
    }
    return { name: String(row.varname), start, end, shape: shape as number[] };
  });
}

function toTorch(name: string, tensor: Tensor): [string, Tensor] {
  const clean = name.replace(/:0$/, '').split('/').join('.');
  if (!/kernel$/.test(clean)) return [clean, tensor];
  const renamed = clean.replace(/kernel$/, 'weight');
  if (tensor.rank === 4) return [renamed, tensor.transpose([3, 2, 0, 1]).contiguous()]; // HWIO -> OIHW
  if (tensor.rank === 2) return [renamed, tensor.transpose([1, 0]).contiguous()];
  return [renamed, tensor];
}

/** A FormatError unless `file` is a regular file (links followed only inside the zoo). */
function requireFile(folder: ZooFolder, file: string): void {
  const kind = folder.entry(file);
  if (kind !== 'file')
    throw new FormatError('a Small CNN Zoo file is missing or not a regular file', {
      file,
      expected: 'a regular file',
      found: kind,
    });
}

/** Opens a Small CNN Zoo folder (weights.npy, layout.csv, metrics.csv.gz). */
export function readSmallCnnZoo(root: string, options: SmallCnnZooOptions = {}): Zoo {
  const folder = new ZooFolder(root, options);
  const weightsFile = path.join(root, 'weights.npy');
  const metricsFile = path.join(root, 'metrics.csv.gz');
  for (const file of [weightsFile, metricsFile]) requireFile(folder, file);
  const maxMetricsBytes = options.maxMetricsBytes ?? 2 ** 30;
  const header = readNpyHeader(weightsFile);
  if (header.shape.length !== 2 || header.fortranOrder)
    throw new FormatError('weights.npy must be a C-ordered N x P matrix', {
      file: weightsFile,
      found: `shape (${header.shape}) fortran_order ${header.fortranOrder}`,
    });
  const [count, width] = header.shape;
  const layout = readLayout(folder, path.join(root, 'layout.csv'), width);
  const compressedBytes = fs.statSync(metricsFile).size;
  if (compressedBytes > maxMetricsBytes)
    throw new FormatError('metrics.csv.gz too large', {
      file: metricsFile,
      expected: `at most ${maxMetricsBytes} bytes (option maxMetricsBytes)`,
      found: `${compressedBytes} bytes`,
    });
  const metricsText = new TextDecoder().decode(
    gunzipBounded(fs.readFileSync(metricsFile), maxMetricsBytes, 'metrics.csv.gz', { file: metricsFile }),
  );
  const metrics = parseCsv(metricsText, metricsFile);
  if (metrics.length !== count)
    throw new FormatError('metrics.csv.gz and weights.npy have different row counts', {
      file: metricsFile,
      expected: String(count),
      found: String(metrics.length),
    });
  const torchLayout = (options.layout ?? 'torch') === 'torch';
  const load = (row: number) => (): WeightSet => {
    const vector = readNpyRows(weightsFile, row, 1).toFloat32();
    const tensors = layout.map(({ name, start, end, shape }): [string, Tensor] => {
      const tensor = new Tensor('float32', vector.slice(start, end), shape);
      return torchLayout ? toTorch(name, tensor) : [name, tensor];
    });
    return new WeightSet(tensors, { metadata: { format: 'small-cnn-zoo', file: weightsFile, row } });
  };
  // Group rows into models by their run folder; without one, every row is its own model.
  const groups = new Map<string, number[]>();
  metrics.forEach((row, index) => {
    const key =
      typeof row.modeldir === 'string' || typeof row.modeldir === 'number' ? String(row.modeldir) : `row_${index}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(index);
  });
  const models: ZooModel[] = [];
  for (const [id, rows] of groups) {
    const first = metrics[rows[0]];
    const params: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(first))
      if (key.startsWith('config.')) params[key.slice('config.'.length)] = value;
    const model = {
      id,
      path: root,
      params,
      hyperparameters: hyperparametersOf(params),
      results: [] as ZooResult[],
      checkpoints: [] as ZooCheckpoint[],
    };
    const ordered = [...rows].sort((a, b) => Number(metrics[a].step ?? a) - Number(metrics[b].step ?? b));
    for (const row of ordered) {
      const values = metrics[row];
      const epoch = typeof values.step === 'number' ? values.step : row;
      const result: ZooResult = { epoch };
      for (const [key, value] of Object.entries(values))
        if (!key.startsWith('config.') && key !== 'modeldir' && key !== 'step') result[key] = value;
      // Aliases so that ggap and cross-zoo code see the usual names.
      if (typeof values.test_accuracy === 'number') result.test_acc = values.test_accuracy;
      if (typeof values.train_accuracy === 'number') result.train_acc = values.train_accuracy;
      model.results.push(result);
      model.checkpoints.push({ model, epoch, path: `${weightsFile}#${row}`, load: load(row) });
    }
    models.push(model);
  }
  return new Zoo('small-cnn-zoo', root, models);
}
