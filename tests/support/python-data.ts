// A user's own dataset as other tools write it, for the custom-data tests: numpy writes the .npz
// and .npy files, Python's csv module the CSV, and Python's struct + json the .safetensors file
// by the format's definition (the safetensors package is not installed here, and writing it with
// weightlab's own writer would test the reader against itself). The same numbers go to a JSON
// file that a CommonJS data module reads, so every source holds exactly the same data. Python's
// hashlib gives each file's SHA-256, the oracle for what zoo.json records.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const SCRIPT = String.raw`
import csv, hashlib, json, struct, sys
import numpy as np
folder, rows, features, classes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(7)
y = np.arange(rows) % classes
centres = rng.normal(size=(classes, features)) * 2
x = centres[y] + rng.normal(size=(rows, features))
np.savez(f'{folder}/data.npz', x=x, y=y)
np.save(f'{folder}/x.npy', x)
np.save(f'{folder}/y.npy', y)
with open(f'{folder}/data.csv', 'w', newline='') as f:
    writer = csv.writer(f)
    writer.writerow([f'f{i}' for i in range(features)] + ['label'])
    for row, label in zip(x, y):
        writer.writerow([repr(float(v)) for v in row] + [int(label)])
header, blobs, offset = {}, [], 0
for name, code, array in [('x', 'F64', x.astype('<f8')), ('y', 'I64', y.astype('<i8'))]:
    data = np.ascontiguousarray(array).tobytes()
    header[name] = {'dtype': code, 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
text = json.dumps(header).encode()
with open(f'{folder}/data.safetensors', 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))
with open(f'{folder}/data.json', 'w') as f:
    json.dump({'x': x.tolist(), 'y': [int(v) for v in y]}, f)
digests = {}
for name in ['data.npz', 'x.npy', 'y.npy', 'data.csv', 'data.safetensors']:
    with open(f'{folder}/{name}', 'rb') as f:
        digests[name] = hashlib.sha256(f.read()).hexdigest()
with open(f'{folder}/x.npy', 'rb') as a, open(f'{folder}/y.npy', 'rb') as b:
    digests['x.npy+y.npy'] = hashlib.sha256(a.read() + b.read()).hexdigest()
print(json.dumps(digests))
`;

/** A CommonJS data module giving the JSON file's numbers as nested arrays (no weightlab reader involved). */
const MODULE = `const fs = require('node:fs');
const path = require('node:path');
module.exports = () => {
  const data = JSON.parse(fs.readFileSync(path.join(__dirname, 'data.json'), 'utf8'));
  return { x: data.x, y: data.y };
};
`;

export interface PythonData {
  folder: string;
  /** SHA-256 of each file by name (hashlib), and of x.npy followed by y.npy under 'x.npy+y.npy'. */
  sha256: Record<string, string>;
}

/**
 * Writes data.npz, x.npy + y.npy, data.csv (header f0..f{n-1},label), data.safetensors, data.json
 * and data.js into `folder`: `rows` examples of `features` Gaussian features around one centre per
 * class, labels cycling 0..classes-1.
 */
export function writePythonData(folder: string, rows = 150, features = 5, classes = 3): PythonData {
  const run = spawnSync('/usr/bin/python3', ['-c', SCRIPT, folder, String(rows), String(features), String(classes)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  fs.writeFileSync(path.join(folder, 'data.js'), MODULE);
  return { folder, sha256: JSON.parse(run.stdout) as Record<string, string> };
}

/** Runs a Python snippet with numpy imported as np and `folder` set (for hostile files). */
export function python(folder: string, code: string): void {
  const run = spawnSync(
    '/usr/bin/python3',
    ['-c', `import sys\nimport numpy as np\nfolder = sys.argv[1]\n${code}`, folder],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
}
