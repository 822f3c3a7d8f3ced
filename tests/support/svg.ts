// Reading a chart back from the SVG vega renders headless: the text it shows (titles, axis
// titles, legend entries) and where its lines run, so tests check the picture, not the spec.

/**
 * Every line of text of a rendered SVG: vega writes one <text> per title, label and legend entry,
 * and a <tspan> per line of a multi-line one (a subtitle given as lines); hidden tick labels are
 * empty, self-closed <text/> elements.
 */
export function svgTexts(svg: string): string[] {
  const unescape = (text: string) =>
    text
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return [...svg.matchAll(/<text\b[^>]*[^/>]>(.*?)<\/text>/g)].flatMap((match) => {
    const lines = [...match[1].matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((line) => line[1]);
    return (lines.length ? lines : [match[1]]).map(unescape);
  });
}

/** The vertices of every line mark ('M x,y L x,y ...', frame coordinates) of a rendered SVG. */
export function linePoints(svg: string): [number, number][][] {
  return [...svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*>((?:<path[^>]*\/>)*)<\/g>/g)].flatMap((group) =>
    [...group[1].matchAll(/ d="([^"]*)"/g)].map((path) =>
      [...path[1].matchAll(/[ML](-?[\d.e+-]+),(-?[\d.e+-]+)/g)].map(
        (m) => [Number(m[1]), Number(m[2])] as [number, number],
      ),
    ),
  );
}
