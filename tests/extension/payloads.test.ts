// The payload fields the renderer's legibility work added (phase colours, metric display,
// manifold aspect) are optional and checked: payloads without them still pass, lib's phase
// diagram sends them for every phase and metric it shows, and a bad value is a PayloadError
// (a WeightlabError) naming the field, what was expected and what was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkManifoldPayload, checkPhaseDiagramPayload, MANIFOLD_MIME, mimeBundle, PayloadError, phaseDiagram as diagramOf, PHASE_DIAGRAM_MIME, VEGA_LITE_MIME, WeightlabError,
  type PhaseDiagramPayload,
} from 'weightlab/internal';
import { libraryPhaseDiagram, phaseDiagram, phaseTable, zooManifold } from '../browser/support/fixtures';

test('payloads without the optional display fields still pass their check', async () => {
  const old = (await phaseDiagram()).data[PHASE_DIAGRAM_MIME] as PhaseDiagramPayload;
  assert.equal(old.phaseColors, undefined);
  assert.equal(old.metricDisplay, undefined);
  checkPhaseDiagramPayload(old);
  const manifold = (await zooManifold(2)).data[MANIFOLD_MIME] as Record<string, unknown>;
  assert.equal(manifold.aspect, undefined);
  checkManifoldPayload(manifold);
});

test('lib’s phase diagram names a colour for every phase and a display for every metric', async () => {
  const payload = checkPhaseDiagramPayload((await libraryPhaseDiagram()).data[PHASE_DIAGRAM_MIME]);
  for (const phase of new Set(payload.phases.flat())) if (phase) assert.match(payload.phaseColors![phase], /^#[0-9A-F]{6}$/i, phase);
  assert.deepEqual(Object.keys(payload.metricDisplay!).sort(), Object.keys(payload.metrics).sort());
  // Diverging where PTMZ centres them (the Vega-Lite panels' domainMid), log for the train loss.
  assert.equal(payload.metricDisplay!.curve_mc_train_error.divergingAt, 0);
  assert.equal(payload.metricDisplay!.representation_similarity.divergingAt, 1);
  assert.equal(payload.metricDisplay!.train_loss.scale, 'log');
  // The Vega-Lite phase panel colours each phase as the payload does.
  const bundle = await diagramOf(phaseTable())[mimeBundle]();
  const spec = bundle.data[VEGA_LITE_MIME] as { concat: { layer?: { encoding: { color?: { scale: { domain: string[]; range: string[] } } } }[] }[] };
  const scale = spec.concat[0].layer![0].encoding.color!.scale;
  scale.domain.forEach((phase, i) => { if (payload.phaseColors![phase]) assert.equal(scale.range[i], payload.phaseColors![phase], phase); });
});

test('bad display fields are PayloadErrors naming the field, the expected and the found value', async () => {
  const payload = checkPhaseDiagramPayload((await libraryPhaseDiagram()).data[PHASE_DIAGRAM_MIME]);
  const failure = (value: unknown, field: string, pattern: RegExp) => assert.throws(() => checkPhaseDiagramPayload(value), (error: unknown) => {
    assert.ok(error instanceof PayloadError && error instanceof WeightlabError);
    assert.equal(error.code, 'E_PAYLOAD');
    assert.equal(error.path, field);
    assert.match(error.message, pattern);
    return true;
  });
  failure({ ...payload, phaseColors: { I: 'red' } }, '$.phaseColors.I', /expected a colour '#rrggbb', found "red"/);
  failure({ ...payload, metricDisplay: { test_acc: { scale: 'sqrt' } } }, '$.metricDisplay.test_acc.scale', /expected 'linear' or 'log', found "sqrt"/);
  failure({ ...payload, metricDisplay: { test_acc: { divergingAt: 'zero' } } }, '$.metricDisplay.test_acc.divergingAt', /expected a finite number/);
  const manifold = (await zooManifold(2)).data[MANIFOLD_MIME] as Record<string, unknown>;
  assert.throws(() => checkManifoldPayload({ ...manifold, aspect: 'square' }), /'\$\.aspect': expected 'fill' or 'equal', found "square"/);
});
