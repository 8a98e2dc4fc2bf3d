import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "@murmur/core/testing";
import { describe, expect, it } from "vitest";
import { createOtelTracer } from "../tracing.ts";
import { startOtlpTracing } from "./otel.ts";

describe("OTLP export (OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("sends the spans to <endpoint>/v1/traces, with the service name, by the time tracing stops", async () => {
    const received: { path: string; body: string }[] = [];
    const collector = createServer(async (req, res) => {
      received.push({ path: req.url ?? "", body: await readBody(req) });
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const { port } = collector.address() as AddressInfo;
    const stop = await startOtlpTracing(`http://127.0.0.1:${port}/`);
    try {
      const tracer = createOtelTracer();
      const answer = await tracer.span("send", { "murmur.thread_id": "t_1" }, async () => tracer.traceparent());
      expect(answer).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    } finally {
      await stop();
      collector.close();
    }
    expect(received.map((r) => r.path)).toEqual(["/v1/traces"]);
    expect(received[0]?.body).toContain("murmur.thread_id");
    expect(received[0]?.body).toContain("murmur");
  });
});
