// Finding a task's declaration in a flow's JSON by id, wherever it is nested (for a Pause's onResume).
export function findTask(node: unknown, taskId: string): Record<string, unknown> | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findTask(item, taskId);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== "object") return undefined;
  const obj = node as Record<string, unknown>;
  if (obj.id === taskId && typeof obj.type === "string") return obj;
  for (const [key, value] of Object.entries(obj)) {
    if (key === "inputs" || key === "outputs" || key === "triggers") continue;
    const found = findTask(value, taskId);
    if (found) return found;
  }
  return undefined;
}
