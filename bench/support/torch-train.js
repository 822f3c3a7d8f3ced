// The torch side of the training benchmarks (bench/train.js, its --cnn rows, bench/zoo.js --torch):
// trains weightlab training jobs (an MLP or the small CNN of lib/src/train/cnn.ts, SGD with momentum
// and weight decay, a seeded batch order per epoch, an evaluation on train and test before training
// and after every epoch, as trainNetwork does) in torch on one thread, on the same data, and
// reports each job's CPU seconds (time.process_time) and final test accuracy. Torch draws its own
// initialisation and batch order, so accuracies agree in distribution, not bit for bit; the cost
// per model is the same work. Used by scripts, not by tests.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const PYTHON = '/usr/bin/python3';

const TORCH_SCRIPT = String.raw`
import sys, json, time, numpy as np, torch
torch.set_num_threads(1)
folder = sys.argv[1]
config = json.load(open(f'{folder}/jobs.json'))
dtype = {'float32': torch.float32, 'float64': torch.float64}[config['dtype']]
load = lambda name: torch.from_numpy(np.load(f'{folder}/{name}.npy'))
xtr, xte = load('xtr').to(dtype), load('xte').to(dtype)
ytr, yte = load('ytr').long(), load('yte').long()
loss_fn = torch.nn.CrossEntropyLoss()

def build(arch):
    act = torch.nn.ReLU if arch['activation'] == 'relu' else torch.nn.Tanh
    if arch['kind'] == 'mlp':
        sizes = [arch['inputs'], *arch['hidden'], arch['outputs']]
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2: layers.append(act())
        return torch.nn.Sequential(*layers)
    c, h, w = arch['image']
    k = arch['kernel']
    layers = [torch.nn.Unflatten(1, (c, h, w))]
    for out, stride in zip(arch['channels'], arch['strides']):
        layers += [torch.nn.Conv2d(c, out, k, stride, padding=k // 2), act()]
        c = out
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(c, arch['outputs'])]
    return torch.nn.Sequential(*layers)

def evaluate(net):
    # whole-data loss and accuracy, in chunks of 1,000 rows (bounded memory on 28x28 images)
    with torch.no_grad():
        result = []
        for x, y in ((xtr, ytr), (xte, yte)):
            loss, correct = 0.0, 0
            for s in range(0, x.shape[0], 1000):
                z = net(x[s:s + 1000])
                loss += loss_fn(z, y[s:s + 1000]).item() * z.shape[0]
                correct += (z.argmax(1) == y[s:s + 1000]).sum().item()
            result.append((loss / x.shape[0], correct / x.shape[0]))
        return result

evaluation = config['evaluation']
for job in config['jobs']:
    start = time.process_time()
    torch.manual_seed(job['seed'])
    net = build(job['architecture']).to(dtype)
    opt = torch.optim.SGD(net.parameters(), lr=job['learningRate'], momentum=job['momentum'], weight_decay=job['weightDecay'])
    batch = job['batchSize']
    if evaluation: metrics = evaluate(net)
    for epoch in range(job['epochs']):
        order = torch.randperm(xtr.shape[0])
        for s in range(0, xtr.shape[0], batch):
            rows = order[s:s + batch]
            opt.zero_grad()
            loss_fn(net(xtr[rows]), ytr[rows]).backward()
            opt.step()
        if evaluation: metrics = evaluate(net)
    seconds = time.process_time() - start
    # without the per-epoch evaluation, the final accuracy is measured after the clock stops
    if not evaluation: metrics = evaluate(net)
    print(json.dumps({'seconds': seconds, 'test_acc': metrics[1][1]}), flush=True)
`;

/** Why torch cannot run here (a sentence), or undefined when `import torch` works. */
function torchUnavailable() {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${PYTHON} -c "import torch" failed (torch not installed)`;
  }
}

/** What torchTrain does besides training, as data (see TORCH_TRAIN_DEFAULTS). */
const TORCH_TRAIN_DEFAULTS = Object.freeze({
  /**
   * Whether the timed part includes the evaluation on train and test before training and after
   * every epoch, as trainNetwork does (false: training alone is timed, to show what the evaluation
   * costs; the test accuracy is still measured, once, after the clock stops). @default true
   */
  evaluation: true,
});

/**
 * Trains `jobs` (weightlab TrainingJob objects; architecture, seed, batchSize, learningRate,
 * momentum, weightDecay, epochs) in torch in `dtype` on `split`, one after another in one Python
 * process; returns per job, in order, { seconds (CPU), test_acc }. `options`: TORCH_TRAIN_DEFAULTS.
 */
function torchTrain(wl, jobs, split, dtype, options) {
  const { evaluation } = wl.resolveOptions('torchTrain', TORCH_TRAIN_DEFAULTS, options);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-bench-torch-'));
  try {
    const save = (name, tensor) => wl.writeNpy(path.join(folder, `${name}.npy`), tensor);
    save('xtr', new wl.Tensor('float64', split.train.x, [split.train.size, split.train.features]));
    save('ytr', new wl.Tensor('int32', split.train.y, [split.train.size]));
    save('xte', new wl.Tensor('float64', split.test.x, [split.test.size, split.test.features]));
    save('yte', new wl.Tensor('int32', split.test.y, [split.test.size]));
    fs.writeFileSync(path.join(folder, 'jobs.json'), JSON.stringify({ dtype, evaluation, jobs }));
    const output = execFileSync(PYTHON, ['-c', TORCH_SCRIPT, folder], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      maxBuffer: 1 << 26,
    });
    return output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

module.exports = { torchUnavailable, torchTrain, TORCH_TRAIN_DEFAULTS };
