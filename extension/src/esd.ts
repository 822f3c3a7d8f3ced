// The ESD view: the empirical spectral density of a layer on log-log axes (histogram on
// log-spaced bins, as a density so bins of different widths compare), the power-law tail
// fit p(λ) ∝ λ^-α drawn over [xmin, xmax], and the Marchenko-Pastur bulk as a band. Marks stay
// inside the plot frame (clipped), and a legend with a swatch per mark says what each one is.

import { esdLayerName, type EsdPayload } from 'weightlab/payloads';
import { formatValue, html, svg } from './dom';

const WIDTH = 520,
  HEIGHT = 340;
const MARGIN = { left: 58, right: 14, top: 14, bottom: 44 };
/** At most this many labelled decades per axis (grid lines stay at every decade). */
const MAX_DECADE_LABELS = 8;
const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  0: '⁰',
  1: '¹',
  2: '²',
  3: '³',
  4: '⁴',
  5: '⁵',
  6: '⁶',
  7: '⁷',
  8: '⁸',
  9: '⁹',
};

/** 10^e written as a power ('10⁻³'), the way log axes are read. */
export function powerOfTen(exponent: number): string {
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/** Distinct clip-path ids (several ESDs share one page). */
let clips = 0;

export interface EsdHistogram {
  /** Bin edges (bins + 1), log-spaced. */
  edges: number[];
  counts: number[];
  /** counts / (total · width): a density that integrates to the fraction of positive eigenvalues. */
  density: number[];
}

/** Histogram of the positive eigenvalues on `bins` log-spaced bins. */
export function logHistogram(eigenvalues: readonly number[], bins: number): EsdHistogram {
  const positive = eigenvalues.filter((v) => v > 0);
  const low = Math.log10(Math.min(...positive)),
    high = Math.log10(Math.max(...positive));
  const span = high - low || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => 10 ** (low + (span * i) / bins));
  const counts = new Array(bins).fill(0);
  for (const v of positive) counts[Math.min(bins - 1, Math.floor(((Math.log10(v) - low) / span) * bins))]++;
  const total = eigenvalues.length;
  const density = counts.map((count, i) => count / (total * (edges[i + 1] - edges[i])));
  return { edges, counts, density };
}

export class EsdView {
  readonly node: HTMLElement;

