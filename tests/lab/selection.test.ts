// Browser test tier 3, selections flowing back to the kernel (issue #20): in the real `weightlab
// lab` with a live kernel, a lasso over the manifold view and a click on a phase-diagram cell
// reach the kernel through the 'weightlab.selection' comm, and the next cell reads the same model
// ids; `view.select(...)` in a cell shows in the view. The expected ids come from the page (the
// models the view lists as selected, computed by its own geometry) and from the notebook's data
// (the models written into the clicked cell's row), never from the kernel's answer.
import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import type { Page } from 'playwright-core';
import { artifactsFolder } from '../browser/support/harness';
import { openLabPage } from './support/lab-page';
import { writeCodeNotebook } from './support/scratch-notebook';
import { runAllAndWait, waitForKernelIdle } from './support/notebook-page';
import './support/page-globals';

const NOTEBOOK = 'selection.ipynb';

const CELLS = [
  // 0: eight models on a plane-ish cloud, named p0..p7.
  `const view = await weightManifold(
  [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1], [2, 0, 0], [0, 2, 0]],
  { ids: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'], seed: 1 },
);
view`,
  // 1: what the kernel knows as selected.
  'JSON.stringify(view.selection)',
  // 2: a 2 x 2 phase grid (width x batch size), two models per cell.
  `const phaseRow = (width: number, batch: number, models: string[]) => ({
  width, batch_size: batch, models, train_loss: 0.01, train_acc: 1, test_loss: 0.2, test_acc: 0.95,
  hessian_top_ev: 2, hessian_trace: 10, log_hessian_top_ev: Math.log(2), log_hessian_trace: Math.log(10),
  curve_mc_train_error: 0, curve_mc_test_error: 0, curve_mc_train_loss: 0, linear_barrier_train_loss: 0.1,
  representation_similarity: 0.9, l2_distance: 10, nan: false,
});
const diagram = phaseDiagram(new phases.PhaseTable(
  [phaseRow(2, 8, ['m1', 'm2']), phaseRow(2, 64, ['m3', 'm4']), phaseRow(8, 8, ['m5', 'm6']), phaseRow(8, 64, ['m7', 'm8'])],
  { load: 'width', temperature: 'batch_size' },
));
diagram`,
  // 3: the clicked cell's models.
  'JSON.stringify(diagram.selection)',
  // 4: a selection made by script, shown in the view.
  "view.select(['p6', 'p7']).length",
];

/** The text/plain of cell `index`'s last output. */
function outputText(page: Page, index: number): Promise<string> {
  return page.evaluate((index) => {
    const cell = window.weightlab!.notebooks.currentWidget!.content.widgets[index];
    const outputs = (cell.model as unknown as { outputs: { toJSON(): Array<{ data?: Record<string, unknown> }> } })
      .outputs;
    const all = outputs.toJSON();
    return String(all[all.length - 1]?.data?.['text/plain'] ?? '');
  }, index);
}

/** Runs cell `index` alone (toolbar run button) and waits until its new result is in. */
async function runCell(page: Page, index: number): Promise<void> {
  const before = await page.evaluate((index) => {
    const panel = window.weightlab!.notebooks.currentWidget!;
    panel.content.activeCellIndex = index;
    // A shift-drag on an output also extends the notebook's cell selection; run only this cell.
    panel.content.deselectAll();
    panel.content.mode = 'command';
    return (panel.content.widgets[index].model as unknown as { executionCount: number | null }).executionCount;
  }, index);
  await page.click('.jp-NotebookPanel:not(.lm-mod-hidden) [data-command="notebook:run-cell-and-select-next"]');
  await page.waitForFunction(
    ({ index, before }) => {
      const panel = window.weightlab!.notebooks.currentWidget!;
      const count = (panel.content.widgets[index].model as unknown as { executionCount: number | null }).executionCount;
      return count !== null && count !== before && panel.sessionContext.session?.kernel?.status === 'idle';
    },
    { index, before },
    { timeout: 60_000, polling: 200 },
  );
}

