// Browser test tier 3, every notebook: runs each notebooks/*.ipynb (enumerated from the folder,
// so a new notebook is covered) in the real `weightlab lab` with a live kernel in headless
// Chromium, and checks what JupyterLab actually shows for every output: a bundle with a type our
// extension renders is drawn by our renderer, a Vega-Lite bundle by the Vega renderer (svg or
// canvas), an HTML table as a table; no cell fails and nothing shows a traceback. Each notebook
// also shows at least the charts, views and tables it promises (SHOWS below), so a chart that
// regresses into a table fails. One screenshot per notebook: out/browser/notebook-<name>.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import type { Page } from 'playwright-core';
import { repositoryRoot, temporaryFolder } from '../support/paths';
import { artifactsFolder, launchBrowser, type Browser } from '../browser/support/harness';
import { startLab, type LabServer } from './support/lab-server';
import { cellSummaries, runAllAndWait, waitForKernelIdle } from './support/notebook-page';
import {
  outputProblems,
  recordKernelMimeTypes,
  renderedOutputs,
  screenshotNotebook,
  shownKind,
  waitForCharts,
  weightlabRendererMimeTypes,
} from './support/rendered-outputs';

/**
 * What each notebook promises to show, at least: `chart` (a drawn Vega-Lite chart), `table`
 * (an HTML table), or the kind of one of our views (`manifold`, `phase-diagram`, `esd`, `surface`).
 * A notebook missing here fails with what it showed, so its entry can be written.
 */
const SHOWS: Record<string, Record<string, number>> = {
  'generators.ipynb': { chart: 1 },
  'htsr-alpha.ipynb': { esd: 2, chart: 2, table: 1 },
  'inductive-bias.ipynb': { chart: 4 },
  'loading-checkpoints-and-zoos.ipynb': { table: 7, chart: 1 },
  'loss-surfaces.ipynb': { chart: 4, surface: 1, table: 1 },
  'mnist-phases.ipynb': { 'phase-diagram': 1 },
  'phase-transitions.ipynb': { 'phase-diagram': 1 },
  'predicting-accuracy.ipynb': { chart: 1, table: 1 },
  'quickstart.ipynb': { chart: 1, table: 2 },
  'weight-manifolds.ipynb': { manifold: 3, 'phase-diagram': 1 },
};

/**
 * Per notebook, the time run all may take (WEIGHTLAB_LAB_TIMEOUT_S, default 1200 s): the zoos are
 * built and trained in the notebooks; generators.ipynb alone took 12 minutes on a loaded 2-core machine.
 */
const RUN_TIMEOUT_MS = 1000 * Number(process.env.WEIGHTLAB_LAB_TIMEOUT_S ?? 1200);

