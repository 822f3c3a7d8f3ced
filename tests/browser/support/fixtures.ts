// Fixture outputs for the browser tests, made by the library in plain Node: the display_data
// bundle is what the kernel publishes (it calls the same toMimeBundle), and fixtures can be
// shaped so a test knows the answer in advance (which model is darkest, a known power-law
// exponent). The kernel-recorded outputs of notebooks/weight-manifolds.ipynb are rendered
// next to them (support/notebook-outputs.ts).
import {
  bundle,
  dataset,
  lossSurface,
  mlp,
  phaseDiagram as phaseDiagramOf,
  PhaseTable,
  rng,
  supervisedTask,
  toMimeBundle,
  trainNetwork,
  weightManifold,
  weightlabBundle,
  ESD_MIME,
  PHASE_DIAGRAM_MIME,
  type EsdPayload,
  type PhaseDiagramPayload,
  type PhaseRow,
} from 'weightlab/internal';

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
  return displayOutput(
    await weightManifold(models, {
      metadata,
      checkpoints,
      checkpointEpochs: checkpoints.map((list) => list.map((_, e) => 5 * e)),
      colorBy: 'test_accuracy',
      dimensions,
      seed: 1,
      title: `fixture zoo (${dimensions}-D)`,
    }),
  );
}

/**
 * Two seeds' training runs, 6 checkpoints each, as 12 models: the seeds start 40 apart (PC1)
 * and training moves both 2 along a shared direction (PC2), so PC2's spread is a twentieth of
 * PC1's, the case where one scale for both axes draws the cloud as a sliver.
 */
export async function twoSeedManifold(): Promise<DisplayOutput> {
  const random = rng(11);
  const seeds = [random.normal(60, 0, 4), random.normal(60, 0, 4)];
  const training = random.normal(60, 0, 1);
  const length = Math.hypot(...training);
  const models: Float64Array[] = [];
  const metadata: Record<string, unknown>[] = [];
  seeds.forEach((start, seed) => {
    for (let epoch = 0; epoch < 6; epoch++) {
      // 2 units along the training direction over the run, plus a little noise off it.
      const noise = random.normal(60, 0, 0.02);
      models.push(start.map((x, j) => x + ((2 * epoch) / 5) * (training[j] / length) + noise[j]));
      metadata.push({ id: `seed${seed}-epoch${epoch}`, seed: `seed ${seed}`, epoch, train_loss: 1 / (1 + epoch) });
    }
  });
  return displayOutput(
    await weightManifold(models, { metadata, colorBy: 'seed', dimensions: 2, seed: 1, title: 'two seeds (PCA 2-D)' }),
  );
}

/** The 12-model fixture zoo embedded by UMAP in 3-D. */
export async function umapManifold(): Promise<DisplayOutput> {
  const random = rng(5);
  const models = Array.from({ length: 24 }, (_, i) => random.normal(30, (i % 3) * 6, 1));
  const metadata = models.map((_, i) => ({ id: `m${i}`, cluster: `cluster ${i % 3}`, accuracy: 0.6 + 0.01 * i }));
  return displayOutput(
    await weightManifold(models, {
      metadata,
      method: 'umap',
      dimensions: 3,
      colorBy: 'cluster',
      seed: 2,
      title: 'fixture zoo (UMAP 3-D)',
    }),
  );
}

/** Grid of the lib-made phase diagram: widths (load, rows) x batch sizes (temperature, columns). */
export const PHASE_GRID = { widths: [4, 8, 16, 32, 64, 128], batchSizes: [16, 32, 64, 128, 256, 512, 1024, 2048] };

/**
 * A phase diagram made the way the phase-transitions notebook makes it (a PhaseTable through
 * lib's phaseDiagram, which classifies it), from metrics shaped to produce all five of Yang et
 * al.'s phases: the two narrowest widths underfit (train accuracy 0.8), the three smallest
 * batch sizes have a barrier (mc = -5 pp), and among the fit, connected cells CKA grows with
 * width across classifyPhases' absolute line 0.55, which splits IV-A from IV-B. Cell (width 128, batch 16) was not run.
 * test_acc = 0.5 + 0.05 r + 0.005 c is smallest at row 0, column 0 and largest at row 5, column 7.
 */
