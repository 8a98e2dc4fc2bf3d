import { describe, expect, it } from "vitest";
import { traceContextOf, traceIdOf } from "./request-id.ts";

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("request ids", () => {
  it("takes the trace id of a W3C traceparent, and the traceparent as the parent", () => {
    expect(traceIdOf(PARENT)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(traceContextOf({ traceparent: PARENT })).toEqual({
      requestId: "4bf92f3577b34da6a3ce929d0e0e4736",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      traceparent: PARENT,
    });
  });

  it("honours a safe x-request-id, beside the trace", () => {
    expect(traceContextOf({ requestId: "req-42.a:b_c", traceparent: PARENT })).toMatchObject({
      requestId: "req-42.a:b_c",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
  });

  it("ignores what is not valid and makes a new id, refusing nothing", () => {
    for (const bad of [
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "nope",
    ]) {
      expect(traceIdOf(bad)).toBeNull();
    }
    const made = traceContextOf({ requestId: `x${"y".repeat(200)}`, traceparent: "garbage" });
    expect(made.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(made.requestId).toBe(made.traceId);
    expect(made.traceparent).toBeUndefined();
    expect(traceContextOf({ requestId: "a b<script>" }).requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceContextOf({}).traceId).not.toBe(traceContextOf({}).traceId);
  });
});
