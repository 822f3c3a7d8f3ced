// Reading and driving the lab page from a test: waiting for a notebook's kernel, running all
// cells through the toolbar button, opening files from the file browser, and summarising the
// cells from the notebook model (what ran, which output types and MIME types they hold).
import type { Page } from 'playwright-core';
import './page-globals';

export interface CellSummary {
  index: number;
  type: string;
  executionCount: number | null;
  outputTypes: string[];
  mimeTypes: string[];
  errorText: string;
}

/** Waits until the tab showing `name` is current and its kernel is idle. */
export async function waitForKernelIdle(page: Page, name: string, timeoutMs = 120_000): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const panel = window.weightlab?.notebooks.currentWidget;
      return panel?.context.path.endsWith(wanted) === true && panel.sessionContext.session?.kernel?.status === 'idle';
    },
    name,
    { timeout: timeoutMs, polling: 250 },
  );
}

/**
 * Clicks the toolbar's run-all button and waits until the kernel is idle with no cell pending
 * and either every code cell has run or one failed (the kernel then skips the rest: waiting
 * longer would only turn the cell's error into a timeout).
 */
export async function runAllAndWait(page: Page, name: string, timeoutMs: number): Promise<void> {
  await page.click('.jp-NotebookPanel:not(.lm-mod-hidden) [data-command="notebook:run-all-cells"]');
  await page.waitForFunction(
    (wanted) => {
      const panel = window.weightlab?.notebooks.currentWidget;
      if (!panel || !panel.context.path.endsWith(wanted)) return false;
      const cells = panel.content.widgets;
      const pending = cells.some(
        (cell) =>
          cell.model.type === 'code' && (cell.node.querySelector('.jp-InputPrompt')?.textContent ?? '').includes('*'),
      );
      const outputsOf = (cell: (typeof cells)[number]) =>
        Array.from({ length: cell.model.outputs?.length ?? 0 }, (_, i) => cell.model.outputs!.get(i));
      const ran = cells.every(
        (cell) =>
          cell.model.type !== 'code' || (cell.model.executionCount ?? null) !== null || outputsOf(cell).length > 0,
      );
      const failed = cells.some((cell) => outputsOf(cell).some((output) => output.type === 'error'));
      return !pending && (ran || failed) && panel.sessionContext.session?.kernel?.status === 'idle';
    },
    name,
    { timeout: timeoutMs, polling: 500 },
  );
}

export async function cellSummaries(page: Page): Promise<CellSummary[]> {
  return page.evaluate(() => {
    const panel = window.weightlab?.notebooks.currentWidget;
    if (!panel) throw new Error('no current notebook');
    return panel.content.widgets.map((cell, index) => {
      const model = cell.model as unknown as {
        type: string;
        executionCount?: number | null;
        outputs?: {
          toJSON(): Array<{ output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string }>;
        };
      };
      const outputs = model.outputs?.toJSON() ?? [];
      return {
        index,
        type: model.type,
        executionCount: model.executionCount ?? null,
        outputTypes: outputs.map((output) => output.output_type),
        mimeTypes: outputs.flatMap((output) => Object.keys(output.data ?? {})),
        errorText: outputs
          .filter((output) => output.output_type === 'error')
          .map((output) => `${output.ename}: ${output.evalue}`)
          .join('; '),
      };
    });
  });
}

/** Double-clicks `name` in the file browser (which opens it as a new tab). */
export async function openFromFileBrowser(page: Page, name: string): Promise<void> {
  const item = page.locator('.jp-DirListing-item', { has: page.locator('.jp-DirListing-itemText', { hasText: name }) });
  await item.dblclick();
}
