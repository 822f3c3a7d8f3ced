// What the Jupyter side needs and how to get it, in one place: the start script installs
// it, and commands that find it missing print exactly these commands.

import { findJupyterPython, pythonHasModules } from './python';

/** Debian packages that provide the Jupyter server, nbclient/nbconvert and the kernel test suite. */
export const DEBIAN_JUPYTER_PACKAGES = [
  'jupyter-client',
  'python3-nbclient',
  'jupyter-nbconvert',
  'python3-jupyter-server',
  'python3-jupyterlab-server',
  'python3-jupyter-kernel-test',
  'jupyter-notebook',
  'python3-ipykernel',
];

/** Python modules the lab and the tests import. */
export const JUPYTER_MODULES = ['jupyter_client', 'jupyter_server', 'nbclient', 'nbconvert', 'notebook'];

export interface JupyterStatus {
  python?: string;
  missing: string[];
}

export function jupyterStatus(modules = JUPYTER_MODULES): JupyterStatus {
  const python = findJupyterPython();
  if (!python) return { missing: modules };
  const missing = modules.filter((module) => !pythonHasModules(python, [module]));
  return { python, missing };
}

export function installInstructions(): string {
  return [
    'Jupyter is missing. Install it with one of:',
    `  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${DEBIAN_JUPYTER_PACKAGES.join(' ')}`,
    '  conda env create -f environment.yml && conda activate weightlab     (outside Debian)',
    'then run the command again (set WEIGHTLAB_PYTHON to choose the Python that has Jupyter).',
  ].join('\n');
}
