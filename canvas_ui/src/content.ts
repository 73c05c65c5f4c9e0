// FlowFile content as a person reads it: text, pretty-printed JSON or a hex dump.

export type ContentView = "text" | "json" | "hex";

export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join("\n");
}

export function renderContent(bytes: Uint8Array, view: ContentView): string {
  if (view === "hex") return hexDump(bytes);
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (view === "json") {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (err) {
      return `Not valid JSON (${(err as Error).message}). As text:\n\n${text}`;
    }
  }
  return text;
}