  constructor(payload: EsdPayload) {
    const tooltip = html('div', { className: 'wl-tooltip', attributes: { role: 'tooltip' } });
    tooltip.hidden = true;
    const figure = html('div', { className: 'wl-plot' });
    const fit = payload.fit;
    const legend = html('div', { className: 'wl-legend' });
    this.node = html(
      'div',
      {
        className: 'wl-esd',
        dataset: { weightlabEigenvalues: String(payload.eigenvalues.length), alpha: fit ? String(fit.alpha) : '' },
      },
      html(
        'div',
        { className: 'wl-title' },
        payload.title ? `${payload.title} — ${esdLayerName(payload.layer)}` : `ESD of ${esdLayerName(payload.layer)}`,
      ),
      figure,
      legend,
    );

    const histogram = logHistogram(
      payload.eigenvalues,
      Math.max(10, Math.min(60, Math.round(Math.sqrt(payload.eigenvalues.length) * 2))),
    );
    const positiveDensity = histogram.density.filter((d) => d > 0);
    const xLow = Math.log10(histogram.edges[0]),
      xHigh = Math.log10(histogram.edges[histogram.edges.length - 1]);
    const yLow = Math.floor(Math.log10(Math.min(...positiveDensity))),
      yHigh = Math.ceil(Math.log10(Math.max(...positiveDensity)));
    const plotWidth = WIDTH - MARGIN.left - MARGIN.right,
      plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
    const px = (v: number) => MARGIN.left + ((Math.log10(v) - xLow) / (xHigh - xLow || 1)) * plotWidth;
    const py = (d: number) => MARGIN.top + (1 - (Math.log10(d) - yLow) / (yHigh - yLow || 1)) * plotHeight;
    const root = svg('svg', {
      width: WIDTH,
      height: HEIGHT,
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      class: 'wl-svg',
      role: 'img',
      'aria-label': `ESD of ${esdLayerName(payload.layer)}`,
    });
    const clipId = `wl-esd-clip-${++clips}`;
    root.appendChild(
      svg(
        'defs',
        {},
        svg(
          'clipPath',
          { id: clipId },
          svg('rect', { x: MARGIN.left, y: MARGIN.top, width: plotWidth, height: plotHeight }),
        ),
      ),
    );
    // Bars, curves and the fit are drawn into this group, cut at the frame.
    const marks = svg('g', { 'clip-path': `url(#${clipId})`, class: 'wl-marks' });

    if (payload.marchenkoPastur && payload.marchenkoPastur.bulkMax > 0) {
      const low = Math.max(payload.marchenkoPastur.bulkMin, histogram.edges[0]);
      marks.appendChild(
        svg('rect', {
          x: px(low),
          y: MARGIN.top,
          width: Math.max(0, px(payload.marchenkoPastur.bulkMax) - px(low)),
          height: plotHeight,
          class: 'wl-mp-band',
        }),
      );
    }
    const curve = (payload.marchenkoPastur?.curve ?? []).filter(
      (p) =>
        p.x > 0 && p.density > 0 && p.x >= histogram.edges[0] && p.x <= histogram.edges[histogram.edges.length - 1],
    );
    let mpCurve: SVGElement | undefined;
    if (curve.length > 1) {
      const clampY = (d: number) => Math.max(MARGIN.top, Math.min(MARGIN.top + plotHeight, py(d)));
      mpCurve = svg('polyline', {
        points: curve.map((p) => `${px(p.x).toFixed(2)},${clampY(p.density).toFixed(2)}`).join(' '),
        class: 'wl-mp-curve',
      });
    }
    const xEvery = Math.ceil((Math.floor(xHigh) - Math.ceil(xLow) + 1) / MAX_DECADE_LABELS);
    for (let e = Math.ceil(xLow); e <= Math.floor(xHigh); e++) {
      root.appendChild(
        svg('line', {
          x1: px(10 ** e),
          x2: px(10 ** e),
          y1: MARGIN.top,
          y2: MARGIN.top + plotHeight,
          class: 'wl-grid',
        }),
      );
      if (e % xEvery === 0)
        root.appendChild(
          svg(
            'text',
            {
              x: px(10 ** e),
              y: HEIGHT - 26,
              'text-anchor': 'middle',
              class: 'wl-tick',
              'data-axis': 'x',
              'data-value': 10 ** e,
            },
            powerOfTen(e),
          ),
        );
    }
    const yEvery = Math.ceil((yHigh - yLow + 1) / MAX_DECADE_LABELS);
    for (let e = yLow; e <= yHigh; e++) {
      root.appendChild(
        svg('line', {
          x1: MARGIN.left,
          x2: MARGIN.left + plotWidth,
          y1: py(10 ** e),
          y2: py(10 ** e),
          class: 'wl-grid',
        }),
      );
      if (e % yEvery === 0)
        root.appendChild(
          svg(
            'text',
            {
              x: MARGIN.left - 6,
              y: py(10 ** e),
              'dominant-baseline': 'central',
              'text-anchor': 'end',
              class: 'wl-tick',
              'data-axis': 'y',
              'data-value': 10 ** e,
            },
            powerOfTen(e),
          ),
        );
    }
    root.appendChild(marks);
    histogram.density.forEach((density, i) => {
      if (density <= 0) return;
      const bar = svg('rect', {
        x: px(histogram.edges[i]),
        y: py(density),
        width: Math.max(1, px(histogram.edges[i + 1]) - px(histogram.edges[i]) - 0.5),
        height: MARGIN.top + plotHeight - py(density),
        class: 'wl-bar',
        'data-count': histogram.counts[i],
      });
      bar.addEventListener('pointerenter', (event) => {
        tooltip.replaceChildren(
          html(
            'div',
            { className: 'wl-tooltip-title' },
            `λ ∈ [${formatValue(histogram.edges[i])}, ${formatValue(histogram.edges[i + 1])})`,
          ),
          html('div', {}, `${histogram.counts[i]} eigenvalues, density ${formatValue(density)}`),
        );
        tooltip.hidden = false;
        const box = figure.getBoundingClientRect();
        tooltip.style.left = `${(event as PointerEvent).clientX - box.left + 12}px`;
        tooltip.style.top = `${(event as PointerEvent).clientY - box.top + 12}px`;
      });
      bar.addEventListener('pointerleave', () => {
        tooltip.hidden = true;
      });
      marks.appendChild(bar);
    });
    if (mpCurve) marks.appendChild(mpCurve);
    if (fit && fit.xmin > 0 && fit.alpha > 1) {
      // Tail density: the fraction of eigenvalues at or above xmin times the normalised
      // power law (α - 1)/xmin · (λ/xmin)^-α (Clauset et al. 2009, eq. 2.2).
      const tailFraction = payload.eigenvalues.filter((v) => v >= fit.xmin).length / payload.eigenvalues.length;
      const xmax = Math.min(fit.xmax, histogram.edges[histogram.edges.length - 1]);
      const points: string[] = [];
      for (let i = 0; i <= 40; i++) {
        const v = fit.xmin * (xmax / fit.xmin) ** (i / 40);
        const density = tailFraction * ((fit.alpha - 1) / fit.xmin) * (v / fit.xmin) ** -fit.alpha;
        if (density > 0) points.push(`${px(v).toFixed(2)},${py(density).toFixed(2)}`);
      }
      marks.appendChild(svg('polyline', { points: points.join(' '), class: 'wl-fit' }));
      marks.appendChild(
        svg('line', {
          x1: px(fit.xmin),
          x2: px(fit.xmin),
          y1: MARGIN.top,
          y2: MARGIN.top + plotHeight,
          class: 'wl-xmin',
        }),
      );
    }
    root.appendChild(
      svg('rect', {
        x: MARGIN.left + 0.5,
        y: MARGIN.top + 0.5,
        width: plotWidth - 1,
        height: plotHeight - 1,
        class: 'wl-frame',
      }),
    );
    root.appendChild(
      svg(
        'text',
        { x: MARGIN.left + plotWidth / 2, y: HEIGHT - 6, 'text-anchor': 'middle', class: 'wl-axis-label' },
        'eigenvalue λ (log)',
      ),
    );
    root.appendChild(
      svg(
        'text',
        {
          x: 12,
          y: MARGIN.top + plotHeight / 2,
          'text-anchor': 'middle',
          class: 'wl-axis-label',
          transform: `rotate(-90 12 ${MARGIN.top + plotHeight / 2})`,
        },
        'density (log)',
      ),
    );
    figure.append(root, tooltip);

    // One legend entry per mark drawn, each with a swatch in the mark's own style.
    const entry = (mark: string, swatchClass: string, ...text: string[]) =>
      html(
        'span',
        { className: 'wl-category', dataset: { mark } },
        svg(
          'svg',
          { width: 22, height: 12, class: 'wl-legend-swatch' },
          swatchClass === 'wl-bar' || swatchClass === 'wl-mp-band'
            ? svg('rect', { x: 4, y: 0, width: 14, height: 12, class: swatchClass })
            : svg('line', { x1: 1, x2: 21, y1: 6, y2: 6, class: swatchClass }),
        ),
        ...text,
      );
    const fitted = fit && fit.xmin > 0 && fit.alpha > 1;
    legend.append(
      ...[
        entry('histogram', 'wl-bar', `eigenvalues (${payload.eigenvalues.length})`),
        fitted
          ? entry(
              'fit',
              'wl-fit',
              `power law, α = ${formatValue(fit.alpha)}${fit.D !== undefined ? `, D = ${formatValue(fit.D)}` : ''}`,
            )
          : null,
        fitted ? entry('xmin', 'wl-xmin', `λmin = ${formatValue(fit.xmin)}`) : null,
        payload.marchenkoPastur && payload.marchenkoPastur.bulkMax > 0
          ? entry('mp-bulk', 'wl-mp-band', 'Marchenko-Pastur bulk')
          : null,
        mpCurve ? entry('mp-curve', 'wl-mp-curve', 'Marchenko-Pastur density') : null,
        fit?.warning ? html('span', { className: 'wl-warning', dataset: { role: 'warning' } }, fit.warning) : null,
        fitted
          ? null
          : html(
              'span',
              { className: 'wl-hint' },
              fit
                ? `power law α = ${formatValue(fit.alpha)} (not drawn: needs α > 1 and λmin > 0)`
                : 'no power-law fit',
            ),
      ].filter((element): element is HTMLElement => element !== null),
    );
  }
}
