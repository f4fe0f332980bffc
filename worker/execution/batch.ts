// Coalesces the writes of consecutive engine steps into one SQLite transaction. Steps applied in
// the same turn of the Durable Object commit together anyway, so writing a task run once per turn
// instead of once per step loses nothing; the batch is flushed before the object waits on anything
// but its own microtasks (I/O, a timer, the next request), and at the end of a run.
import type { ExecutionMachine } from "../engine/machine";
import { isTerminal } from "../engine/state";
import type { EngineEvent, MetricEntry, StepResult, TaskRun } from "../engine/types";
import type { ExecutionStore } from "./store";

export class StepBatch {
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly metrics: { taskRunId: string; metric: MetricEntry }[] = [];
  private executionChanged = false;
  private ended = false;
  /** Execution state histories already looked at for non-terminal transitions. */
  private seenHistories: number;

  constructor(
    private readonly store: ExecutionStore,
    private readonly machine: ExecutionMachine,
  ) {
    this.seenHistories = machine.execution.state.histories.length;
  }

  add(result: StepResult, events: readonly EngineEvent[]): void {
    for (const event of events) {
      if (event.type !== "task-result") continue;
      for (const metric of event.result.metrics ?? []) this.metrics.push({ taskRunId: event.taskRunId, metric });
    }
    for (const id of result.removedTaskRuns) {
      this.dirty.delete(id);
      this.removed.add(id);
    }
    for (const id of result.dirtyTaskRuns) this.dirty.add(id);
    this.executionChanged ||= result.executionChanged;
    this.ended ||= result.commands.some((c) => c.type === "ended");
  }

  flush(): void {
    if (!this.dirty.size && !this.removed.size && !this.metrics.length && !this.executionChanged && !this.ended) return;
    const { store, machine } = this;
    store.transaction(() => {
      store.appendMetrics(
        this.metrics.map(({ taskRunId, metric }) => ({
          ...metric,
          taskRunId,
          taskId: machine.taskRun(taskRunId)?.taskId ?? null,
        })),
      );
      for (const id of this.removed) store.removeTaskRun(id);
      const runs: TaskRun[] = [];
      for (const id of this.dirty) {
        const run = machine.taskRun(id);
        if (run) runs.push(run);
      }
      store.saveTaskRuns(runs);
      if (this.executionChanged) store.saveExecution(machine.state);
      this.noteTransitions();
      // The end is announced at least once: the notice commits with the state that ended.
      if (this.ended) {
        const ex = machine.execution;
        store.addNotice(`ended:${ex.metadata.attemptNumber}:${ex.state.histories.length}`);
      }
    });
    this.dirty.clear();
    this.removed.clear();
    this.metrics.length = 0;
    this.executionChanged = false;
    this.ended = false;
  }

  /**
   * Flow triggers may listen to non-terminal states (RUNNING, PAUSED…): each such transition is a
   * notice keyed by its place in the histories, committed with the state it names. CREATED is no
   * transition (Kestra's Flow trigger never sees it); terminal states go with the end notice.
   */
  private noteTransitions(): void {
    const ex = this.machine.execution;
    const histories = ex.state.histories;
    for (let i = this.seenHistories; i < histories.length; i++) {
      const state = histories[i]!.state;
      if (state !== "CREATED" && !isTerminal(state)) {
        this.store.addNotice(stateNoticeKey(ex.metadata.attemptNumber, i + 1, state));
      }
    }
    this.seenHistories = histories.length;
  }
}

/** `state:<attempt>:<transition>:<STATE>`: a non-terminal transition to announce (notices.ts). */
export const stateNoticeKey = (attempt: number, transition: number, state: string) =>
  `state:${attempt}:${transition}:${state}`;
