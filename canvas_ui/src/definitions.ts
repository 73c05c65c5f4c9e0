// Flow definitions: upload a NiFi flow definition file as a new group (as NiFi 2's UI does), and
// download a group as one.

import { CLIENT_ID, request } from "./api";
import { download } from "./provenance";
import type { Position, ProcessGroupEntity } from "./types";

/** The group name a file suggests: its flowContents' name, else the file name without .json. */
export async function suggestedName(file: File): Promise<string> {
  const fallback = file.name.replace(/\.json$/i, "") || "Imported flow";
  try {
    const body = JSON.parse(await file.text()) as { flowContents?: { name?: string }; flow?: { name?: string } };
    return body.flowContents?.name || body.flow?.name || fallback;
  } catch {
    return fallback; // the server says what is wrong with the file
  }
}

export async function uploadDefinition(parentId: string, file: File, name: string, position: Position): Promise<ProcessGroupEntity> {
  const form = new FormData();
  form.set("groupName", name);
  form.set("positionX", String(Math.round(position.x)));
  form.set("positionY", String(Math.round(position.y)));
  form.set("clientId", CLIENT_ID);
  form.set("disconnectedNodeAcknowledged", "false");
  form.set("file", file, file.name);
  const response = await request(`/process-groups/${parentId}/process-groups/upload`, { method: "POST", body: form });
  return (await response.json()) as ProcessGroupEntity;
}

export async function downloadDefinition(groupId: string): Promise<string> {
  return download(`/process-groups/${groupId}/download`, "flow.json");
}
