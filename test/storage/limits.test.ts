// The storage limit's one writer, against the real R2 binding: files within the limit are stored
// whole, whatever their body; a file over it fails with an error naming the file and the limit,
// and leaves no object behind (nor a pending multipart upload's object).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FileTooLarge, fileLimit, putLimited } from "../../worker/storage/limits";
import { createTenant } from "../helpers/tenant";

let n = 0;
const key = () => `limits-test/${Date.now()}-${n++}/file.bin`;

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

const bytes = (length: number, fill = 97) => new Uint8Array(length).fill(fill);

describe("putLimited", () => {
  it("stores a string, a buffer and a short stream within the limit, and reports their size", async () => {
    const [a, b, c] = [key(), key(), key()];
    expect(await putLimited(env.STORAGE, a, "héllo", { fileName: "a.txt", limit: 6 })).toBe(6);
    expect(await putLimited(env.STORAGE, b, bytes(10).buffer, { fileName: "b.bin", limit: 10 })).toBe(10);
    expect(await putLimited(env.STORAGE, c, streamOf([bytes(3), bytes(4)]), { fileName: "c", limit: 7 })).toBe(7);
    expect(await (await env.STORAGE.get(a))?.text()).toBe("héllo");
    expect((await env.STORAGE.head(b))?.size).toBe(10);
    expect((await env.STORAGE.head(c))?.size).toBe(7);
  });

  it("refuses a body over the limit with FileTooLarge naming the file and the limit, and stores nothing", async () => {
    for (const body of ["x".repeat(11), bytes(11).buffer, streamOf([bytes(6), bytes(5)])]) {
      const k = key();
      const error = await putLimited(env.STORAGE, k, body, { fileName: "big.csv", limit: 10 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileTooLarge);
      expect((error as Error).message).toContain("'big.csv'");
      expect((error as Error).message).toContain("10-byte limit");
      expect(await env.STORAGE.head(k)).toBeNull();
    }
  });

  it("streams a long body through a multipart upload, and aborts it (nothing visible) past the limit", async () => {
    const part = 5 * 1024 * 1024;
    const chunks = () => [bytes(3 * 1024 * 1024, 1), bytes(3 * 1024 * 1024, 2), bytes(1024 * 1024, 3)];
    const ok = key();
    const size = await putLimited(env.STORAGE, ok, streamOf(chunks()), {
      fileName: "ok.bin",
      limit: 8 * 1024 * 1024,
      partBytes: part,
    });
    expect(size).toBe(7 * 1024 * 1024);
    const stored = new Uint8Array(await (await env.STORAGE.get(ok))!.arrayBuffer());
    expect(stored.byteLength).toBe(size);
    expect([stored[0], stored[3 * 1024 * 1024], stored[size - 1]]).toEqual([1, 2, 3]);

    const over = key();
    const error = await putLimited(env.STORAGE, over, streamOf(chunks()), {
      fileName: "over.bin",
      limit: 6 * 1024 * 1024,
      partBytes: part,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileTooLarge);
    expect(await env.STORAGE.head(over)).toBeNull();
  });

  it("reads the limit from MAX_FILE_BYTES, falling back to 100 MiB when unset or not a positive integer", () => {
    expect(fileLimit({ MAX_FILE_BYTES: "2048" })).toBe(2048);
    for (const bad of [undefined, "", "0", "-5", "1.5", "lots"]) {
      expect(fileLimit({ MAX_FILE_BYTES: bad })).toBe(100 * 1024 * 1024);
    }
    // The tests run with MAX_FILE_BYTES = 1 MiB (vitest.config.ts).
    expect(fileLimit({ MAX_FILE_BYTES: String(Reflect.get(env, "MAX_FILE_BYTES")) })).toBe(1024 * 1024);
  });
});

describe("FILE inputs over the limit", () => {
  it("answers 413 naming the file and the limit", async () => {
    const t = await createTenant();
    const flow =
      "id: upload\nnamespace: qa\ninputs:\n  - id: f\n    type: FILE\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    expect(
      (await t.fetch("flows", { method: "POST", headers: { "Content-Type": "application/x-yaml" }, body: flow }))
        .status,
    ).toBe(200);
    const form = new FormData();
    form.set("f", new File([bytes(1024 * 1024 + 1)], "huge.bin"));
    const res = await t.fetch("executions/qa/upload", { method: "POST", body: form });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("payload_too_large");
    expect(body.message).toContain("huge.bin");
    expect(body.message).toContain("1048576-byte limit");
  });
});
