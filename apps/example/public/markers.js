// Anomaly markers for uPlot charts: a dashed line at each anomaly's time, a
// hollow dot at the value that was expected and a filled one at the value seen.
// Drawn on the canvas (no HTML), so anomaly data cannot inject markup.

const COLORS = { spike: '#ef5350', drop: '#4fc3f7', trend: '#f0b429', seasonality: '#b388ff', outlier: '#ff8a65' };

/**
 * A uPlot plugin. `getMarkers()` returns `[{ts (ms), expected, actual, type}]`;
 * `onDrawn(count)` learns how many markers fell inside the visible range.
 */
export function anomalyMarkersPlugin(getMarkers, onDrawn = () => {}) {
  return {
    hooks: {
      draw: [
        (u) => {
          const markers = getMarkers() ?? [];
          const [xMin, xMax] = [u.scales.x.min, u.scales.x.max];
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          let drawn = 0;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          for (const m of markers) {
            const t = m.ts / 1000;
            if (!(t >= xMin && t <= xMax)) continue;
            const x = u.valToPos(t, 'x', true);
            const color = COLORS[m.type] ?? '#ef5350';
            ctx.strokeStyle = color;
            ctx.fillStyle = color;
            ctx.lineWidth = 1;
            ctx.setLineDash([4, 4]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.setLineDash([]);
            const dot = (value, filled) => {
              if (typeof value !== 'number' || !Number.isFinite(value)) return;
              const y = Math.min(top + height - 4, Math.max(top + 4, u.valToPos(value, 'y', true)));
              ctx.beginPath();
              ctx.arc(x, y, 4, 0, 2 * Math.PI);
              if (filled) ctx.fill();
              else ctx.stroke();
            };
            dot(m.expected, false);
            dot(m.actual, true);
            drawn++;
          }
          ctx.restore();
          onDrawn(drawn);
        },
      ],
    },
  };
}

/** Dashboard anomalies of one metric as markers. */
export function markersFor(anomalies, metricName) {
  return anomalies
    .filter((a) => a && a.metricName === metricName && typeof a.timestamp === 'number')
    .map((a) => ({ ts: a.timestamp, expected: a.expectedValue, actual: a.actualValue, type: a.anomalyType }));
}
