// The REST shapes the canvas reads (NiFi's /nifi-api DTOs, the fields used here).

export interface Position {
  x: number;
  y: number;
}

export interface Revision {
  version: number;
  clientId?: string;
}

export interface AllowableValue {
  allowableValue: { displayName: string; value: string; description?: string };
}

export interface PropertyDescriptor {
  name: string;
  displayName: string;
  description: string;
  defaultValue: string | null;
  allowableValues: AllowableValue[] | null;
  required: boolean;
  sensitive: boolean;
  dynamic: boolean;
  supportsEl: boolean;
  expressionLanguageScope: string;
}

export interface Relationship {
  name: string;
  description: string;
  autoTerminate: boolean;
}

export interface ProcessorConfig {
  properties: Record<string, string | null>;
  descriptors: Record<string, PropertyDescriptor>;
  schedulingPeriod: string;
  schedulingStrategy: string;
  concurrentlySchedulableTaskCount: number;
  autoTerminatedRelationships: string[];
  penaltyDuration: string;
  yieldDuration: string;
  /** "ALL" (every node, or N instances with nifiLikeInstances) or "PRIMARY" */
  executionNode?: string;
  /** With executionNode ALL in a cluster: run this many instances; 0 runs it on every node */
  nifiLikeInstances?: number;
}

/** In a cluster: how and on which nodes a processor runs. */
export interface Placement {
  execution: string | number;
  nodes: string[];
  runsHere: boolean;
}

export interface ProcessorSnapshot {
  runStatus: string;
  activeThreadCount: number;
  flowFilesIn: number;
  bytesIn: number;
  flowFilesOut: number;
  bytesOut: number;
  bytesRead: number;
  bytesWritten: number;
  taskCount: number;
}

export interface ProcessorEntity {
  id: string;
  revision: Revision;
  position: Position;
  bulletins: unknown[];
  component: {
    id: string;
    parentGroupId: string;
    name: string;
    type: string;
    bundle: { group: string; artifact: string; version: string };
    state: string;
    relationships: Relationship[];
    config: ProcessorConfig;
    validationStatus: string;
    validationErrors?: string[] | null;
    inputRequirement?: string;
    executionNodeRestricted?: boolean;
    nifiLikePlacement?: Placement;
  };
  status: { runStatus: string; aggregateSnapshot: ProcessorSnapshot };
}

export interface Connectable {
  id: string;
  groupId: string;
  type: string;
  name?: string;
}

export interface ConnectionSnapshot {
  flowFilesQueued: number;
  bytesQueued: number;
  percentUseCount: number;
  percentUseBytes: number;
}

export interface ConnectionEntity {
  id: string;
  revision: Revision;
  sourceId: string;
  destinationId: string;
  sourceGroupId: string;
  destinationGroupId: string;
  sourceType: string;
  destinationType: string;
  component: {
    id: string;
    name: string;
    source: Connectable;
    destination: Connectable;
    selectedRelationships: string[];
    availableRelationships: string[];
    backPressureObjectThreshold: number;
    backPressureDataSizeThreshold: string;
    flowFileExpiration: string;
    prioritizers?: string[];
    loadBalanceStrategy?: string;
    loadBalancePartitionAttribute?: string;
    loadBalanceCompression?: string;
  };
  status: { aggregateSnapshot: ConnectionSnapshot };
}

export interface GroupSnapshot {
  flowFilesQueued: number;
  bytesQueued: number;
  activeThreadCount: number;
  flowFilesIn: number;
  bytesIn: number;
  flowFilesOut: number;
  bytesOut: number;
}

export interface ProcessGroupEntity {
  id: string;
  revision: Revision;
  position: Position;
  runningCount: number;
  stoppedCount: number;
  invalidCount: number;
  disabledCount: number;
  component: { id: string; name: string; parentGroupId: string | null };
  status: { aggregateSnapshot: GroupSnapshot };
}

export interface PortEntity {
  id: string;
  revision: Revision;
  position: Position;
  portType?: string;
  component: { id: string; name: string; state: string; type?: string };
  status?: { runStatus?: string; aggregateSnapshot?: { flowFilesIn: number; flowFilesOut: number; runStatus?: string } };
}

export interface FunnelEntity {
  id: string;
  revision: Revision;
  position: Position;
}

export interface LabelEntity {
  id: string;
  revision: Revision;
  position: Position;
  component: { id: string; label: string; width?: number; height?: number; style?: Record<string, string> };
}

export interface Breadcrumb {
  id: string;
  breadcrumb: { id: string; name: string };
  parentBreadcrumb?: Breadcrumb;
}

export interface Flow {
  processGroups: ProcessGroupEntity[];
  processors: ProcessorEntity[];
  inputPorts: PortEntity[];
  outputPorts: PortEntity[];
  connections: ConnectionEntity[];
  labels: LabelEntity[];
  funnels: FunnelEntity[];
}

export interface ProcessGroupFlowEntity {
  processGroupFlow: {
    id: string;
    parentGroupId: string | null;
    breadcrumb: Breadcrumb;
    flow: Flow;
    lastRefreshed: string;
  };
}

export interface ProcessorType {
  type: string;
  bundle: { group: string; artifact: string; version: string };
  description: string;
  tags: string[];
}

export interface FlowFileSummary {
  uuid: string;
  filename: string;
  position: number | null;
  size: number;
  queuedDuration: number;
  lineageDuration: number;
  penalized: boolean;
}

export interface ListingRequest {
  id: string;
  finished: boolean;
  failureReason: string | null;
  queueSize: { byteCount: number; objectCount: number };
  flowFileSummaries: FlowFileSummary[];
}

export interface DropRequest {
  id: string;
  finished: boolean;
  failureReason: string | null;
  droppedCount: number;
}

export interface FlowFileDetails extends FlowFileSummary {
  attributes: Record<string, string>;
  mimeType: string | null;
}

/** One component's live status row, as the /flow/live websocket pushes it. */
export interface LiveRecord {
  kind: string;
  groupId?: string;
  runStatus?: string;
  validationStatus?: string;
  activeThreadCount?: number;
  flowFilesIn?: number;
  bytesIn?: number;
  flowFilesOut?: number;
  bytesOut?: number;
  bytesRead?: number;
  bytesWritten?: number;
  taskCount?: number;
  bulletins?: number;
  flowFilesQueued?: number;
  bytesQueued?: number;
  percentUseCount?: number;
  percentUseBytes?: number;
  runningCount?: number;
  stoppedCount?: number;
  invalidCount?: number;
  disabledCount?: number;
}
