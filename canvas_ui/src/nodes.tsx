// The canvas's components drawn as NiFi draws them: processor boxes with 5-minute stats,
// group boxes with component counts, ports, funnels and labels.

import { Handle, Position, useStore, type Node, type NodeProps } from "@xyflow/react";
import { countAndSize, formatCount, formatSize, shortType } from "./format";
import { useLiveRecord } from "./live";
import { placementBadge } from "./placement";
import type { FunnelEntity, LabelEntity, PortEntity, ProcessGroupEntity, ProcessorEntity } from "./types";

export type ProcessorNodeType = Node<{ entity: ProcessorEntity }, "processor">;
export type GroupNodeType = Node<{ entity: ProcessGroupEntity }, "processGroup">;
export type PortNodeType = Node<{ entity: PortEntity; direction: "input" | "output" }, "port">;
export type FunnelNodeType = Node<{ entity: FunnelEntity }, "funnel">;
export type LabelNodeType = Node<{ entity: LabelEntity }, "label">;
export type CanvasNode = ProcessorNodeType | GroupNodeType | PortNodeType | FunnelNodeType | LabelNodeType;

const RUN_STATE: Record<string, { icon: string; className: string }> = {
  Running: { icon: "▶", className: "running" },
  Stopped: { icon: "■", className: "stopped" },
  Invalid: { icon: "⚠", className: "invalid" },
  Disabled: { icon: "⊘", className: "disabled" },
  Validating: { icon: "…", className: "validating" },
};

export function RunStateIcon({ status, title }: { status: string; title?: string }) {
  const state = RUN_STATE[status] ?? { icon: "?", className: "unknown" };
  return (
    <span className={`run-state ${state.className}`} title={title ?? status} data-testid="run-state" data-state={status}>
      {state.icon}
    </span>
  );
}

function StatRow({ label, value, window }: { label: string; value: string; window?: boolean }) {
  return (
    <div className="stat-row">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {window && <span className="stat-window">5 min</span>}
    </div>
  );
}

/** Below this zoom the stat rows are unreadable; boxes draw only their name and state (as NiFi does). */
const DETAIL_ZOOM = 0.45;

function useDetailed(): boolean {
  return useStore((s) => s.transform[2] >= DETAIL_ZOOM);
}

export function ProcessorNode({ id, data, selected }: NodeProps<ProcessorNodeType>) {
  const live = useLiveRecord(id);
  const detailed = useDetailed();
  const { component, status } = data.entity;
  const snap = status.aggregateSnapshot;
  const runStatus = live?.runStatus ?? status.runStatus;
  const errors = component.validationErrors ?? [];
  const threads = live?.activeThreadCount ?? snap.activeThreadCount;
  const bulletins = live?.bulletins ?? data.entity.bulletins.length;
  const placement = placementBadge(data.entity);
  return (
    <div className={`processor-node ${selected ? "selected" : ""}`} data-testid="processor" data-name={component.name}>
      <Handle type="target" position={Position.Top} className="handle" />
      <div className="processor-header">
        <RunStateIcon status={runStatus} title={runStatus === "Invalid" ? errors.join("\n") : runStatus} />
        <div className="processor-title">
          <div className="processor-name">{component.name}</div>
          <div className="processor-type">
            {shortType(component.type)} <span className="bundle">{component.bundle.artifact}</span>
          </div>
        </div>
        {placement && (
          <span className="badge placement" title={placement.title} data-testid="placement-badge">
            {placement.text}
          </span>
        )}
        {threads > 0 && (
          <span className="badge threads" title="Active threads">
            {threads}
          </span>
        )}
        {bulletins > 0 && (
          <span className="badge bulletins" title="Bulletins">
            {bulletins}
          </span>
        )}
      </div>
      {detailed ? (
      <div className="processor-stats">
        <StatRow label="In" value={countAndSize(live?.flowFilesIn ?? snap.flowFilesIn, live?.bytesIn ?? snap.bytesIn)} window />
        <StatRow
          label="Read/Write"
          value={`${formatSize(live?.bytesRead ?? snap.bytesRead)} / ${formatSize(live?.bytesWritten ?? snap.bytesWritten)}`}
          window
        />
        <StatRow
          label="Out"
          value={countAndSize(live?.flowFilesOut ?? snap.flowFilesOut, live?.bytesOut ?? snap.bytesOut)}
          window
        />
        <StatRow label="Tasks" value={formatCount(live?.taskCount ?? snap.taskCount)} window />
      </div>
      ) : (
        <div className="processor-stats low-detail" />
      )}
      <Handle type="source" position={Position.Bottom} className="handle" />
    </div>
  );
}

