// Tasks as data: a fixed training set the hypotheses must fit and a test set their error is
// measured on (test MSE against the targets, as in Boopathy et al.'s code), all float64, plus
// seeded synthetic teacher tasks of any input dimension for the paper's experiments.

import { ArgumentError, ShapeError } from '../errors';
import { isMatrix, matrix, type Matrix } from '../tensor/tensor';
import { rng as makeRng } from '../random/rng';
import type { Rows } from './kernels';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** A supervised task: inputs (rows are examples) and targets (one-hot or real-valued), float64. */
export interface Task {
  trainX: Matrix;
  trainY: Matrix;
  testX: Matrix;
  testY: Matrix;
  /** A short description for tables and charts. */
  name?: string;
}

/** A task checked and copied into contiguous float64 rows. */
export interface TaskData {
  name: string;
  trainX: Rows;
  trainY: Rows;
  testX: Rows;
  testY: Rows;
  /** Input dimension. */
  dimension: number;
  /** Number of outputs (columns of Y). */
  outputs: number;
}

type MatrixLike = Matrix | readonly (readonly number[])[];

function toRows(value: MatrixLike, field: string): Rows {
  if (isMatrix(value)) {
    const [rows, cols] = value.shape;
    return { values: Float64Array.from(value.toFloat64()), rows, cols };
  }
  if (Array.isArray(value) && value.every((row) => Array.isArray(row))) {
    const rows = value.length;
    const cols = rows > 0 ? value[0].length : 0;
    const values = new Float64Array(rows * cols);
    value.forEach((row, i) => {
      if (row.length !== cols)
        throw new ShapeError('ragged rows', { field, expected: `${cols} columns`, found: `${row.length} in row ${i}` });
      row.forEach((x: number, j: number) => {
        values[i * cols + j] = x;
      });
    });
    return { values, rows, cols };
  }
  throw new ArgumentError('expected a float matrix (matrix(rows, cols, values) or number[][])', {
    field,
    found: typeof value,
  });
}

function checkFinite(rows: Rows, field: string): void {
  for (let i = 0; i < rows.values.length; i++) {
    if (!Number.isFinite(rows.values[i])) {
      throw new ArgumentError('task data must be finite', {
        field,
        found: `${rows.values[i]} at row ${Math.floor(i / rows.cols)}, column ${i % rows.cols}`,
      });
    }
  }
}

/** Validates a task (shapes agree, values finite, sets non-empty) and copies it to float64 rows. */
export function taskData(
  task: Task | { trainX: MatrixLike; trainY: MatrixLike; testX: MatrixLike; testY: MatrixLike; name?: string },
): TaskData {
  if (!task || typeof task !== 'object')
    throw new ArgumentError('a task is { trainX, trainY, testX, testY }', { field: 'task', found: String(task) });
  const trainX = toRows(task.trainX, 'trainX');
  const trainY = toRows(task.trainY, 'trainY');
  const testX = toRows(task.testX, 'testX');
  const testY = toRows(task.testY, 'testY');
  if (trainX.rows === 0 || testX.rows === 0)
    throw new ShapeError('training and test sets must be non-empty', {
      field: 'task',
      found: `${trainX.rows} training, ${testX.rows} test rows`,
    });
  if (trainY.rows !== trainX.rows)
    throw new ShapeError('trainY must have one row per trainX row', {
      field: 'trainY',
      expected: `${trainX.rows} rows`,
      found: `${trainY.rows}`,
    });
  if (testY.rows !== testX.rows)
    throw new ShapeError('testY must have one row per testX row', {
      field: 'testY',
      expected: `${testX.rows} rows`,
      found: `${testY.rows}`,
    });
  if (testX.cols !== trainX.cols)
    throw new ShapeError('test inputs have another dimension than training inputs', {
      field: 'testX',
      expected: `${trainX.cols} columns`,
      found: `${testX.cols}`,
    });
  if (testY.cols !== trainY.cols)
    throw new ShapeError('test targets have another width than training targets', {
      field: 'testY',
      expected: `${trainY.cols} columns`,
      found: `${testY.cols}`,
    });
  for (const [rows, field] of [
    [trainX, 'trainX'],
    [trainY, 'trainY'],
    [testX, 'testX'],
    [testY, 'testY'],
  ] as const)
    checkFinite(rows, field);
  return {
    name: task.name ?? `task (d = ${trainX.cols}, ${trainX.rows} train, ${testX.rows} test)`,
    trainX,
    trainY,
    testX,
    testY,
    dimension: trainX.cols,
    outputs: trainY.cols,
  };
}

export interface TeacherTaskOptions {
  /** Input dimension d; required. */
  dimension: number;
  /**
   * Training examples.
   * @default 64
   */
  trainSize?: number;
  /**
   * Test examples.
   * @default 128
   */
  testSize?: number;
  /**
   * 'linear' (a random linear map) or 'network' (a random one-hidden-layer tanh network of width `teacherWidth`).
   * @default 'linear'
   */
  teacher?: 'linear' | 'network';
  /**
   * Hidden width of the 'network' teacher (unused by the linear one).
   * @default 32
   */
  teacherWidth?: number;
  /**
   * Classes for one-hot targets (unused for regression targets).
   * @default 2
   */
  classes?: number;
  /**
   * 'one-hot' (argmax of the teacher's outputs, the paper's setting) or 'regression' (the outputs, scaled to unit variance).
   * @default 'one-hot'
   */
  targets?: 'one-hot' | 'regression';
  /**
   * Seed of the teacher and the inputs.
   * @default 0
   */
  seed?: number;
}

