// A lab server and one headless Chromium page on it, for a browser test: both are stopped when the
// test ends (the browser first), and the page's uncaught errors are collected for the test to check.
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../../browser/support/harness';
import { startLab, type LabServer } from './lab-server';

export interface LabPage {
  lab: LabServer;
  page: Page;
  /** The page's uncaught errors, in order. */
  pageErrors: string[];
}

/** Starts the lab and opens a 1400x1000 page in a fresh browser; `t.after` closes both. */
export async function openLabPage(t: TestContext): Promise<LabPage> {
  const lab = await startLab();
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    await lab.stop();
  });
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  return { lab, page, pageErrors };
}
