// The paid amount (bars, left axis) and the number of orders first seen (line, right axis) per hour or
// per day, as plain SVG: a few hundred bars at most, so no charting library is needed.
import { h, svg } from './dom.js';
import { beijingDate, beijingHourLabel, count as formatCount, money } from './format.js';

const WIDTH = 1000;
const HEIGHT = 200;
const MARGIN = { top: 14, right: 44, bottom: 26, left: 72 };

/**
 * `points`: [{ start, count, paidCents }] from the series API (start = the bucket's UTC start);
 * `starts`: every bucket of the range (ms), so empty hours show as gaps rather than vanish.
 */
export function paidChart(t, points, starts, bucket) {
  const byStart = new Map(points.map((p) => [Date.parse(p.start), p]));
  const bars = starts.map((start) => {
    const p = byStart.get(start);
    return { start, count: p ? Number(p.count) : 0, paidCents: p ? Number(p.paidCents) : 0 };
  });
  const maxCents = Math.max(0, ...bars.map((b) => b.paidCents));
  const maxCount = Math.max(0, ...bars.map((b) => b.count));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const step = plotW / Math.max(1, bars.length);
  const label = (start) => (bucket === 'day' ? beijingDate(start) : beijingHourLabel(start));
  const y = (value, max) => MARGIN.top + plotH - (max === 0 ? 0 : (value / max) * plotH);

  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart',
    role: 'img',
    'aria-label': t('chart.title'),
    'data-buckets': bars.length,
    'data-paid-cents': bars.reduce((sum, b) => sum + b.paidCents, 0),
    'data-count': bars.reduce((sum, b) => sum + b.count, 0),
  });

  chart.append(
    svg('line', { class: 'axis', x1: MARGIN.left, x2: MARGIN.left + plotW, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH }),
    svg('text', { class: 'axis-label', x: MARGIN.left - 6, y: MARGIN.top + 4, 'text-anchor': 'end' }, money(maxCents)),
    svg('text', { class: 'axis-label', x: MARGIN.left - 6, y: MARGIN.top + plotH, 'text-anchor': 'end' }, '0'),
    svg('text', { class: 'axis-label count', x: MARGIN.left + plotW + 6, y: MARGIN.top + 4 }, formatCount(maxCount)),
    svg('text', { class: 'axis-label count', x: MARGIN.left + plotW + 6, y: MARGIN.top + plotH }, '0'),
  );

  bars.forEach((b, i) => {
    const top = y(b.paidCents, maxCents);
    const bar = svg(
      'rect',
      { class: 'bar', x: MARGIN.left + i * step + step * 0.1, y: top, width: Math.max(1, step * 0.8), height: MARGIN.top + plotH - top },
      svg('title', {}, t('chart.point', { time: label(b.start), amount: money(b.paidCents), count: b.count })),
    );
    chart.append(bar);
  });

  if (bars.length > 0) {
    const line = bars.map((b, i) => `${(MARGIN.left + (i + 0.5) * step).toFixed(1)},${y(b.count, maxCount).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { class: 'count-line', points: line }));
    const ticks = bars.length === 1 ? [0] : [0, Math.floor((bars.length - 1) / 2), bars.length - 1];
    for (const i of new Set(ticks)) {
      const anchor = i === 0 ? 'start' : i === bars.length - 1 ? 'end' : 'middle';
      const x = i === 0 ? MARGIN.left : i === bars.length - 1 ? MARGIN.left + plotW : MARGIN.left + (i + 0.5) * step;
      chart.append(svg('text', { class: 'axis-label', x, y: HEIGHT - 6, 'text-anchor': anchor }, label(bars[i].start)));
    }
  }
  return chart;
}

/** What the bars and the line mean. */
export function chartLegend(t) {
  return h('p', { class: 'legend' }, h('span', { class: 'key bar' }), ` ${t('chart.amount')}   `, h('span', { class: 'key line' }), ` ${t('chart.count')}`);
}
