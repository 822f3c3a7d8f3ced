// Node side of the browser tests: bundles the harness page with esbuild, serves it (and
// the prebuilt labextension) from a small http server on 127.0.0.1, and starts headless
// Chromium through playwright-core with a fresh profile.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repositoryRoot, temporaryFolder } from '../../support/paths';

export const CHROMIUM = process.env.WEIGHTLAB_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsFolder = path.join(repositoryRoot, 'out', 'browser');
const harnessSource = path.join(repositoryRoot, 'tests', 'browser', 'harness');
const extensionRoot = path.join(repositoryRoot, 'extension');
/**
 * Bundles harness/entry.ts (JupyterLab's OutputArea, rendermime, vega5 and our renderer) into
 * a fresh temporary folder (test files run in parallel; each serves its own bundle).
 */
export async function buildHarness(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const bundleFolder = temporaryFolder('harness');
  await esbuild.build({
    entryPoints: [path.join(harnessSource, 'entry.ts')],
    outfile: path.join(bundleFolder, 'harness.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: {
      '.svg': 'text',
      '.woff': 'file',
      '.woff2': 'file',
      '.ttf': 'file',
      '.eot': 'file',
      '.png': 'dataurl',
      '.gif': 'dataurl',
    },
    plugins: [
      {
        // JupyterLab's CSS imports packages webpack-style: url('~@lumino/widgets/style/index.css').
        name: 'tilde-imports',
        setup(build) {
          build.onResolve({ filter: /^~/ }, (args) => ({
            path: require.resolve(args.path.slice(1), { paths: [args.resolveDir] }),
          }));
        },
      },
    ],
  });
  return bundleFolder;
}

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.html': 'text/html',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
};

function themeVariables(theme: string): string {
  const name = theme === 'dark' ? '@jupyterlab/theme-dark-extension' : '@jupyterlab/theme-light-extension';
  return path.join(
    path.dirname(require.resolve(`${name}/package.json`, { paths: [extensionRoot] })),
    'style',
    'variables.css',
  );
}

function page(theme: string): string {
  return fs
    .readFileSync(path.join(harnessSource, 'index.html'), 'utf8')
    .replace('/theme/variables.css', `/theme/${theme === 'dark' ? 'dark' : 'light'}.css`)
    .replace(
      '<body>',
      `<body data-jp-theme-light="${theme !== 'dark'}" data-jp-theme-name="JupyterLab ${theme === 'dark' ? 'Dark' : 'Light'}">`,
    );
}

/** Serves the harness page, its bundle (from buildHarness), `cases` as /cases.json and extension/labextension as /labextension/. */
export async function startHarnessServer(cases: unknown, bundleFolder: string): Promise<HarnessServer> {
  const casesJson = JSON.stringify(cases);
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string | Buffer, type = 'text/plain') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    const file = (full: string) =>
      fs.existsSync(full) && fs.statSync(full).isFile()
        ? send(200, fs.readFileSync(full), CONTENT_TYPES[path.extname(full)] ?? 'application/octet-stream')
        : send(404, `not found: ${url.pathname}`);
    if (url.pathname === '/') return send(200, page(url.searchParams.get('theme') ?? 'light'), 'text/html');
    if (url.pathname === '/cases.json') return send(200, casesJson, 'application/json');
    if (url.pathname === '/theme/light.css') return file(themeVariables('light'));
    if (url.pathname === '/theme/dark.css') return file(themeVariables('dark'));
    if (url.pathname === '/weightlab.css') return file(path.join(extensionRoot, 'style', 'base.css'));
    const inside = (base: string, rest: string) => {
      const full = path.resolve(base, `.${rest}`);
      return full.startsWith(base + path.sep) ? full : '';
    };
    if (url.pathname.startsWith('/labextension/'))
      return file(inside(path.join(extensionRoot, 'labextension'), url.pathname.slice('/labextension'.length)));
    return file(inside(bundleFolder, url.pathname));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          fs.rmSync(bundleFolder, { recursive: true, force: true });
          resolve();
        }),
      ),
  };
}

/** What the harness page publishes on its global object. */
interface HarnessGlobal {
  __harness?: { done: boolean; error?: string };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (nothing shared between runs). */
export async function launchBrowser(): Promise<Browser> {
  const profile = temporaryFolder('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 820, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the harness and waits for every case to be attached; fails with the page's error. */
export async function openHarness(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as HarnessGlobal).__harness?.done === true, undefined, {
    timeout: 30_000,
  });
  const error = await page.evaluate(() => (globalThis as HarnessGlobal).__harness?.error);
  if (error) throw new Error(`harness failed: ${error}`);
  if (problems.length) throw new Error(`page errors: ${problems.join('\n')}`);
  return page;
}

/** A harness page showing `cases` (bundled mode) in a fresh Chromium, with its server; close() stops both. */
export interface OpenCases {
  server: HarnessServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Bundles the harness, serves `cases`, opens them in bundled mode and makes the screenshot folder. */
export async function openCases(cases: unknown): Promise<OpenCases> {
  const server = await startHarnessServer(cases, await buildHarness());
  const browser = await launchBrowser();
  const page = await openHarness(browser.context, `${server.url}/?mode=bundled`);
  fs.mkdirSync(artifactsFolder, { recursive: true });
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
