#!/usr/bin/python3
"""Runs WeightWatcher's SVDSmoothing and SVDSharpness on a small float64 state dict and writes the
inputs, the rewritten weights and the per-layer counts as JSON (see README.md beside this file).

  PYTHONPATH=<weightwatcher checkout>/src:<stubs> /usr/bin/python3 \
      tests/spectral/oracle/svd_edit_oracle.py tests/spectral/oracle/weightwatcher-svd-edit.json

The inputs are drawn here from a fixed numpy seed and stored in the JSON (float64, base64 of the
little-endian bytes), so the test needs neither numpy nor WeightWatcher.
"""
import base64
import json
import sys

import numpy as np
import weightwatcher as ww


def encode(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype='<f8').tobytes()).decode('ascii')


def inputs():
    """A dense layer with a planted power-law spectrum plus noise, a Conv2d kernel and a dense layer
    whose entries have a large common mean (its shuffled ESD keeps one spike whatever the shuffle)."""
    random = np.random.RandomState(20261205)
    u, _ = np.linalg.qr(random.normal(size=(24, 16)))
    v, _ = np.linalg.qr(random.normal(size=(16, 16)))
    planted = (u * (np.arange(1, 17) ** -0.9 * 4.0)) @ v.T + 0.02 * random.normal(size=(24, 16))
    return {
        'fc1.weight': planted,
        'fc1.bias': random.normal(size=24),
        'conv.weight': random.normal(size=(6, 4, 3, 3)) + 3.0,
        'spiky.weight': random.normal(size=(24, 12)) + 2.0,
    }


RUNS = {
    'smoothing_detX': lambda w, m: w.SVDSmoothing(model=m),
    'smoothing_svd_0.5': lambda w, m: w.SVDSmoothing(model=m, method='svd', percent=0.5),
    'smoothing_alpha_min': lambda w, m: w.SVDSmoothing(model=m, method='alpha_min'),
    'smoothing_rmt': lambda w, m: w.SVDSmoothing(model=m, method='rmt'),
    'sharpness': lambda w, m: w.SVDSharpness(model=m),
}


def main(out):
    model = inputs()
    runs = {}
    for run, call in RUNS.items():
        results = []
        # Sharpness shuffles with numpy's global RNG: run it under several seeds and mark each tensor
        # that every seed rewrites the same way (the test compares only those: no RNG parity needed).
        for seed in range(5 if run == 'sharpness' else 1):
            np.random.seed(seed)
            copy = {name: value.copy() for name, value in model.items()}
            edited = call(ww.WeightWatcher(), copy)
            results.append({name: np.asarray(value, dtype=np.float64) for name, value in edited.items()})
        stable = {
            name: all(np.allclose(result[name], results[0][name], rtol=0, atol=1e-9) for result in results)
            for name in model
        }
        runs[run] = {
            'stable_over_seeds': stable,
            'weights': {name: encode(value) for name, value in results[0].items()},
            # Singular values of every rewritten matrix (PyTorch (out, in) slices for the kernel), descending.
            'singular_values': {
                name: [list(np.linalg.svd(m, compute_uv=False)) for m in matrices(value)]
                for name, value in results[0].items()
                if value.ndim >= 2
            },
        }
        print(f'{run}: stable {stable}', file=sys.stderr)
    result = {
        'produced_by': f'weightwatcher {ww.__version__} (commit d6fd015, CPU), numpy {np.__version__}',
        'inputs': {name: {'shape': list(value.shape), 'values': encode(value)} for name, value in model.items()},
        'runs': runs,
    }
    with open(out, 'w') as handle:
        json.dump(result, handle, indent=1)
        handle.write('\n')


def matrices(value):
    if value.ndim == 2:
        return [value]
    return [value[:, :, i, j] for i in range(value.shape[2]) for j in range(value.shape[3])]


if __name__ == '__main__':
    main(sys.argv[1])
