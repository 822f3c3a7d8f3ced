#!/usr/bin/python3
"""Runs WeightWatcher's other layer iterators (pool=False, ww2x, intra, peft) on the option-b layer
sets and writes its per-layer columns as JSON (see README.md beside this file).

  node tests/dist/spectral/oracle/write-inputs-options-b.js /tmp/oracle-b
  PYTHONPATH=<weightwatcher d6fd015>:<powerlaw 1.4.6>:<safetensors stub> /usr/bin/python3 \
      tests/spectral/oracle/weightwatcher_oracle_options-b.py /tmp/oracle-b \
      tests/spectral/oracle/weightwatcher-0.7.5.5-options-b.json
Each set goes in as a state dict of numpy arrays in the dtype the manifest names (WeightWatcher's
PYSTATEDICT path, CPU, scipy SVD), each run in a fresh WeightWatcher().
"""
import json
import sys
import time

import numpy as np
import scipy.linalg
import weightwatcher as ww
# The JSON conversion of the first oracle (this folder is on sys.path when the script runs).
from weightwatcher_oracle import plain

# run name: (layer set, analyze() keywords)
RUNS = {
    'pool_false': ('layers', {'pool': False}),
    'ww2x': ('layers', {'ww2x': True}),
    'pool_false_slices': ('slices', {'pool': False}),
    # sparsify=True draws its 0/1 mask from numpy's unseeded generator: not reproducible, not run.
    'intra': ('chain', {'intra': True, 'sparsify': False}),
    'peft': ('lora', {'peft': True}),
    'peft_with_base': ('lora', {'peft': 'with_base'}),
    'vectors': ('layers', {'vectors': True}),
    'vectors_pool_false': ('slices', {'vectors': True, 'pool': False}),
}

# Not a WeightWatcher column: how many eigenvectors its vectors option put in the tail (eigenvalue of
# X = W·Wᵀ, by scipy's eig as WeightWatcher computes it, >= xmin). The eigenvector at xmin itself lands
# on either side by rounding; the test uses this count to tell those rows apart.
TAIL_COUNT = 'oracle_vector_tail_count'


def record_tail_counts():
    original = ww.WeightWatcher.apply_analyze_eigenvectors

    def recording(self, ww_layer, params=None):
        result = original(self, ww_layer, params=params)
        evals = []
        for W in ww_layer.Wmats:
            W = W.astype(float)
            X = np.matmul(W, W.T) if W.shape[0] <= W.shape[1] else np.matmul(W.T, W)
            evals.extend(scipy.linalg.eig(X)[0])
        ww_layer.add_column(TAIL_COUNT, int(np.sum(np.array(evals) >= ww_layer.xmin)))
        return result

    ww.WeightWatcher.apply_analyze_eigenvectors = recording


def main(directory, out):
    record_tail_counts()
    inputs = {}
    runs = {}
    for run, (layer_set, options) in RUNS.items():
        manifest = json.load(open(f'{directory}/{layer_set}/manifest.json'))
        inputs[layer_set] = manifest
        model = {entry['name']: np.load(f"{directory}/{layer_set}/{entry['file']}") for entry in manifest}
        started = time.time()
        details = ww.WeightWatcher().analyze(model=model, **options)
        print(f'{run}: {time.time() - started:.1f} s', file=sys.stderr)
        rows = [{column: plain(value) for column, value in row.items()} for row in details.to_dict('records')]
        runs[run] = {'set': layer_set, 'options': options, 'rows': rows}
    result = {
        'produced_by': f'weightwatcher {ww.__version__} (commit d6fd015, CPU), powerlaw 1.x (v1.4.6), numpy {np.__version__}',
        'inputs': inputs,
        'runs': runs,
    }
    with open(out, 'w') as handle:
        json.dump(result, handle, indent=1)
        handle.write('\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
