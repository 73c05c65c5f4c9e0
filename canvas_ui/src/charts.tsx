// Small SVG charts: a time-series line chart for status history and a sparkline for queues.

export interface Point {
  t: number;
  v: number;
}

export function Sparkline({ values, width = 120, height = 18 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) return <svg className="sparkline" width={width} height={height} aria-hidden />;
  const max = Math.max(1, ...values);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`);
  return (
    <svg className="sparkline" width={width} height={height} data-testid="sparkline" data-points={values.length}>
      <polyline points={points.join(" ")} fill="none" />
    </svg>
  );
}

const W = 320;
const H = 96;
const PAD = { left: 44, right: 8, top: 8, bottom: 16 };

function clock(t: number, withDay: boolean): string {
  const d = new Date(t);
  return withDay
    ? d.toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" })
    : d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

/** A line over [from, to]; the y axis starts at 0 and ends at the largest value. */
export function LineChart({
  title,
  points,
  from,
  to,
  format,
  field,
}: {
  title: string;
  points: Point[];
  from: number;
  to: number;
  format: (v: number) => string;
  field: string;
}) {
  const max = Math.max(1, ...points.map((p) => p.v));
  const x = (t: number) => PAD.left + ((t - from) / Math.max(1, to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
  const first = points[0];
  const last = points[points.length - 1];
  const area = first && last ? `${x(first.t)},${y(0)} ${line} ${x(last.t)},${y(0)}` : "";
  const withDay = to - from > 6 * 3_600_000;
  return (
    <figure className="chart" data-testid="chart" data-field={field} data-points={points.length}>
      <figcaption>
        <span>{title}</span>
        <span className="chart-now">{last ? format(last.v) : "—"}</span>
      </figcaption>
      <svg width={W} height={H} role="img" aria-label={`${title}: ${points.length} points`}>
        <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
        <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={y(max)} y2={y(max)} />
        <text className="tick" x={PAD.left - 4} y={y(max) + 4} textAnchor="end">
          {format(max)}
        </text>
        <text className="tick" x={PAD.left - 4} y={y(0)} textAnchor="end">
          0
        </text>
        <text className="tick" x={PAD.left} y={H - 2}>
          {clock(from, withDay)}
        </text>
        <text className="tick" x={W - PAD.right} y={H - 2} textAnchor="end">
          {clock(to, withDay)}
        </text>
        {points.length > 1 && <polygon className="area" points={area} />}
        {points.length > 1 && <polyline className="line" points={line} />}
        {points.map((p) => (
          <circle key={p.t} className="dot" cx={x(p.t)} cy={y(p.v)} r={points.length > 60 ? 0 : 2}>
            <title>{`${new Date(p.t).toLocaleString()}: ${format(p.v)}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  );
}
