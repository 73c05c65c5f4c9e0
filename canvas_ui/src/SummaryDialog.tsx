// The summary: every processor and connection of the flow (all groups) in sortable tables, with
// live numbers from the status stream. Connections open sorted by queue depth.

import { useContext, useEffect, useMemo, useReducer, useState } from "react";
import { Dialog } from "./Dialog";
import { formatCount, formatSize, shortType } from "./format";
import { LiveContext } from "./live";
import type { StatusTarget } from "./StatusPanel";
import { fetchSummary, type ConnectionRow, type FlowSummary, type ProcessorRow } from "./summary";

interface Sort {
  key: string;
  descending: boolean;
}

interface Column<T> {
  key: string;
  title: string;
  value: (row: T) => number | string;
  show?: (row: T) => string;
  numeric?: boolean;
}

const PROCESSOR_COLUMNS: Column<ProcessorRow>[] = [
  { key: "name", title: "Name", value: (r) => r.name },
  { key: "type", title: "Type", value: (r) => shortType(r.type) },
  { key: "group", title: "Group", value: (r) => r.groupName },
  { key: "runStatus", title: "Run status", value: (r) => r.runStatus },
  { key: "in", title: "In (5 min)", value: (r) => r.flowFilesIn, show: (r) => `${formatCount(r.flowFilesIn)} (${formatSize(r.bytesIn)})`, numeric: true },
  { key: "out", title: "Out (5 min)", value: (r) => r.flowFilesOut, show: (r) => `${formatCount(r.flowFilesOut)} (${formatSize(r.bytesOut)})`, numeric: true },
  { key: "tasks", title: "Tasks (5 min)", value: (r) => r.taskCount, show: (r) => formatCount(r.taskCount), numeric: true },
  { key: "threads", title: "Threads", value: (r) => r.activeThreadCount, numeric: true },
];

const CONNECTION_COLUMNS: Column<ConnectionRow>[] = [
  { key: "name", title: "Name", value: (r) => r.name },
  { key: "source", title: "From", value: (r) => r.sourceName },
  { key: "destination", title: "To", value: (r) => r.destinationName },
  { key: "group", title: "Group", value: (r) => r.groupName },
  { key: "queued", title: "Queued", value: (r) => r.flowFilesQueued, show: (r) => formatCount(r.flowFilesQueued), numeric: true },
  { key: "bytes", title: "Queued size", value: (r) => r.bytesQueued, show: (r) => formatSize(r.bytesQueued), numeric: true },
  { key: "fill", title: "Back pressure", value: (r) => Math.max(r.percentUseCount, r.percentUseBytes), show: (r) => `${Math.max(r.percentUseCount, r.percentUseBytes)}%`, numeric: true },
];

function SortableTable<T extends { id: string }>({
  rows,
  columns,
  sort,
  setSort,
  onOpen,
  testId,
}: {
  rows: T[];
  columns: Column<T>[];
  sort: Sort;
  setSort: (update: (s: Sort) => Sort) => void;
  onOpen: (row: T) => void;
  testId: string;
}) {
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort.key) ?? columns[0];
    if (!column) return rows;
    const out = [...rows].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      return typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    });
    return sort.descending ? out.reverse() : out;
  }, [rows, columns, sort]);
  return (
    <table className="listing summary" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th
              key={c.key}
              className={`sortable ${c.numeric ? "numeric" : ""}`}
              onClick={() => setSort((s) => ({ key: c.key, descending: s.key === c.key ? !s.descending : !!c.numeric }))}
              aria-sort={sort.key === c.key ? (sort.descending ? "descending" : "ascending") : "none"}
            >
              {c.title} {sort.key === c.key ? (sort.descending ? "▼" : "▲") : ""}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={row.id} className="clickable" onClick={() => onOpen(row)} data-testid="summary-row" title="Show status history">
            {columns.map((c) => (
              <td key={c.key} className={c.numeric ? "numeric" : ""}>
                {c.show ? c.show(row) : c.value(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SummaryDialog({ onClose, onHistory }: { onClose: () => void; onHistory: (target: StatusTarget) => void }) {
  const store = useContext(LiveContext);
  const [summary, setSummary] = useState<FlowSummary | null>(null);
  const [tab, setTab] = useState<"processors" | "connections">("connections");
  const [error, setError] = useState<string | null>(null);
  const [tick, ticked] = useReducer((n: number) => n + 1, 0);
  // kept here, not in the tables, so a sort survives switching tabs
  const [connectionSort, setConnectionSort] = useState<Sort>({ key: "queued", descending: true });
  const [processorSort, setProcessorSort] = useState<Sort>({ key: "name", descending: false });

  useEffect(() => {
    fetchSummary()
      .then(setSummary)
      .catch((err: Error) => setError(err.message));
    const timer = window.setInterval(ticked, 1000);
    return () => window.clearInterval(timer);
  }, []);

  // The tables show the status stream's numbers; the REST summary gives names and the membership.
  const live = useMemo(() => {
    if (!summary) return null;
    const records = store.all();
    return {
      processors: summary.processors.map((p) => ({ ...p, ...pick(records[p.id], ["runStatus", "flowFilesIn", "bytesIn", "flowFilesOut", "bytesOut", "taskCount", "activeThreadCount"]) })),
      connections: summary.connections.map((c) => ({ ...c, ...pick(records[c.id], ["flowFilesQueued", "bytesQueued", "percentUseCount", "percentUseBytes"]) })),
    };
  }, [summary, store, tick]);

  return (
    <Dialog title="Summary" onClose={onClose} wide extraWide>
      <div className="tabs">
        <button className={tab === "connections" ? "tab active" : "tab"} onClick={() => setTab("connections")}>
          Connections {summary ? `(${summary.connections.length})` : ""}
        </button>
        <button className={tab === "processors" ? "tab active" : "tab"} onClick={() => setTab("processors")}>
          Processors {summary ? `(${summary.processors.length})` : ""}
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      {!live && !error && <div className="hint">Loading…</div>}
      {live && tab === "connections" && (
        <SortableTable
          rows={live.connections}
          columns={CONNECTION_COLUMNS}
          sort={connectionSort}
          setSort={setConnectionSort}
          onOpen={(r) => onHistory({ kind: "CONNECTION", id: r.id, name: `${r.sourceName} → ${r.destinationName}` })}
          testId="summary-connections"
        />
      )}
      {live && tab === "processors" && (
        <SortableTable
          rows={live.processors}
          columns={PROCESSOR_COLUMNS}
          sort={processorSort}
          setSort={setProcessorSort}
          onOpen={(r) => onHistory({ kind: "PROCESSOR", id: r.id, name: r.name })}
          testId="summary-processors"
        />
      )}
    </Dialog>
  );
}

function pick<T extends object>(record: T | undefined, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  if (!record) return out;
  for (const k of keys) if (record[k] !== undefined) out[k] = record[k];
  return out;
}
