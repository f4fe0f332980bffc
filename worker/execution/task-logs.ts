// The log lines a task may collect (log.Fetch): its own execution's, read from this object's store,
// or another execution's of the same tenant, read from that execution's object (whose name
// carries the tenant, so another tenant's execution is never reached).
import type { ExecutionLog, LogLevel } from "../tasks/types";
import type { RunnerHost } from "./host";
import { logJson } from "./json";
import { executionStub } from "./object";

export async function executionLogs(
  host: RunnerHost,
  executionId: string | undefined,
  minLevel: LogLevel,
): Promise<ExecutionLog[] | undefined> {
  const { scope } = host;
  if (executionId === undefined || executionId === scope.executionId) {
    return host.logs(minLevel).map((r) => logJson(scope.executionId, scope.namespace, scope.flowId, r));
  }
  const stub = executionStub(host.env, scope.tenantId, executionId);
  const [summary, rows] = await Promise.all([stub.summary(), stub.logs({ minLevel })]);
  if (!summary || !rows) return undefined;
  return rows.map((r) => logJson(executionId, summary.namespace, summary.flowId, r));
}
