// The serialised contract with PTMZ/ModelZoos tools, kept apart from the code that uses it (as
// tfjs-layers keeps its Keras format): in params.json and zoo.json a zoo axis is stored under its
// PTMZ key ('training::batchsize', 'optim::lr', ...), so PTMZ readers open weightlab zoos; in the
// API, in tables, in model ids and in `--json` it has one snake_case name (`batch_size`,
// `learning_rate`, ...). This file is the only place that knows both.
//
// Reading any zoo (native, ray-tune/PTMZ) maps the known keys below to their axis names; keys not
// listed here (PTMZ's 'model::nlin', a user's own hyperparameters) are kept as they are written.

/**
 * The hyperparameters a zoo grid sweeps, by their one name: width, depth, data_fraction,
 * label_noise and the PINN's beta are load-like; batch_size and learning_rate temperature-like.
 * For a CNN, width is the channel count of every conv layer and depth the number of conv layers.
 */
export type AxisName =
  'width' | 'depth' | 'batch_size' | 'learning_rate' | 'weight_decay' | 'data_fraction' | 'label_noise' | 'beta';

/** Every axis, in grid order (the order model ids list them). */
export const AXIS_NAMES: readonly AxisName[] = [
  'width',
  'depth',
  'batch_size',
  'learning_rate',
  'weight_decay',
  'data_fraction',
  'label_noise',
  'beta',
];

/** Each axis's key in params.json and zoo.json (PTMZ/ModelZoos names). */
export const PTMZ_AXIS_KEYS: Readonly<Record<AxisName, string>> = {
  width: 'model::width',
  depth: 'model::depth',
  batch_size: 'training::batchsize',
  learning_rate: 'optim::lr',
  weight_decay: 'optim::wd',
  data_fraction: 'training::data_fraction',
  label_noise: 'training::label_noise',
  beta: 'dataset::beta',
};

const AXIS_OF_KEY: ReadonlyMap<string, AxisName> = new Map(AXIS_NAMES.map((axis) => [PTMZ_AXIS_KEYS[axis], axis]));

/** The axis name of a params.json/zoo.json key: a known PTMZ key maps to its axis, any other key is kept. */
export function axisNameOfKey(key: string): string {
  return AXIS_OF_KEY.get(key) ?? key;
}

/** Whether `name` is one of the axis names. */
export function isAxisName(name: string): name is AxisName {
  return (AXIS_NAMES as readonly string[]).includes(name);
}

/**
 * Hyperparameters as written (PTMZ keys) under their axis names; other keys kept, in their order.
 * When a file also holds an axis under its plain name (a hand-written params.json), the PTMZ key's
 * value wins: it is the one PTMZ tools read.
 */
export function hyperparametersOf(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const name = axisNameOfKey(key);
    if (name === key && isAxisName(key) && PTMZ_AXIS_KEYS[key] in params) continue;
    out[name] = value;
  }
  return out;
}
