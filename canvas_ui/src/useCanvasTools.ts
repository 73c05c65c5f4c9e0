// The canvas's editing tools beyond single edits: copy/paste, auto-layout, flow definition
// import/download and in-place text edits of labels and ports. Each change is one undoable command.

import type { XYPosition } from "@xyflow/react";
import { useCallback, useRef, type Dispatch, type SetStateAction } from "react";
import { getJson, messageOf, revisionOf, sendJson } from "./api";
import { copySelection, pasteClip, removeCreated, type Clip, type Created } from "./clipboard";
import { downloadDefinition, suggestedName, uploadDefinition } from "./definitions";
import type { QueueEdgeType } from "./edges";
import { kindOf } from "./flowModel";
import type { History } from "./history";
import { layered } from "./layout";
import type { CanvasNode } from "./nodes";
import { deleteComponent, inBatches, KIND_PATH, moveComponent } from "./ops";
import type { Position, ProcessGroupFlowEntity } from "./types";

/** Pasted copies land this far from the originals (and from each earlier paste). */
const PASTE_OFFSET = 40;
/** Requests in flight while auto-layout moves the boxes. */
const LAYOUT_LANES = 8;

export interface CanvasToolsContext {
  flow: ProcessGroupFlowEntity["processGroupFlow"] | null;
  nodes: CanvasNode[];
  edges: QueueEdgeType[];
  history: History;
  /** run an edit, then refresh the canvas; errors go to the notice */
  edit: (action: () => Promise<void>) => Promise<void>;
  refresh: () => Promise<void>;
  setNodes: Dispatch<SetStateAction<CanvasNode[]>>;
  fitTo: (boxes: CanvasNode[], duration?: number) => void;
  screenToFlowPosition: (position: XYPosition) => XYPosition;
  fail: (error: unknown) => void;
  historyChanged: () => void;
  inform: (message: string) => void;
  warn: (message: string | null) => void;
}

