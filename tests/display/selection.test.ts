// Selections flowing back to the kernel (issue #20), without a kernel: the view registry the
// kernel's comm target looks views up in, the messages a live view sends (checked the same way
// on both ends), and what a manifold and a phase diagram make of them. Expected ids are the ids
// given to the manifold (row i is ids[i]) and the models written into each phase cell here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  MANIFOLD_MIME,
  PayloadError,
  PHASE_DIAGRAM_MIME,
  PhaseTable,
  checkSelectionMessage,
  mimeBundle,
  phaseDiagram,
  selectableView,
  viewIdOf,
  weightManifold,
  type SelectionMessage,
} from 'weightlab/internal';
import { phaseRow } from '../support/phase-row';

const IDS = ['a', 'b', 'c', 'd'];
const manifoldOf = () =>
  weightManifold(
    [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 1, 0],
    ],
    { ids: IDS, seed: 1 },
  );

test('checkSelectionMessage accepts point and cell selections and names the field of a bad one', () => {
  assert.deepEqual(checkSelectionMessage({ event: 'selection', kind: 'lasso', indices: [0, 2] }).indices, [0, 2]);
  assert.equal(checkSelectionMessage({ event: 'selection', kind: 'clear', cell: null }).cell, null);
  const bad: Array<[unknown, string]> = [
    ['text', '$'],
    [{ event: 'hover', kind: 'box', indices: [] }, '$.event'],
    [{ event: 'selection', kind: 'circle', indices: [] }, '$.kind'],
    [{ event: 'selection', kind: 'box', indices: [1.5] }, '$.indices[0]'],
    [{ event: 'selection', kind: 'box', indices: [-1] }, '$.indices[0]'],
    [{ event: 'selection', kind: 'cell', cell: { row: 'x', column: 0 } }, '$.cell'],
    [{ event: 'selection', kind: 'box' }, '$'],
  ];
  for (const [value, field] of bad)
    assert.throws(
      () => checkSelectionMessage(value),
      (error: unknown) => error instanceof PayloadError && error.path === field,
      JSON.stringify(value),
    );
});

test('a displayed manifold is found by the view id in its metadata; comm messages set view.selection', async () => {
  const view = await manifoldOf();
  assert.deepEqual(view.selection, []);
  const bundle = await view[mimeBundle]();
  const viewId = viewIdOf(bundle.metadata, MANIFOLD_MIME);
  assert.ok(viewId);
  assert.equal(viewIdOf(bundle.metadata, PHASE_DIAGRAM_MIME), undefined);
  const endpoint = selectableView(viewId);
  assert.ok(endpoint);
  assert.equal(selectableView('no-such-view'), undefined);

  const sent: SelectionMessage[] = [];
  const connection = endpoint.connect((message) => sent.push(message));
  assert.deepEqual(sent, [], 'nothing selected yet: nothing sent on connect');
  const next = view.nextSelection();
  connection.receive({ event: 'selection', kind: 'lasso', indices: [2, 0, 2] });
  assert.deepEqual(await next, ['c', 'a']);
  assert.deepEqual(view.selection, ['c', 'a']);
  assert.deepEqual(sent, [], 'a view is not sent back its own selection');

  // A malformed or out-of-range message changes nothing.
  assert.throws(() => connection.receive({ event: 'selection', kind: 'box', indices: [4] }), PayloadError);
  assert.throws(
    () => connection.receive({ event: 'selection', kind: 'cell', cell: { row: 0, column: 0 } }),
    PayloadError,
  );
  assert.deepEqual(view.selection, ['c', 'a']);

  // select() in a cell: sent to the open view with the rows of the ids; a later view gets it on connect.
  assert.deepEqual(view.select(['d', 'b']), ['d', 'b']);
  assert.deepEqual(sent, [{ event: 'selection', kind: 'script', indices: [3, 1] }]);
  const late: SelectionMessage[] = [];
  endpoint.connect((message) => late.push(message));
  assert.deepEqual(late, [{ event: 'selection', kind: 'script', indices: [3, 1] }]);
  assert.throws(
    () => view.select(['b', 'zz']),
    (error: unknown) => error instanceof ArgumentError && /zz/.test(error.message) && /'ids'/.test(error.message),
  );
  connection.close();
  view.select([]);
  assert.equal(sent.length, 1, 'a closed connection is not sent to');
  assert.deepEqual(view.selection, []);
});

test("a phase diagram's selection is the models of the clicked cell; selectCell names it by axis values", async () => {
  const diagram = phaseDiagram(
    new PhaseTable(
      [
        phaseRow(2, 8, { models: ['m1', 'm2'] }),
        phaseRow(2, 64, { models: ['m3', 'm4'] }),
        phaseRow(8, 8, { models: ['m5', 'm6'] }),
      ],
      {
        load: 'width',
        temperature: 'batch_size',
      },
    ),
  );
  const bundle = await diagram[mimeBundle]();
  const payload = bundle.data[PHASE_DIAGRAM_MIME] as { x: { values: number[] }; y: { values: number[] } };
  assert.deepEqual(payload.y.values, [2, 8]);
  assert.deepEqual(payload.x.values, [8, 64]);
  const endpoint = selectableView(viewIdOf(bundle.metadata, PHASE_DIAGRAM_MIME)!)!;
  const sent: SelectionMessage[] = [];
  const connection = endpoint.connect((message) => sent.push(message));
  connection.receive({ event: 'selection', kind: 'cell', cell: { row: 1, column: 0 } });
  assert.deepEqual(diagram.selection, ['m5', 'm6']);
  assert.deepEqual(diagram.selectedCell, { width: 8, batch_size: 8 });
  // The (8, 64) cell was not run: selected, with no models.
  connection.receive({ event: 'selection', kind: 'cell', cell: { row: 1, column: 1 } });
  assert.deepEqual(diagram.selection, []);
  assert.throws(
    () => connection.receive({ event: 'selection', kind: 'cell', cell: { row: 2, column: 0 } }),
    PayloadError,
  );
  assert.deepEqual(diagram.selectCell({ batch_size: 64, width: 2 }), ['m3', 'm4']);
  assert.deepEqual(sent, [{ event: 'selection', kind: 'script', cell: { row: 0, column: 1 } }]);
  assert.throws(
    () => diagram.selectCell({ batch_size: 32, width: 2 }),
    (error: unknown) => error instanceof ArgumentError && /batch_size/.test(error.message),
  );
  assert.throws(() => diagram.selectCell({ batch_size: 8, width: 2, depth: 3 }), ArgumentError);
  connection.receive({ event: 'selection', kind: 'clear', cell: null });
  assert.deepEqual(diagram.selection, []);
  assert.equal(diagram.selectedCell, null);
});
