// One row of a phase table made by hand, for tests of what reads phase tables (classifyPhases,
// the phase diagram, its selections, the seed-robust rules): a healthy fit, connected cell
// (loss 0.01, accuracy 1, mc 0, CKA 0.9) on a width x batch_size grid, which each test bends
// into the phase it needs by overriding fields. The values are inputs, not expected results.

import type { PhaseRow } from 'weightlab/internal';

/** The cell (width, batchSize) of a width x batch_size grid, with `values` over the healthy defaults. */
export function phaseRow(width: number, batchSize: number, values: Partial<PhaseRow> = {}): PhaseRow {
  return {
    width,
    batch_size: batchSize,
    models: ['a', 'b'],
    train_loss: 0.01,
    train_acc: 1,
    test_loss: 0.2,
    test_acc: 0.95,
    hessian_top_ev: 2,
    hessian_trace: 10,
    log_hessian_top_ev: Math.log(2),
    log_hessian_trace: Math.log(10),
    curve_mc_train_error: 0,
    curve_mc_test_error: 0,
    curve_mc_train_loss: 0,
    linear_barrier_train_loss: 0.1,
    representation_similarity: 0.9,
    l2_distance: 10,
    nan: false,
    ...values,
  };
}
