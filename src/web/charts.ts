// Charts drawn on the server as inline SVG: no script, nothing from elsewhere, and no style
// attribute (the pages' CSP allows style only from the stylesheet): colours are SVG presentation
// attributes. Each chart is an image with a title and a description; the same figures are in a
// table beside it, so nothing is only in the picture.
import { html } from 'hono/html';
import type { Html } from './layout.ts';

export interface Series {
  name: string;
  fill: string;
}

export interface ChartRow {
  label: string;
  /** One value per series; null: nothing to show. */
  values: (number | null)[];
}

export interface ChartInput {
  id: string;
  title: string;
  description: string;
  series: Series[];
  rows: ChartRow[];
  /** Formats a value for its label (e.g. "6 d"). */
  format: (value: number) => string;
  /** Bars side by side per row (grouped), or one bar of segments (stacked). */
  kind: 'grouped' | 'stacked';
}

const LABEL_W = 230;
const BAR_W = 400;
const VALUE_W = 70;
const BAR_H = 16;
const GAP = 10;
const LEGEND_H = 28;

/** A horizontal bar chart: grouped (one bar per series) or stacked (one bar, one segment per series). */
export function barChart(input: ChartInput): Html {
  const { rows, series } = input;
  const barsPerRow = input.kind === 'grouped' ? series.length : 1;
  const rowH = barsPerRow * BAR_H + GAP;
  const height = LEGEND_H + Math.max(1, rows.length) * rowH + GAP;
  const width = LABEL_W + BAR_W + VALUE_W;
  const totals = rows.map((r) => (input.kind === 'grouped' ? Math.max(0, ...r.values.map((v) => v ?? 0)) : r.values.reduce<number>((a, v) => a + (v ?? 0), 0)));
  const max = Math.max(1e-9, ...totals);
  const scale = (v: number) => (v / max) * BAR_W;
  const titleId = `${input.id}-title`;
  const descId = `${input.id}-desc`;
  const legend = series.map(
    (s, i) =>
      html`<g transform="translate(${10 + i * 150},6)"><rect width="14" height="14" fill="${s.fill}"></rect><text x="20" y="12" font-size="13">${s.name}</text></g>`,
  );
  const bars = rows.map((row, i) => {
    const y = LEGEND_H + i * rowH;
    const label = html`<text x="${LABEL_W - 8}" y="${y + (barsPerRow * BAR_H) / 2 + 5}" text-anchor="end" font-size="13">${clip(row.label, 32)}</text>`;
    if (input.kind === 'grouped') {
      return html`${label}${row.values.map((v, j) =>
        v === null
          ? html`<text x="${LABEL_W + 4}" y="${y + j * BAR_H + 12}" font-size="12" fill="#4a4a4a">—</text>`
          : html`<rect x="${LABEL_W}" y="${y + j * BAR_H}" width="${scale(v).toFixed(1)}" height="${BAR_H - 2}" fill="${series[j].fill}"><title>${series[j].name}: ${input.format(v)}</title></rect>
<text x="${(LABEL_W + scale(v) + 4).toFixed(1)}" y="${y + j * BAR_H + 12}" font-size="12">${input.format(v)}</text>`,
      )}`;
    }
    let x = LABEL_W;
    const segments = row.values.map((v, j) => {
      if (!v) return '';
      const w = scale(v);
      const rect = html`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H - 2}" fill="${series[j].fill}"><title>${series[j].name}: ${input.format(v)}</title></rect>`;
      x += w;
      return rect;
    });
    return html`${label}${segments}<text x="${(x + 4).toFixed(1)}" y="${y + 12}" font-size="12">${input.format(totals[i])}</text>`;
  });
  return html`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${titleId} ${descId}" font-family="system-ui, sans-serif">
<title id="${titleId}">${input.title}</title>
<desc id="${descId}">${input.description}</desc>
${legend}
<line x1="${LABEL_W}" y1="${LEGEND_H - 4}" x2="${LABEL_W}" y2="${height - GAP / 2}" stroke="#4a4a4a"></line>
${bars}
</svg>`;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
