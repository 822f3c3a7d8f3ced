// `weightlab install --prefix DIR` copies the prebuilt labextension where JupyterLab looks,
// and Debian's jupyterlab_server (the code JupyterLab's server uses to build the page
// config) then lists it as a federated extension with exactly the entry points the
// browser's bootstrap loads: static/remoteEntry.<hash>.js, ./mimeExtension, ./style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { jupyterPython, repositoryRoot, runCli, temporaryFolder } from '../support/paths';

test('jupyterlab_server discovers the installed extension as a federated mime extension', () => {
  const built = path.join(repositoryRoot, 'extension', 'labextension', 'package.json');
  assert.ok(fs.existsSync(built), 'extension/labextension is built by `npm run build`');
  const prefix = temporaryFolder('labextension');
  const installed = runCli(['install', '--prefix', prefix]);
  assert.equal(installed.status, 0, installed.stderr);
  const labextensions = path.join(prefix, 'share', 'jupyter', 'labextensions');
  const target = path.join(labextensions, '@weightlab', 'extension');
  assert.ok(fs.existsSync(path.join(target, 'package.json')));
  const remoteEntry = fs
    .readdirSync(path.join(target, 'static'))
    .filter((name) => /^remoteEntry\.[0-9a-f]+\.js$/.test(name));
  assert.equal(remoteEntry.length, 1);

  const script = [
    'import json, sys',
    'from jupyterlab_server.config import get_page_config',
    'config = get_page_config([sys.argv[1]])',
    'print(json.dumps([e for e in config.get("federated_extensions", []) if e["name"] == "@weightlab/extension"]))',
  ].join('\n');
  const result = spawnSync(jupyterPython(), ['-c', script, labextensions], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const [entry, ...others] = JSON.parse(result.stdout) as Record<string, unknown>[];
  assert.equal(others.length, 0);
  assert.equal(entry.load, `static/${remoteEntry[0]}`);
  assert.equal(entry.mimeExtension, './mimeExtension');
  assert.equal(entry.style, './style');
  fs.rmSync(prefix, { recursive: true, force: true });
});
