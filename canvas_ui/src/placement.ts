// Where a processor runs in a cluster: all nodes, the primary node only, or N instances
// (the REST fields config.executionNode and config.nifiLikeInstances, see cluster/placement.py).

import type { ProcessorEntity } from "./types";

export type ExecutionMode = "ALL" | "PRIMARY" | "INSTANCES";

export interface Execution {
  mode: ExecutionMode;
  instances: number;
}

export function executionOf(entity: ProcessorEntity): Execution {
  const { config, executionNodeRestricted } = entity.component;
  const instances = config.nifiLikeInstances ?? 0;
  if (executionNodeRestricted || config.executionNode === "PRIMARY") return { mode: "PRIMARY", instances: 1 };
  if (instances >= 1) return { mode: "INSTANCES", instances };
  return { mode: "ALL", instances: 1 };
}

/** The config fields that set an execution. */
export function executionConfig(execution: Execution): { executionNode: string; nifiLikeInstances: number } {
  if (execution.mode === "PRIMARY") return { executionNode: "PRIMARY", nifiLikeInstances: 0 };
  if (execution.mode === "INSTANCES") return { executionNode: "ALL", nifiLikeInstances: Math.max(1, execution.instances) };
  return { executionNode: "ALL", nifiLikeInstances: 0 };
}

/** The processor box's badge ("P", "×3") and its tooltip; null when it runs on all nodes. */
export function placementBadge(entity: ProcessorEntity): { text: string; title: string } | null {
  const execution = executionOf(entity);
  if (execution.mode === "ALL") return null;
  const text = execution.mode === "PRIMARY" ? "P" : `×${execution.instances}`;
  const what = execution.mode === "PRIMARY" ? "Primary node only" : `${execution.instances} instances`;
  const placement = entity.component.nifiLikePlacement;
  if (!placement) return { text, title: what };
  const nodes = placement.nodes.length > 0 ? placement.nodes.join("\n") : "(no node yet)";
  return { text, title: `${what}; runs on:\n${nodes}` };
}