export function useCanvasTools({
  flow,
  nodes,
  edges,
  history,
  edit,
  refresh,
  setNodes,
  fitTo,
  screenToFlowPosition,
  fail,
  historyChanged,
  inform,
  warn,
}: CanvasToolsContext) {
  const clipboard = useRef<{ clip: Clip; pastes: number } | null>(null);

  const copy = useCallback(() => {
    if (!flow) return;
    const selected = nodes.filter((n) => n.selected);
    if (selected.length === 0) return;
    void copySelection(selected, flow.flow)
      .then((clip) => {
        clipboard.current = { clip, pastes: 0 };
        const what = `${clip.items.length} component(s) and ${clip.connections.length} connection(s)`;
        inform(`Copied ${what}${clip.skipped ? `; ${clip.skipped} process group(s) cannot be copied` : ""}. Ctrl+V pastes.`);
      })
      .catch(fail);
  }, [flow, nodes, fail, inform]);

  const paste = useCallback(() => {
    const held = clipboard.current;
    if (!flow || !held || held.clip.items.length === 0) return;
    held.pastes += 1;
    const offset = { x: PASTE_OFFSET * held.pastes, y: PASTE_OFFSET * held.pastes };
    const groupIdNow = flow.id;
    const h = history;
    void edit(async () => {
      let created: Created[] = await pasteClip(held.clip, groupIdNow, offset);
      const firstIds = created.map((c) => c.id);
      h.push({
        label: `paste ${created.length} component(s)`,
        undo: () => removeCreated(created.map((c, i) => ({ ...c, id: h.resolve(firstIds[i] ?? c.id) }))),
        redo: async () => {
          created = await pasteClip(held.clip, groupIdNow, offset);
          created.forEach((c, i) => h.remap(firstIds[i] ?? c.id, c.id));
        },
      });
      const pasted = new Set(created.map((c) => c.id));
      await refresh();
      setNodes((current) => current.map((n) => ({ ...n, selected: pasted.has(n.id) }) as CanvasNode));
    });
  }, [flow, edit, refresh]);

  const autoLayout = useCallback(() => {
    if (!flow) return;
    const boxes = nodes
      .filter((n) => n.type !== "label")
      .map((n) => ({ id: n.id, width: n.measured?.width ?? 300, height: n.measured?.height ?? 140 }));
    const links = edges.map((e) => ({ source: e.source, target: e.target }));
    const placed = layered(boxes, links, { nodeGap: 80, rankGap: 110 });
    const origin = nodes.reduce((o, n) => ({ x: Math.min(o.x, n.position.x), y: Math.min(o.y, n.position.y) }), {
      x: Infinity,
      y: Infinity,
    });
    const moves = nodes
      .filter((n) => placed.has(n.id))
      .map((n) => {
        const to = placed.get(n.id) as Position;
        return { id: n.id, kind: kindOf(n), from: { ...n.position }, to: { x: to.x + origin.x, y: to.y + origin.y } };
      })
      .filter((m) => m.from.x !== m.to.x || m.from.y !== m.to.y);
    if (moves.length === 0) return;
    const h = history;
    const apply = (which: "from" | "to") => inBatches(moves, LAYOUT_LANES, (m) => moveComponent(m.kind, h.resolve(m.id), m[which]));
    void edit(async () => {
      await apply("to");
      h.push({ label: `auto-layout ${moves.length} components`, undo: () => apply("from"), redo: () => apply("to") });
      const moved = new Map(moves.map((m) => [m.id, m.to]));
      fitTo(nodes.map((n) => ({ ...n, position: moved.get(n.id) ?? n.position })), 300);
    });
  }, [flow, nodes, edges, edit, fitTo]);

  const importFile = useCallback(
    async (file: File) => {
      if (!flow) return;
      const parent = flow.id;
      const bounds = document.querySelector("[data-testid=canvas]")?.getBoundingClientRect();
      const position = screenToFlowPosition({
        x: bounds ? bounds.left + bounds.width / 2 - 150 : 300,
        y: bounds ? bounds.top + bounds.height / 2 - 70 : 200,
      });
      const name = await suggestedName(file);
      const h = history;
      warn(null);
      try {
        const group = await uploadDefinition(parent, file, name, position);
        h.push({
          label: `import ${name}`,
          undo: () => deleteComponent("PROCESS_GROUP", h.resolve(group.id)),
          redo: async () => h.remap(group.id, (await uploadDefinition(parent, file, name, position)).id),
        });
        inform(`Imported ${file.name} as the group "${name}". Double-click it to look inside.`);
      } catch (error) {
        warn(`Could not import ${file.name}: ${messageOf(error)}`);
      } finally {
        historyChanged();
        await refresh();
      }
    },
    [flow, screenToFlowPosition, refresh],
  );

  const downloadGroup = useCallback(
    (id: string) =>
      void downloadDefinition(id)
        .then((name) => inform(`Downloaded ${name}.`))
        .catch((error: unknown) => warn(`Could not download the flow definition: ${messageOf(error)}`)),
    [],
  );

  /** Edit one text field of a label (its text) or a port (its name) in place; undoable. */
  const editText = useCallback(
    (kind: "LABEL" | "INPUT_PORT" | "OUTPUT_PORT", id: string, field: "label" | "name", current: string) => {
      const text = window.prompt(kind === "LABEL" ? "Label text" : "Port name", current);
      if (text === null || text === current || (field === "name" && !text.trim())) return;
      const h = history;
      const path = (): string => `/${KIND_PATH[kind]}/${h.resolve(id)}`;
      const put = (value: string) => async () => {
        const entity = await getJson<{ revision: { version: number } }>(path());
        await sendJson("PUT", path(), {
          revision: revisionOf(entity.revision.version),
          component: { id: h.resolve(id), [field]: value },
        });
      };
      void edit(async () => {
        await put(text)();
        h.push({ label: kind === "LABEL" ? "edit label" : "rename port", undo: put(current), redo: put(text) });
      });
    },
    [edit],
  );

  return { copy, paste, autoLayout, importFile, downloadGroup, editText };
}
