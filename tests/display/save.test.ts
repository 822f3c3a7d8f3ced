// save(result, file) by extension, each file checked by a reader that is not the writer: PNG by
// its signature, IHDR size and pixels (inflated with zlib and unfiltered here, per the PNG spec),
// PDF by poppler's pdfinfo and pdftotext (the chart's labels must be text), Arrow by apache-arrow,
// Parquet by hyparquet, JSON and Vega-Lite against the bundle, LaTeX against the table's own. Bad
// extensions and options are typed errors naming the file; a failed save leaves the old file whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { tableFromIPC } from 'apache-arrow';
import {
  alphaPlot,
  analyze,
  ArgumentError,
  esdPlot,
  ESD_MIME,
  mimeBundle,
  needsUnicodeFont,
  pdfDashes,
  ResultTable,
  rng,
  SAVE_DEFAULTS,
  save,
  svg,
  systemUnicodeFont,
  Tensor,
  toMimeBundle,
  vegaLite,
  WeightSet,
  type MimeBundle,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

const chart = vegaLite({
  title: 'Alpha per layer',
  width: 200,
  height: 120,
  data: {
    values: [
      { layer: 'fc1', alpha: 2.5 },
      { layer: 'fc2', alpha: 3.75 },
      { layer: 'fc3', alpha: 4.2 },
    ],
  },
  mark: 'bar',
  encoding: {
    x: { field: 'layer', type: 'nominal', title: 'Layer name' },
    y: { field: 'alpha', type: 'quantitative' },
  },
});

/** The size an SVG declares on its root element. */
function svgSize(markup: string): [number, number] {
  const root = /<svg\b[^>]*>/.exec(markup)![0];
  return [Number(/\swidth="([0-9.]+)"/.exec(root)![1]), Number(/\sheight="([0-9.]+)"/.exec(root)![1])];
}

/** An 8-bit RGBA PNG decoded: IHDR size and pixels (zlib-inflated IDAT, scanline filters undone). */
function decodePng(bytes: Uint8Array): { width: number; height: number; pixels: Uint8Array } {
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  for (let offset = 8; offset < bytes.byteLength;) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      assert.deepEqual([data[8], data[9], data[12]], [8, 6, 0], 'bit depth 8, RGBA, not interlaced');
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const left = x >= 4 ? pixels[y * stride + x - 4] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4] : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [a, b, c] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return a <= b && a <= c ? left : b <= c ? up : upLeft;
      };
      const predicted = [0, left, up, (left + up) >> 1, 0][filter] + (filter === 4 ? paeth() : 0);
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return { width, height, pixels };
}

function tool(name: string): boolean {
  return spawnSync('which', [name]).status === 0;
}

test('a chart saved as SVG, PNG, PDF and Vega-Lite: the same figure in each, the PDF with its labels as text', async (t) => {
  const folder = temporaryFolder('save-chart');
  const bundle = await toMimeBundle(chart);
  const figure = String(bundle.data['image/svg+xml']);

  const svgFile = await save(chart, path.join(folder, 'alpha.svg'));
  assert.equal(svgFile, path.join(folder, 'alpha.svg'));
  assert.equal(fs.readFileSync(svgFile, 'utf8'), figure);

  const [width, height] = svgSize(figure);
  const png = decodePng(fs.readFileSync(await save(chart, path.join(folder, 'alpha.png'))));
  assert.deepEqual([png.width, png.height], [2 * width, 2 * height], 'twice the SVG size by default');
  const colours = new Set<number>();
  let dark = 0;
  for (let i = 0; i < png.pixels.length; i += 4) {
    colours.add(new DataView(png.pixels.buffer).getUint32(i));
    if (png.pixels[i + 3] === 255 && png.pixels[i] + png.pixels[i + 1] + png.pixels[i + 2] < 200) dark++;
  }
  assert.ok(colours.size > 3, `${colours.size} colours: the PNG is not blank`);
  assert.ok(dark > 100, `${dark} dark pixels (axes and labels)`);
  // The top-left pixel is the chart's white background.
  assert.deepEqual(Array.from(png.pixels.subarray(0, 4)), [255, 255, 255, 255]);
  const narrow = decodePng(fs.readFileSync(await save(chart, path.join(folder, 'narrow.png'), { width: 100 })));
  assert.equal(narrow.width, 100);
  assert.equal(narrow.height, Math.round((100 * height) / width));

  const pdfFile = await save(chart, path.join(folder, 'alpha.pdf'));
  const pdf = fs.readFileSync(pdfFile);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(pdf.subarray(-8).toString('latin1'), /%%EOF\s*$/);

  const spec = JSON.parse(fs.readFileSync(await save(chart, path.join(folder, 'alpha.vl.json')), 'utf8'));
  assert.deepEqual(spec, chart.spec);

  if (!tool('pdftotext') || !tool('pdfinfo')) {
    t.skip('poppler-utils (pdfinfo, pdftotext) is not installed: the PDF was checked for its header only');
    return;
  }
  const info = spawnSync('pdfinfo', [pdfFile], { encoding: 'utf8' }).stdout;
  assert.match(info, /^Pages:\s+1$/m);
  const size = /^Page size:\s+([0-9.]+) x ([0-9.]+) pts/m.exec(info)!;
  assert.ok(Math.abs(Number(size[1]) - 0.75 * width) < 0.01 && Math.abs(Number(size[2]) - 0.75 * height) < 0.01, info);
  const text = spawnSync('pdftotext', [pdfFile, '-'], { encoding: 'utf8' }).stdout;
  for (const label of ['Alpha per layer', 'Layer name', 'fc1', 'fc3', 'alpha'])
    assert.ok(text.includes(label), `'${label}' is text in the PDF:\n${text}`);
});

