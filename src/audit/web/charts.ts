/** Small server-drawn SVG charts (no script): a line chart of rates over time and a horizontal bar chart. */
import { esc } from './html';

const PALETTE = ['#0b5cad', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#1098ad', '#5c940d', '#e67700'];

export interface Series {
  name: string;
  points: { x: string; y: number }[];
}

/** Lines over categorical x values (periods), y from 0 to `yMax`. */
export function lineChart(series: Series[], o: { title: string; yMax: number; yFormat: (v: number) => string; id: string }): string {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort();
  const W = 760;
  const H = 280;
  const L = 48;
  const R = 150;
  const T = 14;
  const B = 40;
  const pw = W - L - R;
  const ph = H - T - B;
  const xAt = (x: string) => L + (xs.length <= 1 ? pw / 2 : (xs.indexOf(x) / (xs.length - 1)) * pw);
  const yAt = (y: number) => T + ph - (Math.min(y, o.yMax) / (o.yMax || 1)) * ph;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (o.yMax * i) / 4;
    parts.push(`<line x1="${L}" x2="${L + pw}" y1="${yAt(v)}" y2="${yAt(v)}" stroke="#d0d7de"/><text x="${L - 6}" y="${yAt(v) + 4}" text-anchor="end">${esc(o.yFormat(v))}</text>`);
  }
  const step = Math.max(1, Math.ceil(xs.length / 8));
  xs.forEach((x, i) => {
    if (i % step === 0 || i === xs.length - 1) parts.push(`<text x="${xAt(x)}" y="${H - B + 16}" text-anchor="middle">${esc(x)}</text>`);
  });
  series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const pts = s.points.slice().sort((a, b) => a.x.localeCompare(b.x));
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((p) => `${xAt(p.x).toFixed(1)},${yAt(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${xAt(p.x).toFixed(1)}" cy="${yAt(p.y).toFixed(1)}" r="3" fill="${c}"><title>${esc(`${s.name} ${p.x}: ${o.yFormat(p.y)}`)}</title></circle>`);
    parts.push(`<rect x="${L + pw + 16}" y="${T + i * 18}" width="12" height="12" fill="${c}"/><text x="${L + pw + 34}" y="${T + i * 18 + 10}">${esc(s.name)}</text>`);
  });
  return `<svg class="chart" id="${esc(o.id)}" role="img" aria-labelledby="${esc(o.id)}-t" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px"><title id="${esc(o.id)}-t">${esc(o.title)}</title>${parts.join('')}</svg>`;
}

export function barChart(bars: { label: string; value: number; note?: string }[], o: { title: string; id: string; format: (v: number) => string }): string {
  const W = 760;
  const rowH = 22;
  const L = 220;
  const R = 90;
  const H = Math.max(1, bars.length) * rowH + 10;
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const parts = bars.map((b, i) => {
    const w = ((W - L - R) * b.value) / max;
    const y = 5 + i * rowH;
    return `<text x="${L - 8}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text><rect x="${L}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${PALETTE[0]}"><title>${esc(`${b.label}: ${o.format(b.value)}${b.note ? ` (${b.note})` : ''}`)}</title></rect><text x="${L + w + 6}" y="${y + 14}">${esc(o.format(b.value))}</text>`;
  });
  return `<svg class="chart" id="${esc(o.id)}" role="img" aria-labelledby="${esc(o.id)}-t" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px"><title id="${esc(o.id)}-t">${esc(o.title)}</title>${parts.join('')}</svg>`;
}
