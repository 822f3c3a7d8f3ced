// Finding the Python that has Jupyter. On Debian it is /usr/bin/python3, while the
// `python3` first on PATH is often a pyenv or venv interpreter without Jupyter, so
// every candidate is probed by importing jupyter_client rather than trusted by name.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.WEIGHTLAB_PYTHON) list.push(process.env.WEIGHTLAB_PYTHON);
  if (process.env.CONDA_PREFIX) list.push(path.join(process.env.CONDA_PREFIX, 'bin', 'python'));
  list.push('/usr/bin/python3', '/usr/local/bin/python3');
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) list.push(path.join(dir, 'python3'));
  return [...new Set(list)];
}

let cached: string | null | undefined;

/** Absolute path of a Python that can `import jupyter_client`, or undefined. */
export function findJupyterPython(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  for (const candidate of candidates()) {
    if (!fs.existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['-c', 'import jupyter_client, sys; print(sys.executable)'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (probe.status === 0) {
      cached = probe.stdout.trim() || candidate;
      break;
    }
  }
  return cached ?? undefined;
}

/** Whether `python` can import every module in `modules`. */
export function pythonHasModules(python: string, modules: string[]): boolean {
  const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0;
}

/** sys.prefix of `python` (where --sys-prefix installs go). */
export function pythonSysPrefix(python: string | undefined): string | undefined {
  if (!python) return undefined;
  const probe = spawnSync(python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8', timeout: 20_000 });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}