test('a weightlab result saves its payload as .json and its figure; a table saves as CSV, Parquet, Arrow, LaTeX and JSON', async () => {
  const folder = temporaryFolder('save-result');
  const weights = new WeightSet({
    'fc1.weight': new Tensor('float32', Float32Array.from(rng(1).normal(40 * 24)), [40, 24]),
  });
  const result = await analyze(weights, { progress: false });
  const plot = esdPlot(result.layers[0], { title: 'fc1 spectrum' });
  // Its legend draws solid lines as the dash pattern 1,0, which PDFKit refuses unless rewritten.
  const esdPdf = await save(plot, path.join(folder, 'esd.pdf'));
  if (tool('pdftotext')) {
    const text = spawnSync('pdftotext', [esdPdf, '-'], { encoding: 'utf8' }).stdout;
    assert.ok(text.includes('Marchenko–Pastur fit'), text);
    // α and λ are not in PDF's standard fonts: with a system font they are embedded and stay text.
    if (systemUnicodeFont()) assert.ok(text.includes('eigenvalue λ') && /α = \d/.test(text), text);
  }
  const payload = JSON.parse(fs.readFileSync(await save(plot, path.join(folder, 'esd.json')), 'utf8'));
  const bundle = await toMimeBundle(plot);
  assert.deepEqual(payload, JSON.parse(JSON.stringify(bundle.data[ESD_MIME])));
  // Vega numbers its clip paths per render, so the saved SVG is compared by size and title.
  const saved = fs.readFileSync(await save(plot, path.join(folder, 'esd.svg')), 'utf8');
  assert.deepEqual(svgSize(saved), svgSize(String(bundle.data['image/svg+xml'])));
  assert.match(saved, />fc1 spectrum</);
  // A result with a table saves it in the table formats; one without a figure has none.
  assert.equal(fs.readFileSync(await save(result, path.join(folder, 'layers.csv')), 'utf8'), result.table.toCSV());
  assert.equal(fs.readFileSync(await save(result, path.join(folder, 'layers.tex')), 'utf8'), result.table.toLaTeX());
  await assert.rejects(
    save(result, path.join(folder, 'layers.pdf')),
    (error: unknown) =>
      error instanceof ArgumentError && error.details.expected === 'one of .json, .csv, .parquet, .arrow, .tex',
  );
  // A chart without a weightlab payload has no .json form: its data is the Vega-Lite spec.
  await assert.rejects(save(alphaPlot(result), path.join(folder, 'alpha.json')), ArgumentError);

  const table = ResultTable.fromRows(
    [
      { layer: 'fc1', alpha: 2.5, rows: 40 },
      { layer: 'fc_2', alpha: null, rows: 24 },
    ],
    { title: 'HTSR layers' },
  );
  assert.equal(fs.readFileSync(await save(table, path.join(folder, 't.csv')), 'utf8'), table.toCSV());
  assert.equal(fs.readFileSync(await save(table, path.join(folder, 't.tex')), 'utf8'), table.toLaTeX());
  assert.match(
    fs.readFileSync(
      await save(table, path.join(folder, 'digits.tex'), { latex: { digits: 1, label: 'tab:htsr' } }),
      'utf8',
    ),
    /\\label\{tab:htsr\}[^]*fc1 & 2\.5 & 40 \\\\/,
  );
  assert.deepEqual(JSON.parse(fs.readFileSync(await save(table, path.join(folder, 't.json')), 'utf8')), table.rows());
  const arrow = tableFromIPC(fs.readFileSync(await save(table, path.join(folder, 't.arrow'))));
  assert.deepEqual(
    arrow.schema.fields.map((field) => field.name),
    ['layer', 'alpha', 'rows'],
  );
  assert.deepEqual(
    arrow.toArray().map((row) => ({ ...row.toJSON() })),
    [
      { layer: 'fc1', alpha: 2.5, rows: 40 },
      { layer: 'fc_2', alpha: null, rows: 24 },
    ],
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hyparquet = require('hyparquet') as {
    parquetReadObjects(options: { file: ArrayBuffer }): Promise<Record<string, unknown>[]>;
  };
  const parquet = fs.readFileSync(await save(table, path.join(folder, 't.parquet')));
  assert.deepEqual(
    await hyparquet.parquetReadObjects({
      file: parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.byteLength),
    }),
    [
      { layer: 'fc1', alpha: 2.5, rows: 40n },
      { layer: 'fc_2', alpha: null, rows: 24n },
    ],
  );
});

