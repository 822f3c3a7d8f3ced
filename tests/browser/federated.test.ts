/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Tier 2 browser test: the prebuilt labextension (what `weightlab install` copies into
// <data dir>/labextensions/) is loaded the way JupyterLab's bootstrap loads federated
// extensions: load static/remoteEntry.*.js, container.init(shareScope) with the host's
// @lumino/widgets singleton, then get('./style') and get('./mimeExtension'). The same
// manifold output must render through it, with its CSS applied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MANIFOLD_MIME } from 'weightlab/internal';
import { repositoryRoot } from '../support/paths';
import {
  artifactsFolder,
  buildHarness,
  launchBrowser,
  openHarness,
  startHarnessServer,
  type Browser,
  type HarnessServer,
} from './support/harness';
import { phaseDiagram, spectralDensity, zooManifold, ZOO_SIZE } from './support/fixtures';

let server: HarnessServer;
let browser: Browser;
const labextension = path.join(repositoryRoot, 'extension', 'labextension');

before(async () => {
  assert.ok(
    fs.existsSync(path.join(labextension, 'package.json')),
    'extension/labextension is built by `npm run build` (extension/scripts/build-labextension.js)',
  );
  const bundle = await buildHarness();
  server = await startHarnessServer(
    [
      {
        id: 'manifold',
        title: 'manifold via remoteEntry',
        outputs: [await zooManifold(2)],
        trusted: false,
        renderers: ['weightlab', 'vega'],
      },
      {
        id: 'phase',
        title: 'phase diagram via remoteEntry',
        outputs: [await phaseDiagram()],
        trusted: true,
        renderers: ['weightlab'],
      },
      {
        id: 'esd',
        title: 'ESD via remoteEntry',
        outputs: [await spectralDensity()],
        trusted: true,
        renderers: ['weightlab'],
      },
    ],
    bundle,
  );
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the prebuilt remoteEntry registers, shares @lumino/widgets, and renders the manifold with its CSS', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(labextension, 'package.json'), 'utf8'));
  assert.equal(manifest.name, '@weightlab/extension');
  assert.match(manifest.jupyterlab._build.load, /^static\/remoteEntry\.[0-9a-f]+\.js$/);
  assert.equal(manifest.jupyterlab._build.mimeExtension, './mimeExtension');
  // The plugin that hands the renderer its notebook's kernel (selections reach the kernel).
  assert.equal(manifest.jupyterlab._build.extension, './extension');
  const page = await openHarness(browser.context, `${server.url}/?mode=federated`);
  assert.equal(
    await page.evaluate(() => (globalThis as unknown as { __harness: { mode: string } }).__harness.mode),
    'federated',
  );
  // The harness did not bundle our renderer or link our CSS in this mode: both came from the container.
  assert.equal(await page.locator('link[href="/weightlab.css"]').count(), 0);
  assert.equal(await page.getAttribute('#manifold', 'data-preferred'), MANIFOLD_MIME);
  await page.waitForSelector(`#manifold .wl-manifold[data-weightlab-points="${ZOO_SIZE}"]`);
  const display = await page.evaluate(() => getComputedStyle(document.querySelector('#manifold .wl-toolbar')!).display);
  assert.equal(display, 'flex', 'style from the container applied');
  await page.waitForSelector('#phase .wl-phase-diagram svg');
  await page.waitForSelector('#esd .wl-esd polyline.wl-fit');
  fs.mkdirSync(artifactsFolder, { recursive: true });
  await page.screenshot({ path: path.join(artifactsFolder, 'federated.png'), fullPage: true });
});
