// The canvas of one process group: components, connections, live status, and every edit.

import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  getNodesBounds,
  getViewportForBounds,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import {
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type DragEvent,
  type MouseEvent as ReactMouseEvent,
} from "react";
import { ApiError, getJson, messageOf, onReachability, Unreachable } from "./api";
import { ConfigDialog } from "./ConfigDialog";
import { ConnectDialog } from "./ConnectDialog";
import { ConnectionDialog } from "./ConnectionDialog";
import { edgeTypes, type QueueEdgeType } from "./edges";
import { buildEdges, buildNodes, kindOf, nameOf } from "./flowModel";
import { countAndSize, shortType } from "./format";
import { History } from "./history";
import { LiveContext, useLiveStatus } from "./live";
import { nodeTypes, type CanvasNode } from "./nodes";
import {
  createComponent,
  createConnection,
  createGroup,
  createProcessor,
  deleteComponent,
  getProcessor,
  moveComponent,
  scheduleGroup,
  setRunStatus,
  updateProcessor,
  type ConnectionSpec,
} from "./ops";
import { DRAG_TYPE, Palette, type DraggedComponent } from "./Palette";
import { ProvenanceDialog, type ProvenanceStart } from "./ProvenanceDialog";
import { QueueDialog } from "./QueueDialog";
import { StatusPanel, type StatusTarget } from "./StatusPanel";
import { useCanvasTools } from "./useCanvasTools";
import { SummaryDialog } from "./SummaryDialog";
import type { Breadcrumb, ConnectionEntity, Position, ProcessGroupFlowEntity, Relationship } from "./types";

type GroupFlow = ProcessGroupFlowEntity["processGroupFlow"];

/** Flows with more components than this open at full size instead of zoomed out to fit. */
const FIT_LIMIT = 200;

interface PendingConnection {
  spec: ConnectionSpec;
  sourceName: string;
  destinationName: string;
  relationships: Relationship[];
}

interface Menu {
  x: number;
  y: number;
  targetId: string;
  target: "node" | "edge";
}

interface ProcessorSnapshot {
  firstId: string;
  groupId: string;
  type: string;
  name: string;
  position: Position;
  properties: Record<string, string>;
  schedulingPeriod: string;
  autoTerminatedRelationships: string[];
}

interface ConnectionSnapshot {
  firstId: string;
  spec: ConnectionSpec;
}

type SimpleKind = "INPUT_PORT" | "OUTPUT_PORT" | "FUNNEL" | "LABEL";

interface SimpleSnapshot {
  firstId: string;
  kind: SimpleKind;
  fields: Record<string, unknown>;
}

// Stable props: the canvas re-renders on every status tick, and a new function or object here would
// re-render React Flow's internals and every box of the minimap with it.
const PRO_OPTIONS = { hideAttribution: true };
const MINIMAP_STYLE = { width: 150, height: 100 };
const miniMapColor = (node: CanvasNode): string => (node.type === "processGroup" ? "#8aa4b8" : "#728e9b");

/** What re-creates a port, funnel or label as it was. */
function simpleFields(node: CanvasNode): Record<string, unknown> {
  const position = { ...node.position };
  if (node.type === "port") return { name: node.data.entity.component.name, position };
  if (node.type === "label") {
    const { label, width, height, style } = node.data.entity.component;
    return { label, width, height, style, position };
  }
  return { position };
}

const NEW_COMPONENT: Record<SimpleKind, (count: number) => Record<string, unknown>> = {
  INPUT_PORT: (n) => ({ name: `Input Port ${n}` }),
  OUTPUT_PORT: (n) => ({ name: `Output Port ${n}` }),
  FUNNEL: () => ({}),
  LABEL: () => ({ label: "Double-click to edit this label", width: 220, height: 70 }),
};

function crumbs(breadcrumb: Breadcrumb): { id: string; name: string }[] {
  const chain: { id: string; name: string }[] = [];
  for (let b: Breadcrumb | undefined = breadcrumb; b; b = b.parentBreadcrumb) chain.unshift(b.breadcrumb);
  return chain;
}

