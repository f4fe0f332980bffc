// Dashboard paths, built in one place.
const e = encodeURIComponent;

export const executionPath = (tenant: string, ex: { namespace: string; flowId: string; id: string }): string =>
  `/ui/${e(tenant)}/executions/${e(ex.namespace)}/${e(ex.flowId)}/${e(ex.id)}`;

export const flowPath = (tenant: string, namespace: string, id: string): string =>
  `/ui/${e(tenant)}/flows/${e(namespace)}/${e(id)}`;