/** WEIGHTLAB_LAB_NOTEBOOKS=quickstart,htsr-alpha runs only those (default: every notebook). */
const only = (process.env.WEIGHTLAB_LAB_NOTEBOOKS ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
const notebookNames = fs
  .readdirSync(path.join(repositoryRoot, 'notebooks'))
  .filter((name) => name.endsWith('.ipynb') && (only.length === 0 || only.includes(path.basename(name, '.ipynb'))))
  .sort();

interface NotebookFile {
  cells: Array<{ cell_type: string; outputs?: unknown[]; execution_count?: number | null }>;
}

/** Clears the outputs of the lab's copy, so everything checked comes from this run's kernel. */
function clearOutputs(file: string): void {
  const notebook = JSON.parse(fs.readFileSync(file, 'utf8')) as NotebookFile;
  for (const cell of notebook.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
  }
  fs.writeFileSync(file, `${JSON.stringify(notebook, null, 1)}\n`);
}

function countKinds(kinds: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

test(
  'every notebook runs in the lab and JupyterLab shows each output with the right renderer',
  { timeout: notebookNames.length * RUN_TIMEOUT_MS + 300_000 },
  async (t) => {
    fs.mkdirSync(artifactsFolder, { recursive: true });
    // The notebooks' own scratch folders (zoos under $TMPDIR) stay inside this test; a shared
    // per-run cache comes in through WEIGHTLAB_CACHE_DIR when the caller sets one.
    const scratch = temporaryFolder('lab-notebooks');
    const started = Date.now();
    const timings: Record<string, number> = {};
    const lab: LabServer = await startLab({ env: { TMPDIR: scratch } });
    timings.serverStart = lab.startSeconds;
    let browser: Browser | undefined;
    const pageErrors: string[] = [];
    t.after(async () => {
      await browser?.close();
      await lab.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
      timings.total = (Date.now() - started) / 1000;
      t.diagnostic(
        `WEIGHTLAB_CACHE_DIR ${process.env.WEIGHTLAB_CACHE_DIR ? 'set' : 'not set'}; timings (s): ${JSON.stringify(timings)}`,
      );
    });
    browser = await launchBrowser();
    const page: Page = await browser.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    page.on('pageerror', (error) => pageErrors.push(String(error)));

    for (const name of notebookNames) {
      await t.test(name, async (st) => {
        const notebookStarted = Date.now();
        clearOutputs(path.join(lab.notebookDir, name));
        await page.goto(`${lab.url}/lab/tree/${name}?token=${lab.token}`);
        await waitForKernelIdle(page, name, 180_000);
        const weightlabTypes = await weightlabRendererMimeTypes(page);
        await recordKernelMimeTypes(page);
        const ranAll = await runAllAndWait(page, name, RUN_TIMEOUT_MS).then(
          () => true,
          (error: unknown) => {
            st.diagnostic(`run all did not finish: ${String(error)}`);
            return false;
          },
        );
        const chartsDrawn = await waitForCharts(page, 60_000);
        const cells = await cellSummaries(page);
        const outputs = await renderedOutputs(page);
        const fitted = await screenshotNotebook(
          page,
          path.join(artifactsFolder, `notebook-${path.basename(name, '.ipynb')}.png`),
        );
        // Shut the kernel down before the next notebook: two live zoos would share the CPUs.
        await page.evaluate(() => window.weightlab?.notebooks.currentWidget?.sessionContext.shutdown());
        timings[name] = (Date.now() - notebookStarted) / 1000;

        for (const output of outputs) {
          st.diagnostic(
            `cell ${output.cell}.${output.output} ${output.outputType}: [${output.kernelMimeTypes.join(', ')}] -> ${output.chosenMimeType ?? 'nothing'} (${shownKind(output)})${output.recordedOnArrival ? '' : ' (not recorded on arrival)'}`,
          );
        }
        if (!fitted) st.diagnostic('the notebook is taller than the screenshot');
        const problems: string[] = [];
        if (!ranAll) problems.push(`run all did not finish in ${RUN_TIMEOUT_MS / 1000} s`);
        if (!chartsDrawn) problems.push('some Vega outputs drew nothing within 60 s');
        for (const cell of cells.filter((c) => c.type === 'code')) {
          if (cell.executionCount === null) problems.push(`cell ${cell.index} did not run`);
        }
        for (const output of outputs) problems.push(...outputProblems(output, weightlabTypes));
        const shown = countKinds(outputs.map(shownKind));
        const promised = SHOWS[name];
        if (!promised) problems.push(`${name} is not in SHOWS; it showed ${JSON.stringify(shown)}`);
        for (const [kind, least] of Object.entries(promised ?? {})) {
          if ((shown[kind] ?? 0) < least)
            problems.push(
              `promised at least ${least} ${kind}, shows ${shown[kind] ?? 0} (shown: ${JSON.stringify(shown)})`,
            );
        }
        assert.deepEqual(problems, [], `${name}: ${problems.length} problem(s)`);
      });
    }

    // jupyter_server 1.23 has no /api/me or /api/events (2.x APIs): the front end logs and
    // retries; anything else thrown on the page is a failure.
    assert.deepEqual(
      pageErrors.filter((error) => !/api\/(me|events)/.test(error)),
      [],
    );
  },
);
