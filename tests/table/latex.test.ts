// ResultTable.toLaTeX against hand-written LaTeX (the closed form of a small table): booktabs
// rules, numbers right and text left, fixed decimals, math minus and × 10^e, every special
// character escaped, a float with caption and label only when asked, typed errors for bad options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, escapeLaTeX, LATEX_DEFAULTS, ResultTable } from 'weightlab/internal';

const rows = [
  { model_id: 'mlp_4%', test_acc: 0.91234, width: 4, gap: -0.5, note: 'a & b' },
  { model_id: 'cnn#2', test_acc: 0.00001234, width: 16, gap: 2500000.5, note: '{x}' },
  { model_id: '$~^\\', test_acc: null, width: null, gap: Number.NaN, note: null },
];

test('a small table as booktabs LaTeX: rules, alignment, 3 decimals by default, every special character escaped', () => {
  const expected = [
    '\\begin{tabular}{lrrrl}',
    '\\toprule',
    'model\\_id & test\\_acc & width & gap & note \\\\',
    '\\midrule',
    'mlp\\_4\\% & 0.912 & 4 & $-$0.500 & a \\& b \\\\',
    'cnn\\#2 & $1.234 \\times 10^{-5}$ & 16 & $2.500 \\times 10^{6}$ & \\{x\\} \\\\',
    '\\$\\textasciitilde{}\\textasciicircum{}\\textbackslash{} &  &  & NaN &  \\\\',
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
  assert.equal(ResultTable.fromRows(rows).toLaTeX(), expected);
  assert.equal(ResultTable.fromRows(rows).toLaTeX({ digits: undefined }), expected);
});

test('digits, caption (the title by default) and label: a table float around the tabular', () => {
  const table = ResultTable.fromRows([{ name: 'x', value: 1.23456, count: 3 }], { title: 'Spectral 50% fit' });
  assert.equal(
    table.toLaTeX({ digits: 1, label: 'tab:fit' }),
    [
      '\\begin{table}[htbp]',
      '\\centering',
      '\\caption{Spectral 50\\% fit}',
      '\\label{tab:fit}',
      '\\begin{tabular}{lrr}',
      '\\toprule',
      'name & value & count \\\\',
      '\\midrule',
      'x & 1.2 & 3 \\\\',
      '\\bottomrule',
      '\\end{tabular}',
      '\\end{table}',
      '',
    ].join('\n'),
  );
  const captioned = table.toLaTeX({ caption: 'Own caption', digits: 0 });
  assert.match(captioned, /\\caption\{Own caption\}\n\\begin\{tabular\}/);
  assert.match(captioned, /\nx & 1 & 3 \\\\\n/);
  assert.doesNotMatch(captioned, /\\label/);
});

test('escapeLaTeX escapes in one pass (an inserted backslash is not escaped again)', () => {
  assert.equal(escapeLaTeX('\\_'), '\\textbackslash{}\\_');
  assert.equal(escapeLaTeX('plain text 1.5'), 'plain text 1.5');
});

test('bad options are typed errors naming the field', () => {
  const table = ResultTable.fromRows([{ a: 1 }]);
  const failsOn = (field: string) => (error: unknown) =>
    error instanceof ArgumentError && error.details.field === field;
  assert.throws(() => table.toLaTeX({ digits: -1 }), failsOn('digits'));
  assert.throws(() => table.toLaTeX({ digits: 1.5 }), failsOn('digits'));
  assert.throws(() => table.toLaTeX({ label: 'tab:a}b' }), failsOn('label'));
  assert.throws(
    () => table.toLaTeX({ decimals: 2 } as never),
    (error: unknown) =>
      error instanceof ArgumentError && error.details.expected === `one of ${Object.keys(LATEX_DEFAULTS).join(', ')}`,
  );
});
