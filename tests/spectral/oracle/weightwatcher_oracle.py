#!/usr/bin/python3
"""Runs WeightWatcher on the oracle layers and writes its per-layer columns as JSON.

How the committed weightwatcher-0.7.5.5.json was produced (see README.md beside this file):
  node tests/dist/spectral/oracle/write-inputs.js /tmp/oracle-inputs
  PYTHONPATH=<weightwatcher checkout>:<powerlaw 1.x>:<stubs> /usr/bin/python3 \
      tests/spectral/oracle/weightwatcher_oracle.py /tmp/oracle-inputs tests/spectral/oracle/weightwatcher-0.7.5.5.json
The layers go in as a state dict of float32 numpy arrays (WeightWatcher's PYSTATEDICT path, CPU,
scipy gesdd SVD), once per option set. WeightWatcher itself is not part of this repository.
"""
import json
import math
import sys
import time

import numpy as np
import weightwatcher as ww

RUNS = {
    'default': {},
    'clip_xmax': {'fix_fingers': 'clip_xmax'},
    'detX': {'detX': True},
    'mp_fit': {'mp_fit': True},
    # The powerlaw-package paths (powerlaw 1.x Fit; TPL fits (alpha, Lambda) by scipy fmin per candidate xmin).
    'powerlaw': {'pl_package': 'powerlaw'},
    'xmin_peak': {'fix_fingers': 'xmin_peak', 'pl_package': 'powerlaw'},
    'TPL': {'fit': 'TPL', 'pl_package': 'powerlaw'},
    'E_TPL': {'fit': 'E_TPL', 'pl_package': 'powerlaw'},
}


def plain(value):
    """JSON-safe scalars: numpy types to Python, NaN/None to null."""
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    return value


def main(directory, out):
    manifest = json.load(open(f'{directory}/manifest.json'))
    model = {entry['name']: np.load(f"{directory}/{entry['file']}") for entry in manifest}
    runs = {}
    for run, options in RUNS.items():
        started = time.time()
        details = ww.WeightWatcher().analyze(model=model, **options)
        print(f'{run}: {time.time() - started:.1f} s', file=sys.stderr)
        runs[run] = [{column: plain(value) for column, value in row.items()} for row in details.to_dict('records')]
    result = {
        'produced_by': f'weightwatcher {ww.__version__} (commit d6fd015, CPU, float32 state dict), powerlaw 1.x (v1.4.6), numpy {np.__version__}',
        'inputs': manifest,
        'runs': runs,
    }
    with open(out, 'w') as handle:
        json.dump(result, handle, indent=1)
        handle.write('\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
