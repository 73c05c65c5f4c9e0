// A component's status history (one point a minute, kept a day) as small charts in a side panel,
// with the live value as the newest point.

import { useEffect, useState } from "react";
import { getJson } from "./api";
import { LineChart, type Point } from "./charts";
import { formatCount, formatSize } from "./format";
import { useLiveRecord } from "./live";
import type { LiveRecord } from "./types";

export interface StatusTarget {
  kind: "PROCESSOR" | "CONNECTION";
  id: string;
  name: string;
}

interface History {
  statusHistory: { aggregateSnapshots: { timestamp: number; statusMetrics: Record<string, number> }[] };
}

interface Series {
  field: string;
  title: string;
  format: (v: number) => string;
  live?: (r: LiveRecord) => number | undefined;
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

const SERIES: Record<StatusTarget["kind"], Series[]> = {
  PROCESSOR: [
    { field: "inputCount", title: "FlowFiles in (5 min)", format: formatCount, live: (r) => r.flowFilesIn },
    { field: "outputCount", title: "FlowFiles out (5 min)", format: formatCount, live: (r) => r.flowFilesOut },
    { field: "taskMillis", title: "Task time (5 min)", format: duration },
    { field: "taskCount", title: "Tasks (5 min)", format: formatCount, live: (r) => r.taskCount },
  ],
  CONNECTION: [
    { field: "queuedCount", title: "Queued FlowFiles", format: formatCount, live: (r) => r.flowFilesQueued },
    { field: "queuedBytes", title: "Queued size", format: formatSize, live: (r) => r.bytesQueued },
  ],
};

const RANGES = { hour: 3_600_000, day: 86_400_000 } as const;
const REFRESH_MS = 30_000;

export function StatusPanel({ target, onClose }: { target: StatusTarget; onClose: () => void }) {
  const [history, setHistory] = useState<History | null>(null);
  const [range, setRange] = useState<keyof typeof RANGES>("hour");
  const [error, setError] = useState<string | null>(null);
  const live = useLiveRecord(target.id);

  useEffect(() => {
    const path = target.kind === "PROCESSOR" ? "processors" : "connections";
    let stopped = false;
    const load = () =>
      getJson<History>(`/flow/${path}/${target.id}/status/history`)
        .then((h) => !stopped && (setHistory(h), setError(null)))
        .catch((err: Error) => !stopped && setError(err.message));
    setHistory(null);
    void load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [target.kind, target.id]);

  const now = Date.now();
  const from = now - RANGES[range];
  const snapshots = (history?.statusHistory.aggregateSnapshots ?? []).filter((s) => s.timestamp >= from);

  return (
    <aside className="side-panel" data-testid="status-panel" aria-label="Status history">
      <div className="side-panel-header">
        <div>
          <div className="side-panel-kind">{target.kind === "PROCESSOR" ? "Processor" : "Connection"} status history</div>
          <div className="side-panel-name">{target.name}</div>
        </div>
        <button className="icon-button" onClick={onClose} aria-label="Close status history">
          ✕
        </button>
      </div>
      <div className="segmented">
        {(Object.keys(RANGES) as (keyof typeof RANGES)[]).map((r) => (
          <button key={r} className={r === range ? "active" : ""} onClick={() => setRange(r)}>
            Last {r}
          </button>
        ))}
      </div>
      {error && <div className="error">{error}</div>}
      {!history && !error && <div className="hint">Loading…</div>}
      {history &&
        SERIES[target.kind].map((s) => {
          const points: Point[] = snapshots.map((snap) => ({ t: snap.timestamp, v: snap.statusMetrics[s.field] ?? 0 }));
          const current = live && s.live ? s.live(live) : undefined;
          if (current !== undefined) points.push({ t: now, v: current });
          return <LineChart key={s.field} field={s.field} title={s.title} points={points} from={from} to={now} format={s.format} />;
        })}
      {history && snapshots.length === 0 && (
        <div className="hint">A point is recorded each minute; the charts fill as the flow runs.</div>
      )}
    </aside>
  );
}
