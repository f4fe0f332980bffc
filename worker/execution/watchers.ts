// Who is watching an execution from outside its Durable Object: `wait=true` callers and `follow`
// streams. The object calls `notify` after every batch of steps; each watcher decides what to send.
import { isTerminal } from "../engine/state";
import type { StateType } from "../engine/types";
import type { ExecutionJson } from "./json";

export interface Watched {
  state(): StateType;
  json(): ExecutionJson;
  /** Work still in flight: a `follow` stream ends only once the execution is terminal and idle. */
  busy(): boolean;
}

export class Watchers {
  private readonly all = new Set<() => void>();

  notify(): void {
    for (const watcher of [...this.all]) watcher();
  }

  /** Resolves once the execution is terminal (PAUSED does not count), or at the timeout. */
  waitForEnd(target: Watched, timeoutMs: number): Promise<void> {
    if (isTerminal(target.state())) return Promise.resolve();
    return new Promise<void>((done) => {
      const finish = () => {
        clearTimeout(timer);
        this.all.delete(watcher);
        done();
      };
      const timer = setTimeout(finish, timeoutMs);
      const watcher = () => {
        if (isTerminal(target.state())) finish();
      };
      this.all.add(watcher);
    });
  }

  /** Server-sent events: the execution now, then one event per change, `end` when terminal. */
  follow(target: Watched): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const stop = () => {
      this.all.delete(watcher);
      writer.close().catch(() => {});
    };
    const send = (id: string, data: unknown) =>
      writer.write(encoder.encode(`id: ${id}\nevent: ${id}\ndata: ${JSON.stringify(data)}\n\n`)).catch(stop);
    const watcher = () => {
      const json = target.json();
      void send("progress", json);
      if (isTerminal(target.state()) && !target.busy()) {
        void send("end", json);
        stop();
      }
    };
    this.all.add(watcher);
    watcher();
    return readable;
  }
}
