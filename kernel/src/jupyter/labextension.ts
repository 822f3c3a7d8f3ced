// Installing the prebuilt JupyterLab extension without pip: JupyterLab loads federated
// extensions from <data dir>/labextensions/<package name>/ (package.json + static/), so
// copying the built folder there is the whole install.

import fs from 'node:fs';
import path from 'node:path';

/** The prebuilt labextension folder shipped by the extension package, if it is built. */
export function prebuiltLabExtension(): { name: string; dir: string } | undefined {
  const roots = [path.resolve(__dirname, '..', '..', '..', 'extension', 'labextension')];
  try {
    roots.unshift(path.join(path.dirname(require.resolve('@weightlab/extension/package.json')), 'labextension'));
  } catch {
    // not installed as a package: fall back to the workspace checkout
  }
  for (const dir of roots) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string };
      return { name, dir };
    }
  }
  return undefined;
}

/** Copies the prebuilt extension into `dataDir`/labextensions; returns the target or undefined when none is built. */
export function installLabExtension(dataDir: string): string | undefined {
  const built = prebuiltLabExtension();
  if (!built) return undefined;
  const target = path.join(dataDir, 'labextensions', ...built.name.split('/'));
  const staging = `${target}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(built.dir, staging, { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
  return target;
}

export function uninstallLabExtension(dataDir: string): string | undefined {
  const built = prebuiltLabExtension();
  const name = built?.name ?? '@weightlab/extension';
  const target = path.join(dataDir, 'labextensions', ...name.split('/'));
  if (!fs.existsSync(target)) return undefined;
  fs.rmSync(target, { recursive: true, force: true });
  return target;
}
