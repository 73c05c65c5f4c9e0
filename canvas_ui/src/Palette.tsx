// The searchable list of processor types (from GET /flow/processor-types), dragged onto the canvas.

import { useEffect, useMemo, useState, type DragEvent } from "react";
import { getJson } from "./api";
import { shortType } from "./format";
import type { ProcessorType } from "./types";

export const DRAG_TYPE = "application/x-nifi-like-component";

export interface DraggedComponent {
  kind: "PROCESSOR" | "PROCESS_GROUP" | "INPUT_PORT" | "OUTPUT_PORT" | "FUNNEL" | "LABEL";
  type?: string;
}

const COMPONENTS: { kind: DraggedComponent["kind"]; icon: string; name: string; hint: string }[] = [
  { kind: "PROCESS_GROUP", icon: "▣", name: "Process Group", hint: "a group of components" },
  { kind: "INPUT_PORT", icon: "⇥", name: "Input Port", hint: "data into a group" },
  { kind: "OUTPUT_PORT", icon: "↦", name: "Output Port", hint: "data out of a group" },
  { kind: "FUNNEL", icon: "▽", name: "Funnel", hint: "merge connections" },
  { kind: "LABEL", icon: "✎", name: "Label", hint: "a note on the canvas" },
];

function startDrag(event: DragEvent, component: DraggedComponent): void {
  event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(component));
  event.dataTransfer.effectAllowed = "copy";
}

export function Palette({ onError }: { onError: (message: string) => void }) {
  const [types, setTypes] = useState<ProcessorType[]>([]);
  const [query, setQuery] = useState("");

  useEffect(() => {
    getJson<{ processorTypes: ProcessorType[] }>("/flow/processor-types")
      .then((body) => setTypes([...body.processorTypes].sort((a, b) => shortType(a.type).localeCompare(shortType(b.type)))))
      .catch((err: Error) => onError(`Could not load the processor types: ${err.message}`));
  }, [onError]);

  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return types.filter((t) => {
      const text = `${t.type} ${t.description} ${t.tags.join(" ")}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
  }, [types, query]);

  return (
    <aside className="palette" aria-label="Palette">
      <div className="palette-section">Components</div>
      <div className="palette-components">
        {COMPONENTS.map((c) => (
          <div
            key={c.kind}
            className="palette-chip"
            draggable
            onDragStart={(e) => startDrag(e, { kind: c.kind })}
            data-testid={c.kind === "PROCESS_GROUP" ? "palette-group" : `palette-${c.kind.toLowerCase().replace("_", "-")}`}
            title={`Drag onto the canvas: ${c.hint}`}
          >
            <span className="palette-icon">{c.icon}</span> {c.name}
          </div>
        ))}
      </div>
      <div className="palette-section">Processors</div>
      <input
        className="palette-search"
        placeholder="Search type, tag or description"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-label="Search processor types"
      />
      <div className="palette-list">
        {shown.map((t) => (
          <div
            key={t.type}
            className="palette-item"
            draggable
            onDragStart={(e) => startDrag(e, { kind: "PROCESSOR", type: t.type })}
            data-testid="palette-item"
            data-type={shortType(t.type)}
            title={t.description}
          >
            <div className="palette-name">{shortType(t.type)}</div>
            <div className="palette-desc">{t.description.split(". ")[0]}</div>
            <div className="palette-tags">
              {t.tags.map((tag) => (
                <span key={tag} className="tag">
                  {tag}
                </span>
              ))}
            </div>
          </div>
        ))}
        {types.length > 0 && shown.length === 0 && <div className="palette-empty">No processor type matches.</div>}
      </div>
    </aside>
  );
}
