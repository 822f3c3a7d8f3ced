// Browser test tier 3: the lab end to end. Starts the real `weightlab lab` (npm-built
// JupyterLab front end + Debian's jupyter_server + the weightlab kernel), drives it with
// headless Chromium: opens quickstart.ipynb, runs all and checks the Vega-Lite chart and the
// progress bar rendered from the live kernel, completes `display.vegaL` + Tab to `display.vegaLite`, then
// opens weight-manifolds.ipynb from the file browser, runs all and checks that our manifold
// renderer drew every manifold output. Screenshots go to out/browser/lab-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import type { Page } from 'playwright-core';
import { artifactsFolder, launchBrowser, type Browser } from '../browser/support/harness';
import { startLab, type LabServer } from './support/lab-server';
import './support/page-globals';
import { cellSummaries, openFromFileBrowser, runAllAndWait, waitForKernelIdle } from './support/notebook-page';

const timings: Record<string, number> = {};
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = (Date.now() - started) / 1000;
  }
}

test(
  'the lab: run quickstart and weight-manifolds in the browser, complete a preloaded name',
  { timeout: 900_000 },
  async (t) => {
    fs.mkdirSync(artifactsFolder, { recursive: true });
    const lab: LabServer = await startLab();
    timings.serverStart = lab.startSeconds;
    let browser: Browser | undefined;
    const pageErrors: string[] = [];
    t.after(async () => {
      await browser?.close();
      await lab.stop();
      t.diagnostic(`timings (s): ${JSON.stringify(timings)}`);
    });
    browser = await launchBrowser();
    const page: Page = await browser.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    const screenshot = (name: string) =>
      page.screenshot({ path: path.join(artifactsFolder, `lab-${name}.png`), fullPage: false });

    await t.test('quickstart: run all renders the chart and the progress bar', async () => {
      await timed('quickstartKernelReady', async () => {
        await page.goto(`${lab.url}/lab/tree/quickstart.ipynb?token=${lab.token}`);
        await waitForKernelIdle(page, 'quickstart.ipynb');
      });
      // The kernel reports codemirror_mode "typescript": code cells get TypeScript highlighting.
      assert.match(
        await page.evaluate(() => window.weightlab?.notebooks.currentWidget?.content.codeMimetype ?? ''),
        /typescript/,
      );
      // ...and CodeMirror's TypeScript parser tokenised the first code cell (highlighted spans).
      await page.waitForFunction(
        () => (document.querySelector('.jp-CodeCell .cm-content')?.querySelectorAll('.cm-line span').length ?? 0) > 3,
        undefined,
        { timeout: 30_000 },
      );
      await timed('quickstartRunAll', () => runAllAndWait(page, 'quickstart.ipynb', 180_000));
      const cells = await cellSummaries(page);
      const code = cells.filter((cell) => cell.type === 'code');
      assert.ok(code.length >= 4, 'quickstart has code cells');
      for (const cell of code) {
        assert.ok(cell.executionCount !== null, `cell ${cell.index} did not run`);
        assert.ok(!cell.outputTypes.includes('error'), `cell ${cell.index} raised: ${cell.errorText}`);
      }
      // Vega-Lite: JupyterLab's vega5 renderer drew the chart from the live kernel's output.
      await page.waitForSelector('.jp-RenderedVegaCommon5 canvas, .jp-RenderedVegaCommon5 svg', { timeout: 60_000 });
      // The progress bar finished: 40 of 40 steps, updated in place (one bar, not forty).
      const bars = await page.$$eval('.weightlab-progress progress', (nodes) =>
        nodes.map((node) => [node.getAttribute('value'), node.getAttribute('max')]),
      );
      assert.deepEqual(bars, [['40', '40']]);
      assert.match(await page.innerText('.jp-Notebook'), /Summed 780 over 40 steps/);
      await page.locator('.jp-RenderedVegaCommon5').first().scrollIntoViewIfNeeded();
      await screenshot('quickstart');
    });

    await t.test(
      'completion: display.vegaL + Tab completes the namespace member display.vegaLite from the kernel',
      async () => {
        await page.evaluate(() => {
          const panel = window.weightlab?.notebooks.currentWidget;
          if (!panel) throw new Error('no notebook');
          panel.content.activeCellIndex = panel.content.widgets.length - 1;
          panel.content.mode = 'command';
        });
        await page.click('[data-command="notebook:insert-cell-below"]');
        const editor = page.locator('.jp-Notebook .jp-Cell.jp-mod-active .cm-content');
        await editor.click();
        await page.keyboard.type('display.vegaL');
        await page.keyboard.press('Tab');
        // A single match is inserted at once; several open the completer list.
        await page.waitForFunction(
          () => {
            const text = window.weightlab?.notebooks.currentWidget?.content.activeCell?.model.sharedModel.getSource();
            return (
              text === 'display.vegaLite' ||
              document.querySelector('.jp-Completer-item[data-value="vegaLite"]') !== null
            );
          },
          undefined,
          { timeout: 30_000 },
        );
        if (await page.$('.jp-Completer-item[data-value="vegaLite"]')) {
          await screenshot('completion');
          await page.click('.jp-Completer-item[data-value="vegaLite"]');
        }
        const source = await page.evaluate(() =>
          window.weightlab?.notebooks.currentWidget?.content.activeCell?.model.sharedModel.getSource(),
        );
        assert.equal(source, 'display.vegaLite');
        await screenshot('completion-done');
      },
    );

    await t.test('weight-manifolds: our renderer draws every manifold from the live kernel', async () => {
      await timed('manifoldsKernelReady', async () => {
        await openFromFileBrowser(page, 'weight-manifolds.ipynb');
        await waitForKernelIdle(page, 'weight-manifolds.ipynb');
      });
      await timed('manifoldsRunAll', () => runAllAndWait(page, 'weight-manifolds.ipynb', 600_000));
      const cells = await cellSummaries(page);
      for (const cell of cells.filter((c) => c.type === 'code')) {
        assert.ok(cell.executionCount !== null, `cell ${cell.index} did not run`);
        assert.ok(!cell.outputTypes.includes('error'), `cell ${cell.index} raised: ${cell.errorText}`);
      }
      const manifoldOutputs = cells.reduce(
        (sum, cell) =>
          sum + cell.mimeTypes.filter((mime) => mime === 'application/vnd.weightlab.manifold.v1+json').length,
        0,
      );
      assert.ok(manifoldOutputs >= 2, `expected manifold outputs, got ${manifoldOutputs}`);
      // Our renderer (not the SVG or Vega-Lite fallback the bundle also carries) drew each one,
      // with points on its canvas.
      const drawn = await page.$$eval('.jp-Notebook .jp-RenderedWeightlab .wl-manifold', (nodes) =>
        nodes.map((node) => {
          const element = node as HTMLElement;
          const canvas = element.querySelector('canvas');
          const context = canvas?.getContext('2d');
          let inked = 0;
          if (canvas && context && canvas.width > 0) {
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 0; i < pixels.length; i += 4)
              if (pixels[i + 3] > 0 && (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200)) inked += 1;
          }
          return {
            points: Number(element.dataset.weightlabPoints),
            trajectories: Number(element.dataset.trajectories),
            colorBy: element.dataset.colorBy,
            inked,
          };
        }),
      );
      assert.equal(
        drawn.length,
        manifoldOutputs,
        `rendered ${drawn.length} of ${manifoldOutputs} manifolds with our renderer`,
      );
      for (const view of drawn) {
        assert.ok(view.points > 0 && view.inked > 50, `manifold drew nothing: ${JSON.stringify(view)}`);
      }
      assert.ok(
        drawn.some((view) => view.colorBy === 'test_accuracy' && view.trajectories > 0),
        `no test-accuracy manifold with trajectories: ${JSON.stringify(drawn)}`,
      );
      assert.ok(
        drawn.some((view) => view.colorBy === 'phase'),
        `no manifold coloured by phase: ${JSON.stringify(drawn)}`,
      );
      await page.locator('.jp-RenderedWeightlab').first().scrollIntoViewIfNeeded();
      await screenshot('manifold');
      await page.locator('.jp-RenderedWeightlab').nth(1).scrollIntoViewIfNeeded();
      await screenshot('manifold-phase');
    });

    // jupyter_server 1.23 has no /api/me or /api/events (2.x APIs): the front end logs and
    // retries; anything else thrown on the page is a failure.
    assert.deepEqual(
      pageErrors.filter((error) => !/api\/(me|events)/.test(error)),
      [],
    );
  },
);
