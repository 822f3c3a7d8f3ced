// Widgets: @jupyter-widgets models driven from the kernel (controls, the Output area, a box)
// and interact(), which re-runs a function as its controls move.
export * from './models';
export * from './interact';
