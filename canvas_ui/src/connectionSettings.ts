// A connection's queue ordering and load balancing: NiFi's names, and which field a server message is about.

const PRIORITIZER_PACKAGE = "org.apache.nifi.prioritizer";

/** The prioritizers the engine knows (nifi_like/engine/prioritizers.py), by NiFi's fully qualified names. */
export const PRIORITIZERS: { name: string; description: string }[] = [
  { name: `${PRIORITIZER_PACKAGE}.FirstInFirstOutPrioritizer`, description: "Queue order; decides everything after it" },
  { name: `${PRIORITIZER_PACKAGE}.NewestFlowFileFirstPrioritizer`, description: "Newest entry date first" },
  { name: `${PRIORITIZER_PACKAGE}.OldestFlowFileFirstPrioritizer`, description: "Oldest entry date first" },
  { name: `${PRIORITIZER_PACKAGE}.PriorityAttributePrioritizer`, description: "Lowest 'priority' attribute first" },
];

export const LOAD_BALANCE_STRATEGIES: { value: string; label: string }[] = [
  { value: "DO_NOT_LOAD_BALANCE", label: "Do not load balance" },
  { value: "ROUND_ROBIN", label: "Round robin" },
  { value: "PARTITION_BY_ATTRIBUTE", label: "Partition by attribute" },
  { value: "SINGLE_NODE", label: "Single node" },
];

export const LOAD_BALANCE_COMPRESSIONS: { value: string; label: string }[] = [
  { value: "DO_NOT_COMPRESS", label: "Do not compress" },
  { value: "COMPRESS_ATTRIBUTES_ONLY", label: "Compress attributes only" },
  { value: "COMPRESS_ATTRIBUTES_AND_CONTENT", label: "Compress attributes and content" },
];

export function shortPrioritizer(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

/** The same prioritizer, whether named short or fully qualified. */
export function samePrioritizer(a: string, b: string): boolean {
  return shortPrioritizer(a) === shortPrioritizer(b);
}

/** Moves the item at index by delta (-1 up, +1 down) in a copy of the list; out of range leaves it. */
export function moved<T>(list: T[], index: number, delta: number): T[] {
  const target = index + delta;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return list;
  const next = [...list];
  next.splice(target, 0, ...next.splice(index, 1));
  return next;
}

export type ConnectionField = "prioritizers" | "partitioningAttribute" | "compression" | "strategy";

/** The dialog field a server validation message is about, or null for a general message. */
export function fieldOfMessage(message: string): ConnectionField | null {
  const lower = message.toLowerCase();
  if (lower.includes("prioritizer")) return "prioritizers";
  if (lower.includes("partitioning attribute") || lower.includes("partition attribute")) return "partitioningAttribute";
  if (lower.includes("compression")) return "compression";
  if (lower.includes("load balance strategy")) return "strategy";
  return null;
}
