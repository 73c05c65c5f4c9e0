// Every processor and connection of the whole flow, from GET /flow/process-groups/root/status?recursive=true.

import { getJson } from "./api";

export interface ProcessorRow {
  id: string;
  groupId: string;
  groupName: string;
  name: string;
  type: string;
  runStatus: string;
  flowFilesIn: number;
  flowFilesOut: number;
  bytesIn: number;
  bytesOut: number;
  taskCount: number;
  activeThreadCount: number;
}

export interface ConnectionRow {
  id: string;
  groupId: string;
  groupName: string;
  name: string;
  sourceName: string;
  destinationName: string;
  flowFilesQueued: number;
  bytesQueued: number;
  percentUseCount: number;
  percentUseBytes: number;
}

export interface FlowSummary {
  processors: ProcessorRow[];
  connections: ConnectionRow[];
}

interface GroupSnapshot {
  id: string;
  name: string;
  processorStatusSnapshots?: { processorStatusSnapshot: Omit<ProcessorRow, "groupName"> }[];
  connectionStatusSnapshots?: { connectionStatusSnapshot: Omit<ConnectionRow, "groupName"> }[];
  processGroupStatusSnapshots?: { processGroupStatusSnapshot: GroupSnapshot }[];
}

function collect(group: GroupSnapshot, into: FlowSummary): void {
  for (const { processorStatusSnapshot: p } of group.processorStatusSnapshots ?? [])
    into.processors.push({ ...p, groupName: group.name });
  for (const { connectionStatusSnapshot: c } of group.connectionStatusSnapshots ?? [])
    into.connections.push({ ...c, groupName: group.name });
  for (const child of group.processGroupStatusSnapshots ?? []) collect(child.processGroupStatusSnapshot, into);
}

export async function fetchSummary(): Promise<FlowSummary> {
  const body = await getJson<{ processGroupStatus: { aggregateSnapshot: GroupSnapshot } }>(
    "/flow/process-groups/root/status?recursive=true",
  );
  const summary: FlowSummary = { processors: [], connections: [] };
  collect(body.processGroupStatus.aggregateSnapshot, summary);
  return summary;
}
