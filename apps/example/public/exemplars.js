// Exemplar marks for the latency chart: a diamond at each exemplar's time and value
// (a recorded latency with the sampled trace that made it); clicking one opens that
// trace. Drawn on the canvas, so exemplar data cannot inject markup.

const COLOR = '#e0e6ef';
const RADIUS = 5;
/** How far from a mark (CSS px) a click still picks it. */
const HIT = 9;

/**
 * A uPlot plugin. `getExemplars()` returns `[{traceId, spanId, value, timestamp}]`;
 * `onDrawn(count)` learns how many marks fell inside the visible range; `onPick(exemplar)`
 * runs when a mark is clicked. The drawn marks' positions (CSS px within the plot area) are
 * kept on the plot's overlay as `data-exemplar-marks`, for tests and tooling.
 */
export function exemplarMarksPlugin(getExemplars, onDrawn = () => {}, onPick = () => {}) {
  let drawn = [];
  const nearest = (u, event) => {
    const rect = u.over.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    let best;
    let bestDistance = HIT;
    for (const mark of drawn) {
      const d = Math.hypot(mark.x - x, mark.y - y);
      if (d <= bestDistance) {
        best = mark;
        bestDistance = d;
      }
    }
    return best;
  };
  return {
    hooks: {
      ready: [
        (u) => {
          u.over.addEventListener('click', (event) => {
            const mark = nearest(u, event);
            if (mark) onPick(mark.exemplar);
          });
          u.over.addEventListener('mousemove', (event) => {
            const mark = nearest(u, event);
            u.over.style.cursor = mark ? 'pointer' : '';
            u.over.title = mark ? `exemplar: ${mark.exemplar.value.toFixed(1)} ms, trace ${mark.exemplar.traceId}` : '';
          });
        },
      ],
      draw: [
        (u) => {
          const exemplars = getExemplars() ?? [];
          const [xMin, xMax] = [u.scales.x.min, u.scales.x.max];
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          const ratio = typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1;
          const r = RADIUS * ratio;
          drawn = [];
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          ctx.fillStyle = COLOR;
          ctx.strokeStyle = '#101722';
          ctx.lineWidth = 1;
          for (const ex of exemplars) {
            if (!ex || typeof ex.traceId !== 'string' || typeof ex.value !== 'number' || !Number.isFinite(ex.value))
              continue;
            const t = ex.timestamp / 1000;
            if (!(t >= xMin && t <= xMax)) continue;
            const x = u.valToPos(t, 'x', true);
            // Values above the visible range sit on its top edge.
            const y = Math.min(top + height - r, Math.max(top + r, u.valToPos(ex.value, 'y', true)));
            ctx.beginPath();
            ctx.moveTo(x, y - r);
            ctx.lineTo(x + r, y);
            ctx.lineTo(x, y + r);
            ctx.lineTo(x - r, y);
            ctx.closePath();
            ctx.fill();
            ctx.stroke();
            drawn.push({ x: (x - left) / ratio, y: (y - top) / ratio, exemplar: ex });
          }
          ctx.restore();
          u.over.dataset.exemplarMarks = JSON.stringify(
            drawn.map((m) => ({ x: m.x, y: m.y, traceId: m.exemplar.traceId })),
          );
          onDrawn(drawn.length);
        },
      ],
    },
  };
}

/** The dashboard's exemplars, those with a W3C trace id. */
export function exemplarsOf(data) {
  const list = Array.isArray(data?.exemplars) ? data.exemplars : [];
  return list.filter(
    (e) => e && typeof e.traceId === 'string' && /^[0-9a-f]{32}$/.test(e.traceId) && typeof e.timestamp === 'number',
  );
}