test('an unknown extension, a form the result lacks, or a bad option: ArgumentError naming the file; no file written', async () => {
  const folder = temporaryFolder('save-errors');
  const table = ResultTable.fromRows([{ a: 1 }]);
  const named = (file: string, check: (error: ArgumentError) => boolean) => (error: unknown) =>
    error instanceof ArgumentError && error.details.file === path.join(folder, file) && check(error);
  await assert.rejects(
    save(chart, path.join(folder, 'figure.docx')),
    named(
      'figure.docx',
      (error) => error.details.found === '.docx' && /\.svg, \.png, \.pdf/.test(error.details.expected!),
    ),
  );
  await assert.rejects(
    save(table, path.join(folder, 'table.pdf')),
    named(
      'table.pdf',
      (error) => /a ResultTable has no \.pdf form/.test(error.message) && /\.tex/.test(error.details.expected!),
    ),
  );
  await assert.rejects(
    save(chart, path.join(folder, 'chart.csv')),
    named('chart.csv', (error) => error.details.expected === 'one of .svg, .png, .pdf, .vl.json'),
  );
  await assert.rejects(
    save(svg('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'), path.join(folder, 'x.vl.json')),
    ArgumentError,
  );
  await assert.rejects(
    save('just text', path.join(folder, 'x.svg')),
    named('x.svg', (error) => /a String has no/.test(error.message)),
  );
  await assert.rejects(
    save(chart, path.join(folder, 'x.png'), { dpi: 300 } as never),
    (error: unknown) =>
      error instanceof ArgumentError && error.details.expected === `one of ${Object.keys(SAVE_DEFAULTS).join(', ')}`,
  );
  await assert.rejects(save(chart, path.join(folder, 'x.png'), { width: 100, scale: 2 }), ArgumentError);
  assert.deepEqual(fs.readdirSync(folder), []);
});

test('a failed save leaves the previous file whole and no temp file', async () => {
  const folder = temporaryFolder('save-atomic');
  const file = path.join(folder, 'figure.svg');
  const good = {
    [mimeBundle]: (): MimeBundle => ({ data: { 'image/svg+xml': '<svg width="1" height="1"/>', 'text/plain': 'ok' } }),
  };
  await save(good, file);
  const broken = {
    [mimeBundle]: (): MimeBundle => ({ data: { 'image/svg+xml': '<svg/>', 'text/plain': 'no size' } }),
  };
  // An SVG without a size cannot become a PDF page: no figure.pdf appears...
  await assert.rejects(save(broken, path.join(folder, 'figure.pdf')), ArgumentError);
  // ...and a table whose LaTeX options are wrong leaves the old .tex as it was.
  const tex = path.join(folder, 'table.tex');
  fs.writeFileSync(tex, 'previous');
  await assert.rejects(save(ResultTable.fromRows([{ a: 1 }]), tex, { latex: { digits: -2 } }), ArgumentError);
  assert.equal(fs.readFileSync(tex, 'utf8'), 'previous');
  assert.equal(fs.readFileSync(file, 'utf8'), '<svg width="1" height="1"/>');
  assert.deepEqual(fs.readdirSync(folder).sort(), ['figure.svg', 'table.tex']);
});

test('dash patterns PDFKit refuses are rewritten: zero gaps are solid lines, other zeros tiny', () => {
  assert.equal(pdfDashes('<path stroke-dasharray="1,0" d="M0,0"/>'), '<path d="M0,0"/>');
  assert.equal(pdfDashes('<path stroke-dasharray="0 0"/>'), '<path/>');
  assert.equal(pdfDashes('<path stroke-dasharray="0,4"/>'), '<path stroke-dasharray="0.001,4"/>');
  assert.equal(pdfDashes('<path stroke-dasharray="4,2"/>'), '<path stroke-dasharray="4,2"/>');
  assert.equal(
    pdfDashes('<path style="stroke-dasharray: 3, 0; fill: none"/>'),
    '<path style="stroke-dasharray: none; fill: none"/>',
  );
  assert.equal(needsUnicodeFont('fit – “Pastur” €'), false);
  assert.equal(needsUnicodeFont('eigenvalue λ'), true);
});
