// Benchmark-only baselines for `npm run bench` (see wrangler.toml beside this file):
//   POST /workflow?n=40  creates a SeqWorkflow instance (n sequential step.do, each returning a small
//                        value), polls instance.status() here until it is terminal, and answers the
//                        times the workflow recorded itself plus create→complete seen from this Worker.
//   POST /bare?n=40&rounds=1  one request to a bare SQLite Durable Object that does n single-row
//                        writes (× rounds, each round a fresh table), each write its own transaction
//                        (Peregrine commits one transaction per step).
//   POST /fresh          the floor of one-object-per-execution under load: a new Durable Object per
//                        request that stores an execution, two task runs and a log line in one
//                        transaction (the tables an execution object keeps), then answers.
//   POST /flow?n=2       a new Workflow instance per request with n steps, answered at once (the
//                        load row's Workflows side; completion is read back with /status).
//   GET  /status?ids=a,b the Workflow instances' states, for the load row's latency and throughput.
import { DurableObject, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";

interface BaselineEnv {
  SEQ: Workflow<{ n: number }>;
  BARE: DurableObjectNamespace<BareDurableObject>;
}

export class SeqWorkflow extends WorkflowEntrypoint<BaselineEnv, { n: number }> {
  override async run(event: Readonly<WorkflowEvent<{ n: number }>>, step: WorkflowStep) {
    const n = event.payload.n;
    // Each step records when its body ran; the values are cached by the engine, so a replay of
    // run() keeps the original times.
    let first = 0;
    let last = "";
    for (let i = 0; i < n; i++) {
      const out = await step.do(`s${i}`, async () => ({ at: Date.now(), value: String(i + 1) }));
      if (i === 0) first = out.at;
      last = out.value;
    }
    return { firstStepAt: first, endAt: Date.now(), last };
  }
}

export class BareDurableObject extends DurableObject<BaselineEnv> {
  /**
   * `rounds` × n single-row writes, each round into a fresh table, each write its own transaction.
   * Several rounds in one request give a figure finer than the 1 ms the Workers clock shows.
   */
  writes(n: number, rounds: number): { insideMs: number; perRoundMs: number; rows: number } {
    const sql = this.ctx.storage.sql;
    const startDate = Date.now();
    let rows = 0;
    for (let r = 0; r < rounds; r++) {
      const table = `runs_${r}_${startDate}`;
      sql.exec(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, state TEXT NOT NULL, doc TEXT NOT NULL)`);
      for (let i = 0; i < n; i++) {
        const id = `r${i}`;
        this.ctx.storage.transactionSync(() => {
          sql.exec(
            `INSERT OR REPLACE INTO ${table} (id, state, doc) VALUES (?, ?, ?)`,
            id,
            "SUCCESS",
            JSON.stringify({ id, value: String(i + 1) }),
          );
        });
      }
      rows += Number(sql.exec(`SELECT count(*) AS c FROM ${table}`).one().c);
    }
    const insideMs = Date.now() - startDate;
    return { insideMs, perRoundMs: insideMs / Math.max(1, rounds), rows };
  }

  /** What a fresh execution object writes at the least: its tables, and its first rows in one transaction. */
  execution(id: string): { id: string; rows: number } {
    const sql = this.ctx.storage.sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS execution (k INTEGER PRIMARY KEY, doc TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS task_runs (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS logs (seq INTEGER PRIMARY KEY, message TEXT NOT NULL)`,
    );
    const at = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      sql.exec("INSERT OR REPLACE INTO execution (k, doc) VALUES (1, ?)", JSON.stringify({ id, state: "SUCCESS", at }));
      for (const task of ["output", "log"]) {
        sql.exec("INSERT OR REPLACE INTO task_runs (id, doc) VALUES (?, ?)", task, JSON.stringify({ task, at }));
      }
      sql.exec("INSERT OR REPLACE INTO logs (seq, message) VALUES (0, ?)", "hello from the benchmark");
    });
    return { id, rows: 4 };
  }
}

async function runWorkflow(env: BaselineEnv, n: number): Promise<Response> {
  const created = Date.now();
  const instance = await env.SEQ.create({ params: { n } });
  const deadline = created + 120_000;
  for (;;) {
    const s = await instance.status();
    if (s.status === "complete" || s.status === "errored" || s.status === "terminated") {
      const wallMs = Date.now() - created;
      return Response.json({ id: instance.id, status: s.status, error: s.error ?? null, output: s.output, wallMs });
    }
    if (Date.now() > deadline) return Response.json({ id: instance.id, status: "timeout" }, { status: 504 });
    await new Promise((r) => setTimeout(r, 2));
  }
}

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const url = new URL(request.url);
    const n = Math.min(10_000, Math.max(0, Number(url.searchParams.get("n") ?? 40)));
    if (url.pathname === "/health") return new Response("ok");
    if (request.method === "POST" && url.pathname === "/workflow") return runWorkflow(env, n);
    if (request.method === "POST" && url.pathname === "/fresh") {
      const id = env.BARE.newUniqueId();
      return Response.json(await env.BARE.get(id).execution(id.toString()));
    }
    if (request.method === "POST" && url.pathname === "/flow") {
      const createdAt = Date.now();
      const instance = await env.SEQ.create({ params: { n } });
      return Response.json({ id: instance.id, createdAt });
    }
    if (request.method === "GET" && url.pathname === "/status") {
      const ids = (url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
      const states = await Promise.all(
        ids.map(async (id) => {
          const s = await (await env.SEQ.get(id)).status();
          return { id, status: s.status, output: s.output ?? null };
        }),
      );
      return Response.json(states);
    }
    if (request.method === "POST" && url.pathname === "/bare") {
      const stub = env.BARE.get(env.BARE.idFromName(url.searchParams.get("name") ?? "bare"));
      const t0 = Date.now();
      const rounds = Math.min(100, Math.max(1, Number(url.searchParams.get("rounds") ?? 1)));
      const inside = await stub.writes(n, rounds);
      return Response.json({ ...inside, requestMs: Date.now() - t0 });
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<BaselineEnv>;
