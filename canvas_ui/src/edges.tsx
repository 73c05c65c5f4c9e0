// A connection: the line, and on it NiFi's label box with the queue and back-pressure fill bars.

import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from "@xyflow/react";
import { countAndSize } from "./format";
import { Sparkline } from "./charts";
import { LiveContext, useLiveRecord } from "./live";
import { useContext } from "react";
import type { ConnectionEntity } from "./types";

export type QueueEdgeType = Edge<
  { entity: ConnectionEntity; onOpen: (id: string) => void; onMenu: (id: string, x: number, y: number) => void },
  "queue"
>;

/** Green below 60 %, amber approaching back pressure, red at the threshold. */
export function fillLevel(percent: number): "ok" | "near" | "full" {
  if (percent >= 100) return "full";
  if (percent >= 60) return "near";
  return "ok";
}

function FillBar({ percent, title }: { percent: number; title: string }) {
  return (
    <div className="fill-bar" title={`${title}: ${percent}% of the back pressure threshold`}>
      <div className={`fill ${fillLevel(percent)}`} style={{ width: `${Math.min(100, percent)}%` }} />
    </div>
  );
}

export function QueueEdge(props: EdgeProps<QueueEdgeType>) {
  const { id, data, selected, markerEnd } = props;
  const live = useLiveRecord(id);
  const store = useContext(LiveContext);
  const [path, labelX, labelY] = getBezierPath(props);
  if (!data) return <BaseEdge path={path} />;
  const { component, status } = data.entity;
  const snap = status.aggregateSnapshot;
  const count = live?.flowFilesQueued ?? snap.flowFilesQueued;
  const bytes = live?.bytesQueued ?? snap.bytesQueued;
  const pctCount = live?.percentUseCount ?? snap.percentUseCount;
  const pctBytes = live?.percentUseBytes ?? snap.percentUseBytes;
  const level = fillLevel(Math.max(pctCount, pctBytes));
  const title = component.name || component.selectedRelationships.join(", ");
  return (
    <>
      <BaseEdge path={path} markerEnd={markerEnd} className={`queue-edge ${level} ${selected ? "selected" : ""}`} />
      <EdgeLabelRenderer>
        <div
          className={`queue-label nodrag nopan ${level} ${selected ? "selected" : ""}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          data-testid="queue-label"
          data-connection-id={id}
          data-source={component.source.name}
          data-destination={component.destination.name}
          onDoubleClick={() => data.onOpen(id)}
          onContextMenu={(event) => {
            event.preventDefault();
            data.onMenu(id, event.clientX, event.clientY);
          }}
          title="Double-click to list the queue"
        >
          <div className="queue-name">{title}</div>
          <div className="queue-count">
            Queued <span data-testid="queued-count" data-count={count}>{countAndSize(count, bytes)}</span>
          </div>
          <Sparkline values={store.series(id)} width={150} height={16} />
          <FillBar percent={pctCount} title="Objects" />
          <FillBar percent={pctBytes} title="Size" />
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const edgeTypes = { queue: QueueEdge };