function specOf(entity: ConnectionEntity, groupId: string): ConnectionSpec {
  return {
    groupId,
    source: { id: entity.sourceId, groupId: entity.sourceGroupId, type: entity.sourceType },
    destination: { id: entity.destinationId, groupId: entity.destinationGroupId, type: entity.destinationType },
    selectedRelationships: entity.component.selectedRelationships,
  };
}

export function Canvas({ onLogout }: { onLogout: () => void }) {
  const [groupId, setGroupId] = useState("root");
  const [flow, setFlow] = useState<GroupFlow | null>(null);
  const [nodes, setNodes] = useState<CanvasNode[]>([]);
  const [edges, setEdges] = useState<QueueEdgeType[]>([]);
  const [restReachable, setRestReachable] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingConnection | null>(null);
  const [configId, setConfigId] = useState<string | null>(null);
  const [queueId, setQueueId] = useState<string | null>(null);
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const [menu, setMenu] = useState<Menu | null>(null);
  const [provenance, setProvenance] = useState<ProvenanceStart | null>(null);
  const [statusTarget, setStatusTarget] = useState<StatusTarget | null>(null);
  const [summaryOpen, setSummaryOpen] = useState(false);
  const [busyMessage, setBusyMessage] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [, historyChanged] = useReducer((n: number) => n + 1, 0);
  const history = useRef(new History());
  const groupRef = useRef(groupId);
  const needsFit = useRef(true);
  const { screenToFlowPosition, setViewport } = useReactFlow();

  /** Show these boxes whole, at most at full size. Computed from the flow's positions and the boxes'
   * known sizes, so it works before React Flow has drawn (and measured) anything. */
  const fitTo = useCallback(
    (boxes: CanvasNode[], duration = 0) => {
      const pane = document.querySelector("[data-testid=canvas]")?.getBoundingClientRect();
      if (!pane || boxes.length === 0) return;
      const viewport = getViewportForBounds(getNodesBounds(boxes), pane.width, pane.height, 0.05, 1, 0.2);
      void setViewport(viewport, { duration });
    },
    [setViewport],
  );
  const live = useLiveStatus(onLogout);

  const fail = useCallback((error: unknown) => setNotice(messageOf(error)), []);

  const refresh = useCallback(async () => {
    const wanted = groupRef.current;
    try {
      const body = await getJson<ProcessGroupFlowEntity>(`/flow/process-groups/${wanted}`);
      if (groupRef.current === wanted) setFlow(body.processGroupFlow);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && wanted !== "root") {
        groupRef.current = "root";
        setGroupId("root");
      }
      if (!(error instanceof Unreachable)) fail(error);
    }
  }, [fail]);

  useEffect(() => onReachability(setRestReachable), []);

  useEffect(() => {
    groupRef.current = groupId;
    needsFit.current = true;
    setFlow(null);
    void refresh();
  }, [groupId, refresh]);

  useEffect(() => {
    // The first snapshot arrives with the first load; later bumps mean components came or went.
    if (live.structureVersion > 1) void refresh();
  }, [live.structureVersion, refresh]);

  const openQueue = useCallback((id: string) => setQueueId(id), []);
  const openEdgeMenu = useCallback(
    (id: string, x: number, y: number) => setMenu({ x, y, targetId: id, target: "edge" }),
    [],
  );

  useEffect(() => {
    if (!flow) return;
    setNodes((previous) => {
      // A refresh that lands while the user drags must not pull the dragged nodes back.
      const dragging = new Map(previous.filter((n) => n.dragging).map((n) => [n.id, n]));
      const built = buildNodes(flow.flow, new Set(previous.filter((n) => n.selected).map((n) => n.id)));
      return built.map((n) => {
        const held = dragging.get(n.id);
        return held ? ({ ...n, position: held.position, dragging: true } as CanvasNode) : n;
      });
    });
    setEdges((previous) =>
      buildEdges(flow.flow, new Set(previous.filter((e) => e.selected).map((e) => e.id)), openQueue, openEdgeMenu),
    );
    if (needsFit.current) {
      needsFit.current = false;
      // A large flow opens at full size on its top-left corner: only what is visible is drawn.
      const count = Object.values(flow.flow).reduce((n, list) => n + list.length, 0);
      if (count > 0 && count <= FIT_LIMIT) fitTo(buildNodes(flow.flow, new Set()));
      else if (count > FIT_LIMIT) {
        const xs = flow.flow.processors.map((p) => p.position.x);
        const ys = flow.flow.processors.map((p) => p.position.y);
        void setViewport({ x: 40 - Math.min(...xs, 0), y: 40 - Math.min(...ys, 0), zoom: 1 });
      }
    }
  }, [flow, fitTo, setViewport, openQueue, openEdgeMenu]);

  /** Run an edit, refresh the canvas, and show what went wrong next to the canvas. */
  const edit = useCallback(
    async (action: () => Promise<void>) => {
      setNotice(null);
      try {
        await action();
      } catch (error) {
        fail(error);
      } finally {
        historyChanged();
        await refresh();
      }
    },
    [fail, refresh],
  );

  // -- creating ---------------------------------------------------------------------------
  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      const raw = event.dataTransfer.getData(DRAG_TYPE);
      if (!raw || !flow) return;
      const dragged = JSON.parse(raw) as DraggedComponent;
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const parent = flow.id;
      const h = history.current;
      void edit(async () => {
        if (dragged.kind === "PROCESS_GROUP") {
          const create = async () => (await createGroup(parent, "Process Group", position)).id;
          const firstId = await create();
          h.push({
            label: "add process group",
            undo: () => deleteComponent("PROCESS_GROUP", h.resolve(firstId)),
            redo: async () => h.remap(firstId, await create()),
          });
          return;
        }
        if (dragged.kind !== "PROCESSOR") {
          const kind = dragged.kind;
          const count = nodes.filter((n) => kindOf(n) === kind).length + 1;
          const fields = { ...NEW_COMPONENT[kind](count), position };
          const create = async () => (await createComponent(kind, parent, fields)).id;
          const firstId = await create();
          h.push({
            label: `add ${kind.toLowerCase().replace("_", " ")}`,
            undo: () => deleteComponent(kind, h.resolve(firstId)),
            redo: async () => h.remap(firstId, await create()),
          });
          return;
        }
        const type = dragged.type ?? "";
        const create = async () => (await createProcessor(parent, type, position)).id;
        const firstId = await create();
        h.push({
          label: `add ${shortType(type)}`,
          undo: () => deleteComponent("PROCESSOR", h.resolve(firstId)),
          redo: async () => h.remap(firstId, await create()),
        });
      });
    },
    [flow, nodes, screenToFlowPosition, edit],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);

  const addConnection = useCallback(
    async (spec: ConnectionSpec) => {
      const h = history.current;
      const resolved = (): ConnectionSpec => ({
        ...spec,
        source: { ...spec.source, id: h.resolve(spec.source.id) },
        destination: { ...spec.destination, id: h.resolve(spec.destination.id) },
      });
      const firstId = (await createConnection(resolved())).id;
      h.push({
        label: "add connection",
        undo: () => deleteComponent("CONNECTION", h.resolve(firstId)),
        redo: async () => h.remap(firstId, (await createConnection(resolved())).id),
      });
    },
    [],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      if (!flow) return;
      const source = nodes.find((n) => n.id === connection.source);
      const target = nodes.find((n) => n.id === connection.target);
      if (!source || !target) return;
      if (source.type === "processGroup" || target.type === "processGroup" || source.type === "label" || target.type === "label") {
        setNotice("Connect to a processor, port or funnel; a group is connected through the ports inside it.");
        return;
      }
      const spec: ConnectionSpec = {
        groupId: flow.id,
        source: { id: source.id, groupId: flow.id, type: kindOf(source) },
        destination: { id: target.id, groupId: flow.id, type: kindOf(target) },
        selectedRelationships: [],
      };
      if (source.type === "processor") {
        setPending({
          spec,
          sourceName: nameOf(source),
          destinationName: nameOf(target),
          relationships: source.data.entity.component.relationships,
        });
      } else {
        void edit(() => addConnection(spec));
      }
    },
    [flow, nodes, edit, addConnection],
  );

  // -- moving -----------------------------------------------------------------------------
  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) =>
      setNodes((current) => applyNodeChanges(changes.filter((c) => c.type !== "remove"), current)),
    [],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<QueueEdgeType>[]) =>
      setEdges((current) => applyEdgeChanges(changes.filter((c) => c.type !== "remove"), current)),
    [],
  );

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: CanvasNode, dragged: CanvasNode[]) => {
      if (!flow) return;
      const before = new Map(buildNodes(flow.flow, new Set()).map((n) => [n.id, n.position]));
      const moves = dragged
        .map((n) => ({ id: n.id, kind: kindOf(n), from: before.get(n.id), to: { ...n.position } }))
        .filter((m): m is { id: string; kind: ReturnType<typeof kindOf>; from: Position; to: Position } =>
          m.from !== undefined && (m.from.x !== m.to.x || m.from.y !== m.to.y),
        );
      if (moves.length === 0) return;
      const h = history.current;
      const apply = (which: "from" | "to") =>
        Promise.all(moves.map((m) => moveComponent(m.kind, h.resolve(m.id), m[which]))).then(() => undefined);
      void edit(async () => {
        await apply("to");
        h.push({ label: moves.length === 1 ? "move" : `move ${moves.length} components`, undo: () => apply("from"), redo: () => apply("to") });
      });
    },
    [flow, edit],
  );

  // -- deleting ---------------------------------------------------------------------------
  const deleteSelection = useCallback(
    (nodeIds: string[], edgeIds: string[]) => {
      if (!flow || (nodeIds.length === 0 && edgeIds.length === 0)) return;
      const h = history.current;
      const groupIdNow = flow.id;
      const doomedNodes = new Set(nodeIds);
      const connections = flow.flow.connections.filter(
        (c) => edgeIds.includes(c.id) || doomedNodes.has(c.sourceId) || doomedNodes.has(c.destinationId),
      );
      const others = nodes.filter((n) => doomedNodes.has(n.id) && n.type !== "processor");
      const simples: SimpleSnapshot[] = others
        .filter((n) => n.type !== "processGroup")
        .map((n) => ({ firstId: n.id, kind: kindOf(n) as SimpleKind, fields: simpleFields(n) }));
      const groupsDoomed = others.some((n) => n.type === "processGroup");
      const processorIds = nodes.filter((n) => doomedNodes.has(n.id) && n.type === "processor").map((n) => n.id);
      void edit(async () => {
        const processors: ProcessorSnapshot[] = await Promise.all(
          processorIds.map(async (id) => {
            const p = await getProcessor(id);
            const properties: Record<string, string> = {};
            for (const [k, v] of Object.entries(p.component.config.properties)) if (v !== null) properties[k] = v;
            return {
              firstId: id,
              groupId: groupIdNow,
              type: p.component.type,
              name: p.component.name,
              position: p.position,
              properties,
              schedulingPeriod: p.component.config.schedulingPeriod,
              autoTerminatedRelationships: p.component.config.autoTerminatedRelationships,
            };
          }),
        );
        const links: ConnectionSnapshot[] = connections.map((c) => ({ firstId: c.id, spec: specOf(c, groupIdNow) }));
        const remove = async () => {
          for (const link of links) await deleteComponent("CONNECTION", h.resolve(link.firstId));
          for (const p of processors) await deleteComponent("PROCESSOR", h.resolve(p.firstId));
          for (const n of others) await deleteComponent(kindOf(n), h.resolve(n.id));
        };
        await remove();
        if (groupsDoomed) return; // a group's whole contents cannot be re-created exactly
        h.push({
          label: `delete ${processors.length + simples.length + links.length} component(s)`,
          undo: async () => {
            for (const c of simples) h.remap(c.firstId, (await createComponent(c.kind, groupIdNow, c.fields)).id);
            for (const p of processors) {
              const created = await createProcessor(p.groupId, p.type, p.position, p.name);
              await updateProcessor(created.id, {
                config: {
                  properties: p.properties,
                  schedulingPeriod: p.schedulingPeriod,
                  autoTerminatedRelationships: p.autoTerminatedRelationships,
                },
              });
              h.remap(p.firstId, created.id);
            }
            for (const link of links) {
              const spec = link.spec;
              const created = await createConnection({
                ...spec,
                source: { ...spec.source, id: h.resolve(spec.source.id) },
                destination: { ...spec.destination, id: h.resolve(spec.destination.id) },
              });
              h.remap(link.firstId, created.id);
            }
          },
          redo: remove,
        });
      });
    },
    [flow, nodes, edit],
  );

  const deleteSelected = useCallback(() => {
    deleteSelection(
      nodes.filter((n) => n.selected).map((n) => n.id),
      edges.filter((e) => e.selected).map((e) => e.id),
    );
  }, [nodes, edges, deleteSelection]);

  // -- running ----------------------------------------------------------------------------
  const schedule = useCallback(
    (state: "RUNNING" | "STOPPED", ids?: string[]) => {
      if (!flow) return;
      const selected = ids ?? nodes.filter((n) => n.selected && n.type === "processor").map((n) => n.id);
      const groups = ids ? [] : nodes.filter((n) => n.selected && n.type === "processGroup").map((n) => n.id);
      void edit(async () => {
        if (selected.length === 0 && groups.length === 0) {
          await scheduleGroup(flow.id, state);
          return;
        }
        await Promise.all([...selected.map((id) => setRunStatus(id, state)), ...groups.map((g) => scheduleGroup(g, state))]);
      });
    },
    [flow, nodes, edit],
  );

  const { copy, paste, autoLayout, importFile, downloadGroup, editText } = useCanvasTools({
    flow,
    nodes,
    edges,
    history: history.current,
    edit,
    refresh,
    setNodes,
    fitTo,
    screenToFlowPosition,
    fail,
    historyChanged,
    inform: setBusyMessage,
    warn: setNotice,
  });

  useEffect(() => {
    if (!busyMessage) return;
    const timer = window.setTimeout(() => setBusyMessage(null), 6000);
    return () => window.clearTimeout(timer);
  }, [busyMessage]);

  const onNodeDoubleClick = useCallback(
    (_event: unknown, node: CanvasNode) => {
      if (node.type === "processGroup") setGroupId(node.id);
      else if (node.type === "processor") setConfigId(node.id);
      else if (node.type === "label") editText("LABEL", node.id, "label", node.data.entity.component.label);
      else if (node.type === "port") editText(kindOf(node) as "INPUT_PORT" | "OUTPUT_PORT", node.id, "name", nameOf(node));
    },
    [editText],
  );
  const onNodeContextMenu = useCallback((event: ReactMouseEvent, node: CanvasNode) => {
    event.preventDefault();
    setMenu({ x: event.clientX, y: event.clientY, targetId: node.id, target: "node" });
  }, []);
  const onEdgeDoubleClick = useCallback((_event: unknown, edge: QueueEdgeType) => setQueueId(edge.id), []);
  const onEdgeContextMenu = useCallback((event: ReactMouseEvent, edge: QueueEdgeType) => {
    event.preventDefault();
    setMenu({ x: event.clientX, y: event.clientY, targetId: edge.id, target: "edge" });
  }, []);
  const onPaneClick = useCallback(() => setMenu(null), []);

  const undo = useCallback(() => void edit(() => history.current.undo()), [edit]);
  const redo = useCallback(() => void edit(() => history.current.redo()), [edit]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (target.closest("input, textarea, select, [role=dialog]")) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === "z") {
        event.preventDefault();
        if (event.shiftKey) redo();
        else undo();
      } else if (mod && event.key.toLowerCase() === "y") {
        event.preventDefault();
        redo();
      } else if (mod && event.key.toLowerCase() === "a") {
        event.preventDefault();
        setNodes((current) => current.map((n) => ({ ...n, selected: true }) as CanvasNode));
      } else if (mod && event.key.toLowerCase() === "c") {
        event.preventDefault();
        copy();
      } else if (mod && event.key.toLowerCase() === "v") {
        event.preventDefault();
        paste();
      } else if (event.key === "Delete" || event.key === "Backspace") {
        event.preventDefault();
        deleteSelected();
      } else if (event.key === "Escape") {
        setMenu(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [undo, redo, deleteSelected, copy, paste]);

  // -- status bar -------------------------------------------------------------------------
  const totals = useMemo(() => {
    const t = { running: 0, stopped: 0, invalid: 0, disabled: 0, queued: 0, bytes: 0, threads: 0 };
    if (!flow) return t;
    const records = live.store.all();
    for (const p of flow.flow.processors) {
      const status = records[p.id]?.runStatus ?? p.status.runStatus;
      if (status === "Running") t.running += 1;
      else if (status === "Invalid") t.invalid += 1;
      else if (status === "Disabled") t.disabled += 1;
      else t.stopped += 1;
      t.threads += records[p.id]?.activeThreadCount ?? 0;
    }
    for (const c of flow.flow.connections) {
      t.queued += records[c.id]?.flowFilesQueued ?? c.status.aggregateSnapshot.flowFilesQueued;
      t.bytes += records[c.id]?.bytesQueued ?? c.status.aggregateSnapshot.bytesQueued;
    }
    return t;
  }, [flow, live.store, live.lastUpdate]);

  const menuNode = menu?.target === "node" ? nodes.find((n) => n.id === menu.targetId) : undefined;
  const queueEntity = flow?.flow.connections.find((c) => c.id === queueId);
  const selectedCount = nodes.filter((n) => n.selected).length + edges.filter((e) => e.selected).length;
  const h = history.current;

  return (
    <LiveContext.Provider value={live.store}>
      <div className="app">
        <header className="toolbar">
          <div className="brand">
            nifi<span>-like</span>
          </div>
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            {flow &&
              crumbs(flow.breadcrumb).map((c, i, all) => (
                <span key={c.id}>
                  {i > 0 && <span className="crumb-sep">›</span>}
                  {i < all.length - 1 ? (
                    <button className="crumb" onClick={() => setGroupId(c.id)}>
                      {c.name}
                    </button>
                  ) : (
                    <span className="crumb current">{c.name}</span>
                  )}
                </span>
              ))}
          </nav>
          <div className="actions">
            <button onClick={() => schedule("RUNNING")} title="Start the selection, or the whole group" data-testid="start">
              ▶ Start
            </button>
            <button onClick={() => schedule("STOPPED")} title="Stop the selection, or the whole group" data-testid="stop">
              ■ Stop
            </button>
            <button onClick={deleteSelected} disabled={selectedCount === 0} title="Delete the selection (Delete)">
              ✕ Delete
            </button>
            <button onClick={undo} disabled={!h.canUndo} title={`Undo ${h.nextUndo() ?? ""} (Ctrl+Z)`} data-testid="undo">
              ↶ Undo
            </button>
            <button onClick={redo} disabled={!h.canRedo} title={`Redo ${h.nextRedo() ?? ""} (Ctrl+Shift+Z)`} data-testid="redo">
              ↷ Redo
            </button>
            <span className="toolbar-sep" />
            <button onClick={autoLayout} title="Arrange the components along their connections (undoable)" data-testid="auto-layout">
              ⇅ Layout
            </button>
            <button onClick={() => fileInput.current?.click()} title="Upload a NiFi flow definition (JSON) as a new group" data-testid="import">
              ⇪ Import
            </button>
            <button onClick={() => flow && downloadGroup(flow.id)} title="Download this group as a NiFi flow definition" data-testid="download">
              ⇩ Download
            </button>
            <span className="toolbar-sep" />
            <button onClick={() => setSummaryOpen(true)} title="All processors and connections, sortable" data-testid="summary">
              Σ Summary
            </button>
            <button onClick={() => setProvenance({})} title="Search provenance events" data-testid="provenance">
              ◎ Provenance
            </button>
            <input
              ref={fileInput}
              type="file"
              accept=".json,application/json"
              hidden
              data-testid="import-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (file) void importFile(file);
              }}
            />
            <button onClick={onLogout} className="logout">
              Log out
            </button>
          </div>
        </header>
        {(!live.connected || !restReachable) && (
          <div className="banner" role="alert" data-testid="unreachable-banner">
            The server cannot be reached. Retrying every second; your canvas will refresh when it is back.
          </div>
        )}
        {busyMessage && (
          <div className="info-bar" role="status" data-testid="info">
            {busyMessage}
          </div>
        )}
        {notice && (
          <div className="notice" role="alert" data-testid="notice">
            <span>{notice}</span>
            <button className="icon-button" onClick={() => setNotice(null)} aria-label="Dismiss">
              ✕
            </button>
          </div>
        )}
        <div className="workspace">
          <Palette onError={setNotice} />
          <div className="canvas" onDrop={onDrop} onDragOver={onDragOver} data-testid="canvas">
            {flow && nodes.length === 0 && (
              <div className="empty-hint" data-testid="empty-hint">
                This group is empty. Drag a processor from the palette onto the canvas, or use ⇪ Import to
                load a NiFi flow definition.
              </div>
            )}
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onNodeDragStop={onNodeDragStop}
              onNodeDoubleClick={onNodeDoubleClick}
              onNodeContextMenu={onNodeContextMenu}
              onEdgeDoubleClick={onEdgeDoubleClick}
              onEdgeContextMenu={onEdgeContextMenu}
              onPaneClick={onPaneClick}
              deleteKeyCode={null}
              connectionRadius={40}
              minZoom={0.05}
              maxZoom={2}
              onlyRenderVisibleElements
              proOptions={PRO_OPTIONS}
            >
              <Background gap={16} color="#d5dde5" />
              {/* React Flow's own fit waits until every box is measured, which off-screen boxes never are */}
              <Controls showFitView={false}>
                <ControlButton onClick={() => fitTo(nodes, 200)} title="Fit the whole flow" aria-label="fit view" data-testid="fit-view">
                  ⤢
                </ControlButton>
              </Controls>
              <MiniMap pannable zoomable nodeColor={miniMapColor} style={MINIMAP_STYLE} />
            </ReactFlow>
          </div>
          {statusTarget && <StatusPanel target={statusTarget} onClose={() => setStatusTarget(null)} />}
        </div>
        <footer className="statusbar" data-testid="statusbar">
          <span title="Active threads">⚙ {totals.threads}</span>
          <span title="Queued in this group">☰ {countAndSize(totals.queued, totals.bytes)}</span>
          <span className="run-state running">▶ {totals.running}</span>
          <span className="run-state stopped">■ {totals.stopped}</span>
          <span className="run-state invalid">⚠ {totals.invalid}</span>
          <span className="run-state disabled">⊘ {totals.disabled}</span>
          <span className="spacer" />
          <span className={live.connected ? "live-on" : "live-off"}>{live.connected ? "● live" : "○ offline"}</span>
          <span>Last update {live.lastUpdate ? live.lastUpdate.toLocaleTimeString() : "—"}</span>
        </footer>
        {menu && (
          <ul className="context-menu" style={{ left: menu.x, top: menu.y }} onMouseLeave={() => setMenu(null)} role="menu">
            {menu.target === "edge" && (
              <>
                <li role="menuitem" onClick={() => (setConnectionId(menu.targetId), setMenu(null))}>
                  Configure
                </li>
                <li role="menuitem" onClick={() => (setQueueId(menu.targetId), setMenu(null))}>
                  List queue
                </li>
                <li
                  role="menuitem"
                  onClick={() => {
                    const c = flow?.flow.connections.find((x) => x.id === menu.targetId);
                    const name = c ? `${c.component.source.name ?? ""} → ${c.component.destination.name ?? ""}` : menu.targetId;
                    setStatusTarget({ kind: "CONNECTION", id: menu.targetId, name });
                    setMenu(null);
                  }}
                >
                  Status history
                </li>
                <li role="menuitem" onClick={() => (deleteSelection([], [menu.targetId]), setMenu(null))}>
                  Delete
                </li>
              </>
            )}
            {menuNode?.type === "processor" && (
              <>
                <li role="menuitem" onClick={() => (setConfigId(menuNode.id), setMenu(null))}>
                  Configure
                </li>
                <li role="menuitem" onClick={() => (schedule("RUNNING", [menuNode.id]), setMenu(null))}>
                  Start
                </li>
                <li role="menuitem" onClick={() => (schedule("STOPPED", [menuNode.id]), setMenu(null))}>
                  Stop
                </li>
                <li
                  role="menuitem"
                  onClick={() => (setStatusTarget({ kind: "PROCESSOR", id: menuNode.id, name: nameOf(menuNode) }), setMenu(null))}
                >
                  Status history
                </li>
                <li role="menuitem" onClick={() => (setProvenance({ componentId: menuNode.id }), setMenu(null))}>
                  View provenance
                </li>
              </>
            )}
            {menuNode?.type === "processGroup" && (
              <>
                <li role="menuitem" onClick={() => (setGroupId(menuNode.id), setMenu(null))}>
                  Enter group
                </li>
                <li role="menuitem" onClick={() => (downloadGroup(menuNode.id), setMenu(null))}>
                  Download flow definition
                </li>
              </>
            )}
            {menuNode && (
              <li role="menuitem" onClick={() => (deleteSelection([menuNode.id], []), setMenu(null))}>
                Delete
              </li>
            )}
          </ul>
        )}
        {pending && (
          <ConnectDialog
            sourceName={pending.sourceName}
            destinationName={pending.destinationName}
            relationships={pending.relationships}
            onCancel={() => setPending(null)}
            onCreate={async (selectedRelationships) => {
              await addConnection({ ...pending.spec, selectedRelationships });
              setPending(null);
              historyChanged();
              await refresh();
            }}
          />
        )}
        {connectionId && (
          <ConnectionDialog connectionId={connectionId} onClose={() => setConnectionId(null)} onSaved={() => void refresh()} />
        )}
        {configId && <ConfigDialog processorId={configId} onClose={() => setConfigId(null)} onSaved={() => void refresh()} />}
        {queueId && (
          <QueueDialog
            connectionId={queueId}
            title={
              queueEntity
                ? `${queueEntity.component.source.name ?? ""} → ${queueEntity.component.destination.name ?? ""} (${queueEntity.component.selectedRelationships.join(", ")})`
                : queueId
            }
            onClose={() => setQueueId(null)}
            onLineage={(uuid) => {
              setQueueId(null);
              setProvenance({ lineageOf: uuid });
            }}
          />
        )}
        {provenance && <ProvenanceDialog start={provenance} onClose={() => setProvenance(null)} />}
        {summaryOpen && (
          <SummaryDialog
            onClose={() => setSummaryOpen(false)}
            onHistory={(target) => {
              setSummaryOpen(false);
              setStatusTarget(target);
            }}
          />
        )}
      </div>
    </LiveContext.Provider>
  );
}
