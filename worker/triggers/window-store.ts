// Flow-trigger memory in the trigger object's SQLite: the progress of each window group (the
// trigger's preconditions, each MultipleCondition) and the upstream ends already counted, so a
// redelivered end counts once. Synchronous, to be called inside TriggerStore.transaction.
import type { WindowProgress } from "./windows";

type Raw = Record<string, SqlStorageValue>;

export interface WindowKey {
  namespace: string;
  flowId: string;
  triggerId: string;
  group: string;
}

export class WindowStore {
  constructor(private readonly sql: SqlStorage) {}

  progress(k: WindowKey): WindowProgress | undefined {
    const [r] = this.sql
      .exec<Raw>(
        "SELECT state FROM windows WHERE namespace = ? AND flow_id = ? AND trigger_id = ? AND grp = ?",
        k.namespace,
        k.flowId,
        k.triggerId,
        k.group,
      )
      .toArray();
    return r ? (JSON.parse(String(r.state)) as WindowProgress) : undefined;
  }

  setProgress(k: WindowKey, progress: WindowProgress): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO windows (namespace, flow_id, trigger_id, grp, state) VALUES (?, ?, ?, ?, ?)",
      k.namespace,
      k.flowId,
      k.triggerId,
      k.group,
      JSON.stringify(progress),
    );
  }

  /** True the first time a key is seen: one upstream end counts once per trigger, however often delivered. */
  firstSighting(key: string, now: number): boolean {
    if (this.sql.exec<Raw>("SELECT 1 FROM seen_ends WHERE key = ?", key).toArray().length) return false;
    this.sql.exec("INSERT INTO seen_ends (key, at) VALUES (?, ?)", key, now);
    return true;
  }

  /** Forgets sightings older than their horizon: far longer than any redelivery takes. */
  sweep(now: number, ttlMs: number): void {
    this.sql.exec("DELETE FROM seen_ends WHERE at <= ?", now - ttlMs);
  }
}