export function GroupNode({ id, data, selected }: NodeProps<GroupNodeType>) {
  const live = useLiveRecord(id);
  const entity = data.entity;
  const snap = entity.status.aggregateSnapshot;
  const counts = {
    running: live?.runningCount ?? entity.runningCount,
    stopped: live?.stoppedCount ?? entity.stoppedCount,
    invalid: live?.invalidCount ?? entity.invalidCount,
    disabled: live?.disabledCount ?? entity.disabledCount,
  };
  return (
    <div className={`group-node ${selected ? "selected" : ""}`} data-testid="group" data-name={entity.component.name}>
      <Handle type="target" position={Position.Top} className="handle" />
      <div className="group-name">{entity.component.name}</div>
      <div className="group-counts">
        <span className="run-state running" title="Running">▶ {counts.running}</span>
        <span className="run-state stopped" title="Stopped">■ {counts.stopped}</span>
        <span className="run-state invalid" title="Invalid">⚠ {counts.invalid}</span>
        <span className="run-state disabled" title="Disabled">⊘ {counts.disabled}</span>
      </div>
      <div className="processor-stats">
        <StatRow
          label="Queued"
          value={countAndSize(live?.flowFilesQueued ?? snap.flowFilesQueued, live?.bytesQueued ?? snap.bytesQueued)}
        />
        <StatRow label="In" value={countAndSize(snap.flowFilesIn, snap.bytesIn)} window />
        <StatRow label="Out" value={countAndSize(snap.flowFilesOut, snap.bytesOut)} window />
      </div>
      <div className="group-hint">double-click to enter</div>
      <Handle type="source" position={Position.Bottom} className="handle" />
    </div>
  );
}

export function PortNode({ id, data, selected }: NodeProps<PortNodeType>) {
  const live = useLiveRecord(id);
  const status = live?.runStatus ?? data.entity.status?.runStatus ?? data.entity.component.state;
  return (
    <div className={`port-node ${data.direction} ${selected ? "selected" : ""}`} data-testid="port">
      <Handle type="target" position={Position.Top} className="handle" />
      <RunStateIcon status={status === "RUNNING" ? "Running" : status === "STOPPED" ? "Stopped" : status} />
      <span className="port-arrow">{data.direction === "input" ? "⇥" : "↦"}</span>
      <span className="port-name">{data.entity.component.name}</span>
      <Handle type="source" position={Position.Bottom} className="handle" />
    </div>
  );
}

export function FunnelNode({ selected }: NodeProps<FunnelNodeType>) {
  return (
    <div className={`funnel-node ${selected ? "selected" : ""}`} data-testid="funnel" title="Funnel">
      <Handle type="target" position={Position.Top} className="handle" />
      ▽
      <Handle type="source" position={Position.Bottom} className="handle" />
    </div>
  );
}

export function LabelNode({ data }: NodeProps<LabelNodeType>) {
  const { component } = data.entity;
  return (
    <div
      className="label-node"
      style={{
        width: component.width ?? 150,
        height: component.height ?? 60,
        background: component.style?.["background-color"] ?? "#fff7c2",
        fontSize: component.style?.["font-size"] ?? "12px",
      }}
    >
      {component.label}
    </div>
  );
}

export const nodeTypes = {
  processor: ProcessorNode,
  processGroup: GroupNode,
  port: PortNode,
  funnel: FunnelNode,
  label: LabelNode,
};