export function phaseTable(): PhaseTable {
  const rows: PhaseRow[] = [];
  PHASE_GRID.widths.forEach((width, r) =>
    PHASE_GRID.batchSizes.forEach((batch, c) => {
      const run = !(r === 5 && c === 0);
      const value = (v: number) => (run ? v : null);
      const underfit = r < 2;
      rows.push({
        width,
        batch_size: batch,
        models: run ? ['seed 0', 'seed 1'] : [],
        train_loss: value(underfit ? 0.5 : 0.01),
        train_acc: value(underfit ? 0.8 : 0.99),
        test_loss: value(0.2),
        test_acc: value(0.5 + 0.05 * r + 0.005 * c),
        hessian_top_ev: value(10 + r),
        hessian_trace: value(100 + c),
        log_hessian_top_ev: value(Math.log(10 + r)),
        log_hessian_trace: value(Math.log(100 + c)),
        curve_mc_train_error: value(c < 3 ? -5 : 2),
        curve_mc_test_error: value(0),
        curve_mc_train_loss: value(0),
        linear_barrier_train_loss: value(c < 3 ? 0.3 : 0.01),
        representation_similarity: value(0.3 + 0.08 * r + 0.005 * c),
        l2_distance: value(10 + r + c),
        nan: false,
      });
    }),
  );
  return new PhaseTable(rows, { load: 'width', temperature: 'batch_size' });
}

export async function libraryPhaseDiagram(): Promise<DisplayOutput> {
  return displayOutput(phaseDiagramOf(phaseTable()));
}

/** A 6 x 8 phase diagram (learning rate x weight decay) with three phases. */
export async function phaseDiagram(): Promise<DisplayOutput> {
  const learningRates = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];
  const decays = [0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
  const accuracy = decays.map((_, r) =>
    learningRates.map((_, c) => Math.round((0.5 + 0.06 * c - 0.05 * Math.abs(r - 2)) * 1000) / 1000),
  );
  const alpha = decays.map((_, r) => learningRates.map((_, c) => Math.round((6 - 0.5 * c + 0.2 * r) * 100) / 100));
  const phases = alpha.map((row) =>
    row.map((a) => (a > 4.5 ? 'under-trained' : a > 2.5 ? 'generalizing' : 'over-trained')),
  );
  const payload: PhaseDiagramPayload = {
    version: 1,
    title: 'fixture phase diagram',
    x: { name: 'learning_rate', values: learningRates, scale: 'log' },
    y: { name: 'weight_decay', values: decays, scale: 'categorical' },
    metrics: { test_accuracy: accuracy, alpha },
    metric: 'test_accuracy',
    phases,
    phaseDescriptions: { 'over-trained': 'alpha < 2.5', generalizing: '2.5 to 4.5', 'under-trained': 'alpha > 4.5' },
  };
  return displayOutput(
    bundle(
      weightlabBundle('phase-diagram', payload as unknown as Record<string, unknown>, {
        'text/plain': 'Phase diagram: 6 x 8 cells',
      }).data,
    ),
  );
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
    version: 1,
    title: 'fixture ESD',
    layer: 'fc1.weight',
    eigenvalues: [...bulk, ...tail],
    fit: { alpha: ESD_ALPHA, xmin: ESD_XMIN, xmax: Math.max(...tail), D: 0.03, warning: '' },
    marchenkoPastur: { bulkMin: 0.05, bulkMax: 0.95 },
  };
  return displayOutput(
    bundle({ [ESD_MIME]: payload, 'text/plain': `ESD of fc1.weight: 1000 eigenvalues, alpha = ${ESD_ALPHA}` }),
  );
}

/** Grid points per axis of the loss-surface fixture. */
export const SURFACE_RESOLUTION = 9;

/** A real loss surface: a small MLP trained on two Gaussian classes, on its trajectory's PCA plane. */
export async function lossSurfaceOutput(): Promise<DisplayOutput> {
  const x = rng(4).normal(80 * 3);
  const data = dataset(
    'fixture',
    x,
    Int32Array.from({ length: 80 }, (_, i) => (x[3 * i] > 0 ? 1 : 0)),
    3,
    2,
  );
  const architecture = mlp(3, [5], 2);
  const trajectory: Float64Array[] = [];
  const job = { architecture, seed: 2, batchSize: 16, learningRate: 0.1, momentum: 0.9, weightDecay: 0, epochs: 5 };
  const { params } = trainNetwork(job, data, data, { onEpoch: (_, p) => trajectory.push(Float64Array.from(p)) });
  const task = supervisedTask(architecture, { train: data, test: data });
  return displayOutput(lossSurface(params, task, { directions: 'pca', trajectory, resolution: SURFACE_RESOLUTION }));
}

export { PHASE_DIAGRAM_MIME, ESD_MIME };