/** The defaults of teacherTask (see TeacherTaskOptions). */
export const TEACHER_TASK_DEFAULTS = {
  dimension: undefined,
  trainSize: 64,
  testSize: 128,
  teacher: 'linear',
  teacherWidth: 32,
  classes: 2,
  targets: 'one-hot',
  seed: 0,
} as const satisfies OptionDefaults<TeacherTaskOptions>;

/**
 * A seeded synthetic task: inputs x ~ N(0, I_d), targets from a random teacher. Same options,
 * same bytes. Regression targets are scaled to unit variance over the inputs' distribution.
 */
export function teacherTask(options: TeacherTaskOptions): Task {
  const {
    dimension,
    trainSize,
    testSize,
    teacher,
    teacherWidth: width,
    classes,
    targets,
    seed,
  } = resolveOptions('teacherTask', TEACHER_TASK_DEFAULTS, options);
  for (const [value, field] of [
    [dimension, 'dimension'],
    [trainSize, 'trainSize'],
    [testSize, 'testSize'],
    [width, 'teacherWidth'],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new ArgumentError('must be a positive integer', { field, found: String(value) });
  }
  if (!Number.isInteger(classes) || classes < 2)
    throw new ArgumentError('needs at least 2 classes', { field: 'classes', found: String(classes) });
  if (teacher !== 'linear' && teacher !== 'network')
    throw new ArgumentError('unknown teacher', {
      field: 'teacher',
      expected: "'linear' or 'network'",
      found: String(teacher),
    });
  if (targets !== 'one-hot' && targets !== 'regression')
    throw new ArgumentError('unknown targets', {
      field: 'targets',
      expected: "'one-hot' or 'regression'",
      found: String(targets),
    });
  const root = makeRng(seed);
  const outputs = targets === 'one-hot' ? classes : 1;
  // Teacher parameters come from their own sub-streams, so the sizes of the sets never change them.
  const teacherRng = root.fold('teacher');
  const first =
    teacher === 'linear'
      ? teacherRng.normal(dimension * outputs, 0, 1 / Math.sqrt(dimension))
      : teacherRng.normal(dimension * width, 0, 1 / Math.sqrt(dimension));
  const second =
    teacher === 'network' ? teacherRng.normal(width * outputs, 0, 1 / Math.sqrt(width)) : new Float64Array(0);
  const bias = teacher === 'network' ? teacherRng.normal(width, 0, 0.5) : new Float64Array(0);
  const evaluate = (x: Float64Array, row: number): Float64Array => {
    const out = new Float64Array(outputs);
    if (teacher === 'linear') {
      for (let o = 0; o < outputs; o++)
        for (let t = 0; t < dimension; t++) out[o] += x[row * dimension + t] * first[t * outputs + o];
      return out;
    }
    for (let h = 0; h < width; h++) {
      let pre = bias[h];
      for (let t = 0; t < dimension; t++) pre += x[row * dimension + t] * first[t * width + h];
      const hidden = Math.tanh(pre);
      for (let o = 0; o < outputs; o++) out[o] += hidden * second[h * outputs + o];
    }
    return out;
  };
  const make = (size: number, stream: string): [Matrix, Matrix] => {
    const x = root.fold(stream).normal(size * dimension);
    const y = new Float64Array(size * outputs);
    for (let i = 0; i < size; i++) {
      const out = evaluate(x, i);
      if (targets === 'one-hot') {
        let best = 0;
        for (let o = 1; o < outputs; o++) if (out[o] > out[best]) best = o;
        y[i * outputs + best] = 1;
      } else {
        y[i] = out[0];
      }
    }
    return [matrix(size, dimension, x), matrix(size, outputs, y)];
  };
  const [trainX, trainY] = make(trainSize, 'train');
  const [testX, testY] = make(testSize, 'test');
  if (targets === 'regression') {
    // Unit variance from the test set's empirical scale would leak; use the training set's.
    const train = trainY.toFloat64();
    let mean = 0;
    for (const v of train) mean += v / train.length;
    let variance = 0;
    for (const v of train) variance += (v - mean) ** 2 / train.length;
    const scale = variance > 0 ? 1 / Math.sqrt(variance) : 1;
    for (const m of [trainY, testY]) {
      const values = m.data as Float64Array;
      for (let i = 0; i < values.length; i++) values[i] *= scale;
    }
  }
  return {
    trainX,
    trainY,
    testX,
    testY,
    name: `${teacher} teacher, d = ${dimension}, ${targets === 'one-hot' ? `${classes} classes` : 'regression'}, ${trainSize} train / ${testSize} test`,
  };
}
