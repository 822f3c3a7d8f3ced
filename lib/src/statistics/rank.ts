// Ranks with ties averaged: the first step of every rank statistic here (Spearman's and partial
// Spearman's correlation, the Wilcoxon signed-rank test). Ties are common in notebook data
// (accuracies on a fixed test set are multiples of 1/size), and averaging keeps the statistic
// symmetric. Same convention as scipy.stats.rankdata(method='average') and R's rank().

import { checkSample, type Sample } from './samples';

/**
 * The 1-based ranks of `values`, tied values sharing the mean of the ranks they span
 * (rank([10, 20, 20, 5]) = [2, 3.5, 3.5, 1]).
 */
export function rank(values: Sample): Float64Array {
  return averageRanks(checkSample(values, 'values', 0, 'rank'));
}

/** rank() of a sample already checked. */
export function averageRanks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((i, j) => values[i] - values[j]);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    // Positions start..end hold one value: each gets the mean of the 1-based ranks start+1..end+1.
    const shared = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]] = shared;
    start = end + 1;
  }
  return ranks;
}

/** The sizes of the groups of tied values (only groups of two or more), for tie corrections. */
export function tieGroupSizes(values: Float64Array): number[] {
  const sorted = Float64Array.from(values).sort();
  const sizes: number[] = [];
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[start]) end++;
    if (end > start) sizes.push(end - start + 1);
    start = end + 1;
  }
  return sizes;
}
