import { DurableObject } from "cloudflare:workers";

export class ExecutionDurableObject extends DurableObject<Env> {}
