// The payload fields the renderer's legibility work added (phase colours, metric display,
// manifold aspect) are optional and checked: payloads without them still pass, lib's phase
// diagram sends them for every phase and metric it shows, and a bad value is a PayloadError
// (a WeightlabError) naming the field, what was expected and what was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkManifoldPayload,
  checkPhaseDiagramPayload,
  MANIFOLD_MIME,
  mimeBundle,
  PayloadError,
  phaseDiagram as diagramOf,
  PHASE_DIAGRAM_MIME,
  VEGA_LITE_MIME,
  WeightlabError,
  type PhaseDiagramPayload,
} from 'weightlab/internal';
import * as internal from 'weightlab/internal';
import * as payloads from 'weightlab/payloads';
import { libraryPhaseDiagram, phaseDiagram, phaseTable, zooManifold } from '../browser/support/fixtures';
import { repositoryRoot } from '../support/paths';

test('weightlab/payloads is the one module of the contracts: the library emits what the extension imports', () => {
  // The same module instance as the library's (not a copy): one set of MIME types, checkers and colours.
  assert.equal(payloads.checkManifoldPayload, internal.checkManifoldPayload);
  assert.equal(payloads.PayloadError, internal.PayloadError);
  assert.ok(new payloads.PayloadError('$.points', 'expected an array') instanceof WeightlabError);
  assert.deepEqual(
    [payloads.MANIFOLD_MIME, payloads.PHASE_DIAGRAM_MIME, payloads.ESD_MIME],
    [MANIFOLD_MIME, PHASE_DIAGRAM_MIME, 'application/vnd.weightlab.esd.v1+json'],
  );
  // The extension's sources reach the library only through that entry point, never into its dist/.
  const sources = (folder: string): string[] =>
    fs
      .readdirSync(folder, { withFileTypes: true })
      .flatMap((entry) =>
        entry.isDirectory()
          ? sources(path.join(folder, entry.name))
          : entry.name.endsWith('.ts')
            ? [path.join(folder, entry.name)]
            : [],
      );
  const specifiers = sources(path.join(repositoryRoot, 'extension', 'src')).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(/from '(weightlab[^']*)'/g)].map((match) => match[1]),
  );
  assert.ok(specifiers.length >= 5, `found ${specifiers.length} weightlab imports`);
  assert.deepEqual([...new Set(specifiers)], ['weightlab/payloads']);
});

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
  for (const phase of new Set(payload.phases.flat()))
    if (phase) assert.match(payload.phaseColors![phase], /^#[0-9A-F]{6}$/i, phase);
  assert.deepEqual(Object.keys(payload.metricDisplay!).sort(), Object.keys(payload.metrics).sort());
  // Diverging where PTMZ centres them (the Vega-Lite panels' domainMid), log for the train loss.
  assert.equal(payload.metricDisplay!.curve_mc_train_error.divergingAt, 0);
  assert.equal(payload.metricDisplay!.representation_similarity.divergingAt, 1);
  assert.equal(payload.metricDisplay!.train_loss.scale, 'log');
  // The Vega-Lite phase panel colours each phase as the payload does.
  const bundle = await diagramOf(phaseTable())[mimeBundle]();
  const spec = bundle.data[VEGA_LITE_MIME] as {
    concat: { layer?: { encoding: { color?: { scale: { domain: string[]; range: string[] } } } }[] }[];
  };
  const scale = spec.concat[0].layer![0].encoding.color!.scale;
  scale.domain.forEach((phase, i) => {
    if (payload.phaseColors![phase]) assert.equal(scale.range[i], payload.phaseColors![phase], phase);
  });
});

test('bad display fields are PayloadErrors naming the field, the expected and the found value', async () => {
  const payload = checkPhaseDiagramPayload((await libraryPhaseDiagram()).data[PHASE_DIAGRAM_MIME]);
  const failure = (value: unknown, field: string, pattern: RegExp) =>
    assert.throws(
      () => checkPhaseDiagramPayload(value),
      (error: unknown) => {
        assert.ok(error instanceof PayloadError && error instanceof WeightlabError);
        assert.equal(error.code, 'E_PAYLOAD');
        assert.equal(error.path, field);
        assert.match(error.message, pattern);
        return true;
      },
    );
  failure({ ...payload, phaseColors: { I: 'red' } }, '$.phaseColors.I', /expected a colour '#rrggbb', found "red"/);
  failure(
    { ...payload, metricDisplay: { test_acc: { scale: 'sqrt' } } },
    '$.metricDisplay.test_acc.scale',
    /expected 'linear' or 'log', found "sqrt"/,
  );
  failure(
    { ...payload, metricDisplay: { test_acc: { divergingAt: 'zero' } } },
    '$.metricDisplay.test_acc.divergingAt',
    /expected a finite number/,
  );
  const manifold = (await zooManifold(2)).data[MANIFOLD_MIME] as Record<string, unknown>;
  assert.throws(
    () => checkManifoldPayload({ ...manifold, aspect: 'square' }),
    /'\$\.aspect': expected 'fill' or 'equal', found "square"/,
  );
});
