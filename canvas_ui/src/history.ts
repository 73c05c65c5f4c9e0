// Undo / redo of canvas edits. A re-created component gets a new id from the server, so
// commands name components by their first id and resolve it through the remapping kept here.

export interface Command {
  label: string;
  undo(): Promise<void>;
  redo(): Promise<void>;
}

export class History {
  private done: Command[] = [];
  private undone: Command[] = [];
  private ids = new Map<string, string>();

  resolve(id: string): string {
    let resolved = id;
    for (let next = this.ids.get(resolved); next !== undefined; next = this.ids.get(resolved)) resolved = next;
    return resolved;
  }

  remap(oldId: string, newId: string): void {
    if (oldId !== newId) this.ids.set(this.resolve(oldId), newId);
  }

  push(command: Command): void {
    this.done.push(command);
    this.undone = [];
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  nextUndo(): string | undefined {
    return this.done[this.done.length - 1]?.label;
  }

  nextRedo(): string | undefined {
    return this.undone[this.undone.length - 1]?.label;
  }

  async undo(): Promise<void> {
    const command = this.done.pop();
    if (!command) return;
    try {
      await command.undo();
    } catch (error) {
      this.done.push(command);
      throw error;
    }
    this.undone.push(command);
  }

  async redo(): Promise<void> {
    const command = this.undone.pop();
    if (!command) return;
    try {
      await command.redo();
    } catch (error) {
      this.undone.push(command);
      throw error;
    }
    this.done.push(command);
  }
}
