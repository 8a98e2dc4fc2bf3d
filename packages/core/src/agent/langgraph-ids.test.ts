import { describe, expect, it } from "vitest";
import { langGraphThreadId } from "./langgraph-ids.ts";

describe("LangGraph thread ids", () => {
  it("are RFC 4122 version 5 UUIDs of the Murmur thread id, stable and distinct", async () => {
    const id = await langGraphThreadId("t_0123");
    // Python: uuid.uuid5(uuid.UUID("1a82a57c-6f0e-437c-b1fc-f6370c60fc7d"), "t_0123")
    expect(id).toBe("d6a1a78c-8217-54ea-b5cd-a0f13b1c6f84");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await langGraphThreadId("t_0123")).toBe(id);
    expect(await langGraphThreadId("t_0124")).not.toBe(id);
  });
});
