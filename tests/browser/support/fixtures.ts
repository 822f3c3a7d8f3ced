// Fixture outputs for the browser tests, made by the library in plain Node: the display_data
// bundle is what the kernel publishes (it calls the same toMimeBundle), and fixtures can be
// shaped so a test knows the answer in advance (which model is darkest, a known power-law
// exponent). The kernel-recorded outputs of notebooks/weight-manifolds.ipynb are rendered
// next to them (support/notebook-outputs.ts).
import { bundle, rng, toMimeBundle, weightManifold, weightlabBundle, ESD_MIME, PHASE_DIAGRAM_MIME, type EsdPayload, type PhaseDiagramPayload } from 'weightlab';

export interface DisplayOutput {
  output_type: 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

async function displayOutput(value: unknown): Promise<DisplayOutput> {
  const { data, metadata } = await toMimeBundle(value);
  return { output_type: 'display_data', data: JSON.parse(JSON.stringify(data)), metadata: metadata ?? {} };
}

/** Number of models in the 2-D fixture zoo. */
export const ZOO_SIZE = 12;

/**
 * A 12-model zoo in three seeded clusters. Model i has test_accuracy = 0.5 + 0.04 i and
 * train_loss = 1 - 0.08 i, so under viridis model 0 is the darkest colour by accuracy and
 * the brightest by loss: the colour-by test knows both colours without asking the renderer.
 */
export async function zooManifold(dimensions: 2 | 3 = 2): Promise<DisplayOutput> {
  const random = rng(7);
  const centres = [0, 1, 2].map(() => random.normal(40, 0, 6));
  const models: Float64Array[] = [];
  const checkpoints: Float64Array[][] = [];
  const metadata: Record<string, unknown>[] = [];
  for (let i = 0; i < ZOO_SIZE; i++) {
    const noise = random.normal(40);
    const final = centres[i % 3].map((c, j) => c + noise[j]);
    const start = random.normal(40, 0, 0.5);
    models.push(final);
    checkpoints.push(i < 4 ? [0, 0.25, 0.5, 0.75, 1].map((t) => final.map((x, j) => (1 - t) * start[j] + t * x)) : []);
    metadata.push({
      id: `mlp-${String(i).padStart(2, '0')}`,
      learning_rate: [0.001, 0.01, 0.1][i % 3],
      width: [16, 32, 64, 128][i % 4],
      optimizer: i % 2 ? 'adam' : 'sgd',
      test_accuracy: 0.5 + 0.04 * i,
      train_loss: 1 - 0.08 * i,
    });
  }
  return displayOutput(weightManifold(models, {
    metadata, checkpoints, checkpointEpochs: checkpoints.map((list) => list.map((_, e) => 5 * e)),
    colorBy: 'test_accuracy', dimensions, seed: 1, title: `fixture zoo (${dimensions}-D)`,
  }));
}

/** A 6 x 8 phase diagram (learning rate x weight decay) with three phases. */
export async function phaseDiagram(): Promise<DisplayOutput> {
  const learningRates = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];
  const decays = [0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
  const accuracy = decays.map((_, r) => learningRates.map((_, c) => Math.round((0.5 + 0.06 * c - 0.05 * Math.abs(r - 2)) * 1000) / 1000));
  const alpha = decays.map((_, r) => learningRates.map((_, c) => Math.round((6 - 0.5 * c + 0.2 * r) * 100) / 100));
  const phases = alpha.map((row) => row.map((a) => (a > 4.5 ? 'under-trained' : a > 2.5 ? 'generalizing' : 'over-trained')));
  const payload: PhaseDiagramPayload = {
    version: 1, title: 'fixture phase diagram',
    x: { name: 'learning_rate', values: learningRates, scale: 'log' },
    y: { name: 'weight_decay', values: decays, scale: 'categorical' },
    metrics: { test_accuracy: accuracy, alpha }, metric: 'test_accuracy', phases,
    phaseDescriptions: { 'over-trained': 'alpha < 2.5', generalizing: '2.5 to 4.5', 'under-trained': 'alpha > 4.5' },
  };
  return displayOutput(bundle(weightlabBundle('phase-diagram', payload as unknown as Record<string, unknown>, { 'text/plain': 'Phase diagram: 6 x 8 cells' }).data));
}

/** Pareto-distributed eigenvalues with a known tail exponent (p(λ) ∝ λ^-α above xmin). */
export const ESD_ALPHA = 2.5;
export const ESD_XMIN = 1;

export async function spectralDensity(): Promise<DisplayOutput> {
  const random = rng(3);
  // Inverse CDF of the Pareto law: λ = xmin · u^(-1/(α-1)); a Marchenko-Pastur-like bulk below xmin.
  const tail = Array.from(random.uniform(300), (u) => ESD_XMIN * (1 - u) ** (-1 / (ESD_ALPHA - 1)));
  const bulk = Array.from(random.uniform(700), (u) => 0.05 + 0.9 * u);
  const payload: EsdPayload = {
    version: 1, title: 'fixture ESD', layer: 'fc1.weight', eigenvalues: [...bulk, ...tail],
    fit: { alpha: ESD_ALPHA, xmin: ESD_XMIN, xmax: Math.max(...tail), D: 0.03, warning: '' },
    marchenkoPastur: { bulkMin: 0.05, bulkMax: 0.95 },
  };
  return displayOutput(bundle({ [ESD_MIME]: payload, 'text/plain': `ESD of fc1.weight: 1000 eigenvalues, alpha = ${ESD_ALPHA}` }));
}

export { PHASE_DIAGRAM_MIME, ESD_MIME };
