// The UCI 8x8 handwritten digits (1,797 x 64, CC BY 4.0), bundled in lib/data so that
// zoos build offline; see lib/data/README.md for provenance and attribution.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../errors';
import { dataset, splitDataset, SPLIT_DEFAULTS, type Dataset, type DatasetSplit, type SplitOptions } from './dataset';
import { resolveOptions } from '../options/resolve';

/** lib/data next to lib/dist (this file runs from lib/dist/data). */
export const dataDirectory = path.resolve(__dirname, '..', '..', 'data');

const ROWS = 1797;
const PIXELS = 64;
let cached: Dataset | undefined;

/** All 1,797 digits, pixels scaled from 0..16 to [0, 1], labels 0..9. */
export function digitsDataset(): Dataset {
  if (cached) return cached;
  const file = path.join(dataDirectory, 'digits.csv.gz');
  const text = gunzipSync(fs.readFileSync(file)).toString('latin1');
  const lines = text.split('\n').filter((line) => line.length > 0);
  if (lines.length !== ROWS)
    throw new FormatError('unexpected number of rows', { file, expected: String(ROWS), found: String(lines.length) });
  const x = new Float64Array(ROWS * PIXELS);
  const y = new Int32Array(ROWS);
  lines.forEach((line, row) => {
    const cells = line.split(',');
    if (cells.length !== PIXELS + 1)
      throw new FormatError('unexpected number of columns', {
        file,
        field: `row ${row}`,
        expected: String(PIXELS + 1),
        found: String(cells.length),
      });
    for (let j = 0; j < PIXELS; j++) x[row * PIXELS + j] = Number(cells[j]) / 16;
    y[row] = Number(cells[PIXELS]);
  });
  cached = dataset('digits', x, y, PIXELS, 10, { image: [1, 8, 8] });
  return cached;
}

/** The digits with a fixed, stratified train/test split (default 20 % of each class as test, seed 0: 1,438 / 359 rows). */
export function digits(options: SplitOptions = {}): DatasetSplit {
  return splitDataset(digitsDataset(), resolveOptions('digits', SPLIT_DEFAULTS, options));
}
