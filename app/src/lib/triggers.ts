// Trigger types as people say them: `io.kestra.plugin.core.trigger.Schedule` → `Schedule`.
export const shortTypeName = (type: string): string => type.split(".").at(-1) ?? type;
