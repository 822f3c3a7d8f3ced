// scipy as the oracle of the statistics tests: runs a Python snippet with the first Python that
// has scipy and numpy (WEIGHTLAB_PYTHON, /usr/bin/python3, then `python3` on PATH: the oracle needs
// no Jupyter, so it need not be the kernel tests' Python), passing `input` as JSON on stdin and
// reading the snippet's JSON from stdout. Returns undefined when no Python has scipy, so the
// caller can skip with the install hint.
import { spawnSync } from 'node:child_process';
import { jupyterPython } from '../support/paths';

let scipyPython: string | null | undefined;

/** The first Python that imports scipy and numpy, or null. */
function findScipyPython(): string | null {
  if (scipyPython !== undefined) return scipyPython;
  const candidates = [...new Set([jupyterPython(), '/usr/bin/python3', 'python3'])];
  scipyPython = candidates.find((python) => spawnSync(python, ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status === 0) ?? null;
  return scipyPython;
}

/** Runs `body` (Python; `data` holds the input, `result` is printed as JSON) and returns its result. */
export function scipy<Result>(body: string, input: unknown): Result | undefined {
  const python = findScipyPython();
  if (python === null) return undefined;
  const script = `import json, sys\nimport numpy as np\nfrom scipy import stats, special\ndata = json.load(sys.stdin)\n${body}\nprint(json.dumps(result))\n`;
  const run = spawnSync(python, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the scipy oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Result;
}

export const SCIPY_MISSING = 'scipy not installed (apt-get install python3-scipy)';

/** |got - expected| within `relative` of |expected| (or of 1 below it). */
export function close(got: number, expected: number, relative: number): boolean {
  return Math.abs(got - expected) <= relative * Math.max(1e-300, Math.abs(expected));
}
