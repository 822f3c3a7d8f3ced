#!/usr/bin/python3
"""WeightWatcher 0.7.5.5's columns for the options of issue #19 part A, on the oracle layers.

Writes weightwatcher-0.7.5.5-options-a.json (how: README.md beside this file, "options-a"):
  node tests/dist/spectral/oracle/write-inputs.js DIR
  PYTHONPATH=<weightwatcher d6fd015>:<powerlaw 1.4.6>:<safetensors stub> /usr/bin/python3 \
      tests/spectral/oracle/weightwatcher_oracle_options-a.py DIR tests/spectral/oracle/weightwatcher-0.7.5.5-options-a.json

Two options do not run in the released 0.7.5.5 and are reached here without changing its source:
  * glorot_fix: analyze() stores it under params['glorot_fit'], which nothing reads, so the fix never
    runs ('glorot_fix_released' records that: the default columns). What apply_normalize_Wmats would do,
    W * sqrt((N + M) rf_size / 2) (glorot_norm_fix's 1/kappa; rf_size = conv2d_count, 1 for every pooled
    layer) in place of conv2d_norm, is fed in as prescaled weights with conv2d_norm=False ('glorot_fix'),
    multiplied like WeightWatcher's `W * norm` (float32 array times a numpy float64 scalar). (Reached
    as written, apply_normalize_Wmats would multiply W by glorot_norm_fix's (W, 1/kappa) tuple and fail.)
  * fft: apply_FFT reads `ww_layer.skippe` (a typo for skipped) and raises; an alias property lets
    WeightWatcher's own apply_FFT run.
(channels is not ported: set_channels calls `channels(channels, str)`, a typo for isinstance, and raises;
with that bypassed, conv2D_Wmats still reads each layer's own channels, LAST for every state-dict layer.)
"""
import json
import math
import sys
import time

import numpy as np
import weightwatcher as ww
from weightwatcher import weightwatcher as ww_module

# fft: WeightWatcher's apply_FFT tests `ww_layer.skippe`; make it the layer's `skipped`.
ww_module.WWLayer.skippe = property(lambda layer: layer.skipped)


def plain(value):
    """JSON-safe scalars: numpy types to Python, NaN/None to null, infinities to 'Infinity' / '-Infinity'."""
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        if math.isinf(value):
            return 'Infinity' if value > 0 else '-Infinity'
        return None if math.isnan(value) else float(value)
    return value


def glorot_prescaled(model):
    """Each weight times glorot_norm_fix's 1/kappa = sqrt((N + M) * 1 / 2), N and M as WeightWatcher's describe reports them."""
    described = ww.WeightWatcher().describe(model=model, min_evals=0, max_evals=0)
    rf_size = 1  # ww_layer.conv2d_count of a pooled layer
    factors = {row['name']: np.sqrt((row['N'] + row['M']) * rf_size / 2.0) for _, row in described.iterrows()}
    # The name of a state-dict layer is its key without '.weight'.
    return {key: (value * factors[key[: -len('.weight')]] if key[: -len('.weight')] in factors else value) for key, value in model.items()}


def main(directory, out):
    manifest = json.load(open(f'{directory}/manifest.json'))
    model = {entry['name']: np.load(f"{directory}/{entry['file']}") for entry in manifest}
    runs = {
        'describe': lambda: ww.WeightWatcher().describe(model=model),
        'describe_filters': lambda: ww.WeightWatcher().describe(model=model, min_evals=50, max_evals=200, layers=[-1]),
        'describe_conv2d': lambda: ww.WeightWatcher().describe(model=model, layers=['conv2d']),
        # fft's size filter counts M per layer (rf taken as 1); num_evals stays M * rf.
        'describe_fft': lambda: ww.WeightWatcher().describe(model=model, fft=True),
        'min_size': lambda: ww.WeightWatcher().analyze(model=model, min_size=30, max_size=60),
        'glorot_fix_released': lambda: ww.WeightWatcher().analyze(model=model, glorot_fix=True),
        'glorot_fix': lambda: ww.WeightWatcher().analyze(model=glorot_prescaled(model), conv2d_norm=False),
        'tolerance': lambda: ww.WeightWatcher().analyze(model=model, tolerance=0.5),
        'xmax': lambda: ww.WeightWatcher().analyze(model=model, xmax=-2),
        # More than half of most layers' eigenvalues: WeightWatcher then fits up to the eigenvalue nearest 30.
        'xmax_large': lambda: ww.WeightWatcher().analyze(model=model, xmax=-30),
        'xmax_powerlaw': lambda: ww.WeightWatcher().analyze(model=model, xmax=-3, pl_package='powerlaw'),
        'xmax_force': lambda: ww.WeightWatcher().analyze(model=model, xmax='force', pl_package='powerlaw'),
        # Too large for most layers again: powerlaw's Fit is then bounded by the number 30 itself.
        'xmax_large_powerlaw': lambda: ww.WeightWatcher().analyze(model=model, xmax=-30, pl_package='powerlaw'),
        'clip_xmax_powerlaw': lambda: ww.WeightWatcher().analyze(model=model, fix_fingers='clip_xmax', pl_package='powerlaw'),
        'fft': lambda: ww.WeightWatcher().analyze(model=model, fft=True),
    }
    result = {
        'produced_by': f'weightwatcher {ww.__version__} (commit d6fd015, CPU, float32 state dict), powerlaw 1.x (v1.4.6), numpy {np.__version__}',
        'inputs': manifest,
        'runs': {},
        'seconds': {},
    }
    for run, call in runs.items():
        started = time.time()
        details = call()
        result['seconds'][run] = round(time.time() - started, 1)
        print(f'{run}: {result["seconds"][run]} s', file=sys.stderr)
        result['runs'][run] = [{column: plain(value) for column, value in row.items()} for row in details.to_dict('records')]
    with open(out, 'w') as handle:
        json.dump(result, handle, indent=1)
        handle.write('\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
