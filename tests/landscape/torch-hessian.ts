// The dense Hessian of a small MLP's mean cross-entropy, computed by torch 1.13 in float64
// (torch.autograd.functional.hessian: double backpropagation through torch's own tanh/relu,
// linear layers and cross_entropy), an oracle independent of weightlab's R-operator products.
// The test writes the parameters and data to its temp folder; Python reads them, and for each
// block [start, end) returns numpy's eigvalsh of the diagonal block, its trace and the
// variance of one Rademacher probe v^T H v (2 sum_{i != j} H_ij^2), which bounds Hutchinson.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { MlpArchitecture } from 'weightlab/internal';

const SCRIPT = String.raw`
import sys, json, numpy as np, torch
folder = sys.argv[1]
spec = json.load(open(f'{folder}/spec.json'))
params = torch.from_numpy(np.fromfile(f'{folder}/params.f64', dtype='<f8'))
x = torch.from_numpy(np.fromfile(f'{folder}/x.f64', dtype='<f8').reshape(-1, spec['inputs']))
y = torch.from_numpy(np.fromfile(f'{folder}/y.i32', dtype='<i4').astype(np.int64))
sizes = [spec['inputs'], *spec['hidden'], spec['outputs']]
act = torch.tanh if spec['activation'] == 'tanh' else torch.relu

def loss(theta):
    h, at = x, 0
    for l in range(len(sizes) - 1):
        w = theta[at:at + sizes[l] * sizes[l + 1]].reshape(sizes[l + 1], sizes[l])
        at += sizes[l] * sizes[l + 1]
        b = theta[at:at + sizes[l + 1]]
        at += sizes[l + 1]
        h = torch.nn.functional.linear(h, w, b)
        if l < len(sizes) - 2:
            h = act(h)
    return torch.nn.functional.cross_entropy(h, y)

H = torch.autograd.functional.hessian(loss, params).numpy()
out = {'loss': loss(params).item(), 'blocks': []}
for start, end in spec['blocks']:
    block = H[start:end, start:end]
    off = block - np.diag(np.diag(block))
    out['blocks'].append({
        'eigenvalues': np.linalg.eigvalsh(block).tolist(),
        'trace': float(np.trace(block)),
        'probe_variance': float(2 * np.sum(off ** 2)),
    })
print(json.dumps(out))
`;

export interface TorchBlock {
  /** eigvalsh of the block, ascending. */
  eigenvalues: number[];
  trace: number;
  /** Variance of v^T H_ll v for one Rademacher v. */
  probe_variance: number;
}

/** torch's loss and, per block [start, end), the eigenvalues, trace and probe variance of H_ll. */
export function torchHessianBlocks(
  folder: string,
  arch: MlpArchitecture,
  params: Float64Array,
  x: Float64Array,
  y: Int32Array,
  blocks: [number, number][],
): { loss: number; blocks: TorchBlock[] } {
  fs.writeFileSync(path.join(folder, 'params.f64'), params);
  fs.writeFileSync(path.join(folder, 'x.f64'), x);
  fs.writeFileSync(path.join(folder, 'y.i32'), y);
  fs.writeFileSync(
    path.join(folder, 'spec.json'),
    JSON.stringify({
      inputs: arch.inputs,
      hidden: arch.hidden,
      outputs: arch.outputs,
      activation: arch.activation,
      blocks,
    }),
  );
  const run = spawnSync('/usr/bin/python3', ['-c', SCRIPT, folder], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 (torch) failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { loss: number; blocks: TorchBlock[] };
}
