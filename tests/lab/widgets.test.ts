// Browser test of ipywidgets in the lab (issue #20): in the real `weightlab lab` with a live
// kernel, interact() shows an IntSlider (rendered by @jupyter-widgets/jupyterlab-manager) above an
// Output widget holding a bar chart of `width` bars; dragging the slider's handle to the end of
// its track sends the new value to the kernel, which re-runs the function, and the chart in the
// page is redrawn with max bars. The expected counts come from the slider's own bounds (the
// chart draws one bar per unit of width), not from the kernel's answer.
import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import { artifactsFolder } from '../browser/support/harness';
import { openLabPage } from './support/lab-page';
import { writeCodeNotebook } from './support/scratch-notebook';
import { runAllAndWait, waitForKernelIdle } from './support/notebook-page';
import './support/page-globals';

const NOTEBOOK = 'widgets.ipynb';
const MIN = 2;
const START = 4;
const MAX = 9;

const CELLS = [
  // One bar per unit of width, bar i as tall as i + 1.
  `const bars = (width: number) => display.svg(
  \`<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">\${Array.from({ length: width }, (_, i) =>
    \`<rect class="bar" x="\${i * 20}" y="\${90 - (i + 1) * 9}" width="16" height="\${(i + 1) * 9}" fill="steelblue"/>\`).join('')}</svg>\`,
  \`\${width} bars\`,
);
const view = interact((width: number) => bars(width), { width: slider({ min: ${MIN}, max: ${MAX}, value: ${START} }) });
view`,
];

test(
  'a slider drawn by the widget manager re-runs interact() in the kernel and redraws its chart',
  { timeout: 600_000 },
  async (t) => {
    const { lab, page, pageErrors } = await openLabPage(t);
    writeCodeNotebook(lab.notebookDir, 'widgets', CELLS);
    // The browser console, for the failure message when the widget never shows.
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    await page.goto(`${lab.url}/lab/tree/${NOTEBOOK}?token=${lab.token}`);
    await waitForKernelIdle(page, NOTEBOOK);
    await runAllAndWait(page, NOTEBOOK, 240_000);

    // The widget manager drew the slider (not the text/plain fallback) and the Output its chart.
    const slider = page.locator('.jp-Notebook .widget-slider').first();
    await page.screenshot({ path: path.join(artifactsFolder, 'lab-widgets-run.png') });
    await slider.waitFor({ timeout: 60_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\nconsole:\n${consoleLines.join('\n')}\npage errors:\n${pageErrors.join('\n')}`);
    });
    const readout = slider.locator('.widget-readout');
    assert.equal((await readout.textContent())?.trim(), String(START));
    assert.equal((await slider.locator('.widget-label').textContent())?.trim(), 'width');
    // JupyterLab draws image/svg+xml as an <img> of a data URL: the bars are counted in its SVG.
    const barHeights = () =>
      page.evaluate(() => {
        const image = document.querySelector<HTMLImageElement>('.jp-Notebook .widget-output img');
        if (!image) return [];
        const markup = decodeURIComponent(image.src.slice(image.src.indexOf(',') + 1));
        const svg = new DOMParser().parseFromString(markup, 'image/svg+xml');
        return [...svg.querySelectorAll('rect.bar')].map((bar) => Number(bar.getAttribute('height')));
      });
    const waitForBars = async (count: number) => {
      const deadline = Date.now() + 30_000;
      while ((await barHeights()).length !== count) {
        if (Date.now() > deadline) assert.fail(`expected ${count} bars, the page shows ${(await barHeights()).length}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await waitForBars(START);
    await page.screenshot({ path: path.join(artifactsFolder, 'lab-widgets-before.png') });

    // Drag the handle past the right end of the track: the slider stops at max.
    const handle = slider.locator('.noUi-handle');
    const track = await slider.locator('.noUi-target').boundingBox();
    const grip = await handle.boundingBox();
    assert.ok(track && grip, 'the slider has no track or handle on the page');
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(track.x + track.width + 40, grip.y + grip.height / 2, { steps: 12 });
    await page.mouse.up();
    assert.equal((await readout.textContent())?.trim(), String(MAX));
    await waitForBars(MAX);
    // Bar i is (i + 1) * 9 pixels tall.
    assert.deepEqual(
      await barHeights(),
      Array.from({ length: MAX }, (_, i) => (i + 1) * 9),
    );
    await page.screenshot({ path: path.join(artifactsFolder, 'lab-widgets-after.png') });

    // The kernel holds the value the page set.
    const kernelValue = await page.evaluate(async () => {
      const kernel = window.weightlab!.notebooks.currentWidget!.sessionContext.session!.kernel! as unknown as {
        requestExecute(content: { code: string; silent: boolean; store_history: boolean }): {
          onIOPub: (msg: { header: { msg_type: string }; content: { data?: Record<string, unknown> } }) => void;
          done: Promise<unknown>;
        };
      };
      const future = kernel.requestExecute({
        code: 'JSON.stringify(view.values)',
        silent: false,
        store_history: false,
      });
      let text = '';
      future.onIOPub = (msg) => {
        if (msg.header.msg_type === 'execute_result') text = String(msg.content.data?.['text/plain'] ?? '');
      };
      await future.done;
      return text;
    });
    assert.deepEqual(JSON.parse(kernelValue), { width: MAX });
    assert.deepEqual(
      pageErrors.filter((error) => !/api\/(me|events)/.test(error)),
      [],
    );
  },
);