test(
  'a lasso in the manifold and a clicked phase cell reach the kernel; select() in a cell reaches the view',
  { timeout: 600_000 },
  async (t) => {
    const { lab, page, pageErrors } = await openLabPage(t);
    writeCodeNotebook(lab.notebookDir, 'selection', CELLS);
    await page.goto(`${lab.url}/lab/tree/${NOTEBOOK}?token=${lab.token}`);
    await waitForKernelIdle(page, NOTEBOOK);
    // Every comm message either way, for the failure message of an assertion below.
    await page.evaluate(() => {
      const kernel = window.weightlab!.notebooks.currentWidget!.sessionContext.session!.kernel! as unknown as {
        anyMessage: {
          connect(slot: (sender: unknown, args: { msg: Record<string, any>; direction: string }) => void): void;
        };
      };
      const log: string[] = [];
      (window as unknown as { commLog: string[] }).commLog = log;
      kernel.anyMessage.connect((_, { msg, direction }) => {
        if (String(msg.header.msg_type).startsWith('comm_'))
          log.push(`${direction} ${msg.header.msg_type} ${JSON.stringify(msg.content)}`);
      });
    });
    const commLog = () => page.evaluate(() => (window as unknown as { commLog: string[] }).commLog.join('\n'));
    await runAllAndWait(page, NOTEBOOK, 240_000);
    assert.equal(await outputText(page, 1), '[]');
    assert.equal(await outputText(page, 3), '[]');

    // Both views opened their comm, and the kernel knew them (an unknown view would be 'closed').
    const manifold = page.locator('.jp-Notebook .wl-manifold').first();
    const diagram = page.locator('.jp-Notebook .wl-phase-diagram').first();
    await page.waitForSelector('.wl-manifold[data-kernel-link="open"]', { timeout: 30_000 });
    await page.waitForSelector('.wl-phase-diagram[data-kernel-link="open"]', { timeout: 30_000 });
    // Run all ran view.select(['p6', 'p7']) before the view's comm opened: the kernel sent it on open.
    const listed = () =>
      manifold
        .locator('.wl-selection-list li')
        .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.model ?? ''));
    await page.waitForFunction(
      () => document.querySelector('.wl-manifold')?.getAttribute('data-selected') === '2',
      undefined,
      { timeout: 30_000 },
    );
    assert.deepEqual(await listed(), ['p6', 'p7']);

    // Lasso (alt-shift-drag) a quadrilateral around points 0 and 3.
    await manifold.locator('canvas').scrollIntoViewIfNeeded();
    const position = (index: number) =>
      manifold.evaluate(
        (node, index) =>
          (
            node as HTMLElement & { weightlabManifold: { clientPosition(i: number): [number, number] } }
          ).weightlabManifold.clientPosition(index),
        index,
      );
    const [a, b] = [await position(0), await position(3)];
    const [left, right] = [Math.min(a[0], b[0]) - 8, Math.max(a[0], b[0]) + 8];
    const [top, bottom] = [Math.min(a[1], b[1]) - 8, Math.max(a[1], b[1]) + 8];
    await page.keyboard.down('Shift');
    await page.keyboard.down('Alt');
    await page.mouse.move(left, top);
    await page.mouse.down();
    for (const [x, y] of [
      [right, top],
      [right, bottom],
      [left, bottom],
      [left, top + 1],
    ])
      await page.mouse.move(x, y, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Alt');
    await page.keyboard.up('Shift');
    const lassoed = await listed();
    assert.ok(lassoed.includes('p0') && lassoed.includes('p3'), `the lasso missed p0 or p3: ${lassoed.join(', ')}`);
    await page.screenshot({ path: path.join(artifactsFolder, 'lab-selection-lasso.png') });
    // The next cell reads the same ids (the kernel keeps the view's order: by point index).
    await runCell(page, 1);
    assert.deepEqual(JSON.parse(await outputText(page, 1)), lassoed, await commLog());

    // Click the phase cell of width 8 (row 1) and batch size 8 (column 0): its models are m5, m6.
    await diagram.scrollIntoViewIfNeeded();
    await diagram.locator('rect.wl-cell[data-row="1"][data-column="0"]').click();
    assert.equal(await diagram.getAttribute('data-selected-cell'), '1,0');
    await runCell(page, 3);
    assert.deepEqual(JSON.parse(await outputText(page, 3)), ['m5', 'm6'], await commLog());

    // A selection by script (cell 4) replaces the lasso in the view.
    await runCell(page, 4);
    await page.waitForFunction(
      () => document.querySelector('.wl-manifold')?.getAttribute('data-selected') === '2',
      undefined,
      { timeout: 30_000 },
    );
    assert.deepEqual(await listed(), ['p6', 'p7']);
    await diagram.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifactsFolder, 'lab-selection-phase.png') });

    // After a restart the new kernel does not know the view: it still selects (a click on point 1),
    // and its comm is closed by the kernel instead of reaching a stale object.
    await page.evaluate(async () => {
      const session = window.weightlab!.notebooks.currentWidget!.sessionContext.session!;
      await (session.kernel as unknown as { restart(): Promise<void> }).restart();
    });
    await waitForKernelIdle(page, NOTEBOOK);
    await manifold.locator('canvas').scrollIntoViewIfNeeded();
    const [x1, y1] = await position(1);
    await page.mouse.click(x1, y1);
    assert.deepEqual(await listed(), ['p1']);
    await page.waitForSelector('.wl-manifold[data-kernel-link="closed"]', { timeout: 30_000 });
    assert.deepEqual(
      pageErrors.filter((error) => !/api\/(me|events)/.test(error)),
      [],
      `the lab server's log:\n${lab.log()}`,
    );
  },
);
