// Where Jupyter looks for kernelspecs and lab extensions, computed the way jupyter_core does
// it, so `weightlab install` needs no Python and never depends on the `python3` on PATH.

import os from 'node:os';
import path from 'node:path';
import { findJupyterPython, pythonSysPrefix } from './python';

export type InstallTarget = { kind: 'user' } | { kind: 'prefix'; prefix: string } | { kind: 'sys-prefix' };

/** The user's Jupyter data directory (JUPYTER_DATA_DIR, else XDG / platform default). */
export function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return path.resolve(process.env.JUPYTER_DATA_DIR);
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? os.homedir(), 'jupyter');
  const xdg = process.env.XDG_DATA_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share'), 'jupyter');
}

/** The Jupyter data directory (`.../share/jupyter`) for an install target. */
export function dataDirFor(target: InstallTarget): string {
  switch (target.kind) {
    case 'user':
      return userDataDir();
    case 'prefix':
      return path.join(path.resolve(target.prefix), 'share', 'jupyter');
    case 'sys-prefix': {
      const prefix = process.env.CONDA_PREFIX ?? pythonSysPrefix(findJupyterPython());
      if (!prefix)
        throw new Error(
          '--sys-prefix needs a Python with Jupyter (none found; set WEIGHTLAB_PYTHON or use --user / --prefix)',
        );
      return path.join(prefix, 'share', 'jupyter');
    }
  }
}
