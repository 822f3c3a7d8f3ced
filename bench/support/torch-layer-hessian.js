// The torch side of the per-layer Hessian benchmark (bench/zoo.js --hessian-by-layer): for an MLP's
// flat parameters and a batch, per layer (weight and bias together) a fixed number of power
// iterations and of Hutchinson probes on the diagonal block H_ll, each product the way PyHessian
// forms it but restricted to the layer: the layer's gradient once with create_graph, then
// autograd.grad(g_l, theta_l, grad_outputs=v_l) per product. Float64, one thread, CPU seconds
// (time.process_time). Used by scripts, not by tests.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const PYTHON = '/usr/bin/python3';

const TORCH_SCRIPT = String.raw`
import sys, json, time, numpy as np, torch
torch.set_num_threads(1)
folder = sys.argv[1]
spec = json.load(open(f'{folder}/spec.json'))
theta = np.fromfile(f'{folder}/params.f64', dtype='<f8')
x = torch.from_numpy(np.fromfile(f'{folder}/x.f64', dtype='<f8').reshape(-1, spec['inputs']))
y = torch.from_numpy(np.fromfile(f'{folder}/y.i32', dtype='<i4').astype(np.int64))
sizes = [spec['inputs'], *spec['hidden'], spec['outputs']]
act = torch.tanh if spec['activation'] == 'tanh' else torch.relu
layers, at = [], 0
for l in range(len(sizes) - 1):
    w = torch.tensor(theta[at:at + sizes[l] * sizes[l + 1]].reshape(sizes[l + 1], sizes[l]), requires_grad=True)
    at += sizes[l] * sizes[l + 1]
    b = torch.tensor(theta[at:at + sizes[l + 1]], requires_grad=True)
    at += sizes[l + 1]
    layers.append((w, b))

def loss():
    h = x
    for l, (w, b) in enumerate(layers):
        h = torch.nn.functional.linear(h, w, b)
        if l < len(layers) - 1:
            h = act(h)
    return torch.nn.functional.cross_entropy(h, y)

start = time.process_time()
rows = []
generator = torch.Generator().manual_seed(0)
for l, params in enumerate(layers):
    grads = torch.autograd.grad(loss(), params, create_graph=True)
    def hvp(v):
        return torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)
    v = [torch.randn(p.shape, generator=generator, dtype=torch.float64) for p in params]
    value = 0.0
    for _ in range(spec['iterations']):
        norm = torch.sqrt(sum((t * t).sum() for t in v))
        v = [t / norm for t in v]
        hv = hvp(v)
        value = sum((a * b).sum() for a, b in zip(hv, v)).item()
        v = [t.detach() for t in hv]
    samples = []
    for _ in range(spec['probes']):
        r = [torch.randint(0, 2, p.shape, generator=generator).to(torch.float64) * 2 - 1 for p in params]
        samples.append(sum((a * b).sum() for a, b in zip(hvp(r), r)).item())
    rows.append({'layer': f'layers.{l}', 'top_eigenvalue': value, 'trace': float(np.mean(samples))})
print(json.dumps({'seconds': time.process_time() - start, 'layers': rows}))
`;

/**
 * Per layer of `arch` (an MLP) at `params` on the batch (x, y): `iterations` power iterations and
 * `probes` Hutchinson probes of the diagonal block, in torch; returns { seconds (CPU), layers }.
 */
function torchLayerHessian(arch, params, x, y, iterations, probes) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-bench-torch-hessian-'));
  try {
    fs.writeFileSync(path.join(folder, 'params.f64'), params);
    fs.writeFileSync(path.join(folder, 'x.f64'), x);
    fs.writeFileSync(path.join(folder, 'y.i32'), y);
    const { inputs, hidden, outputs, activation } = arch;
    fs.writeFileSync(
      path.join(folder, 'spec.json'),
      JSON.stringify({ inputs, hidden, outputs, activation, iterations, probes }),
    );
    const output = execFileSync(PYTHON, ['-c', TORCH_SCRIPT, folder], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    });
    return JSON.parse(output);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

module.exports = { torchLayerHessian };
