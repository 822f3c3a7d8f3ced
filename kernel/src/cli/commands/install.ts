// `weightlab install` / `weightlab uninstall`: the kernelspec (and the prebuilt lab
// extension when it is built) into a Jupyter data directory, with absolute paths only.

import { parseArgs, UsageError, type Command, type ParsedArgs } from '../command';
import { dataDirFor, type InstallTarget } from '../../jupyter/paths';
import { installLabExtension, uninstallLabExtension } from '../../jupyter/labextension';
import { installKernelSpec, uninstallKernelSpec } from '../../kernelspec';

const TARGET_HELP = `Where (default --user):
  --user            the user's Jupyter data dir (JUPYTER_DATA_DIR or ~/.local/share/jupyter)
  --prefix DIR      DIR/share/jupyter (point JUPYTER_PATH at it to use it)
  --sys-prefix      the active conda env, else sys.prefix of the Python that has Jupyter
  --json            print what was written as JSON`;

function target(parsed: ParsedArgs): InstallTarget {
  const chosen =
    ['user', 'sys-prefix'].filter((flag) => parsed.flags.has(flag)).length + (parsed.options.prefix ? 1 : 0);
  if (chosen > 1) throw new UsageError('choose one of --user, --prefix DIR, --sys-prefix');
  if (parsed.options.prefix) return { kind: 'prefix', prefix: parsed.options.prefix };
  if (parsed.flags.has('sys-prefix')) return { kind: 'sys-prefix' };
  return { kind: 'user' };
}

const spec = { values: ['prefix'], flags: ['user', 'sys-prefix', 'json'] };

function report(parsed: ParsedArgs, result: Record<string, unknown>, lines: string[]): void {
  process.stdout.write(parsed.flags.has('json') ? `${JSON.stringify(result, null, 2)}\n` : `${lines.join('\n')}\n`);
}

export const installCommand: Command = {
  name: 'install',
  summary: 'install the weightlab kernelspec (and lab extension) for Jupyter',
  help: `Usage: weightlab install [--user | --prefix DIR | --sys-prefix] [--json]

Writes the kernelspec "weightlab (TypeScript)" with absolute paths to this Node and this
kernel, and copies the prebuilt JupyterLab extension when it is built.

${TARGET_HELP}`,
  async run(args) {
    const parsed = parseArgs(args, spec);
    if (parsed.positional.length) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
    const dataDir = dataDirFor(target(parsed));
    const kernelDir = installKernelSpec(dataDir);
    const labextension = installLabExtension(dataDir);
    report(parsed, { dataDir, kernelspec: kernelDir, labextension: labextension ?? null }, [
      `kernelspec: ${kernelDir}`,
      labextension ? `labextension: ${labextension}` : 'labextension: not built (nothing to copy)',
    ]);
    return 0;
  },
};

export const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'remove what `weightlab install` wrote',
  help: `Usage: weightlab uninstall [--user | --prefix DIR | --sys-prefix] [--json]

${TARGET_HELP}`,
  async run(args) {
    const parsed = parseArgs(args, spec);
    if (parsed.positional.length) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
    const dataDir = dataDirFor(target(parsed));
    const kernelDir = uninstallKernelSpec(dataDir);
    const labextension = uninstallLabExtension(dataDir);
    report(parsed, { dataDir, kernelspec: kernelDir ?? null, labextension: labextension ?? null }, [
      kernelDir ? `removed kernelspec: ${kernelDir}` : `no kernelspec in ${dataDir}`,
      labextension ? `removed labextension: ${labextension}` : 'no labextension to remove',
    ]);
    return 0;
  },
};
