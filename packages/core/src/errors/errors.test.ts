import { describe, expect, it } from "vitest";
import { UnavailableError, ValidationError } from "./index.ts";

describe("errors", () => {
  it("carry a code, a message naming the problem, and the cause", () => {
    const cause = new Error("ECONNREFUSED");
    const error = new UnavailableError("event log unreachable", { cause, retryAfterSeconds: 5 });
    expect(error).toMatchObject({ code: "unavailable", retryAfterSeconds: 5, cause, name: "UnavailableError" });
    expect(new ValidationError("invalid body", ["text: must not be empty"]).message).toBe("invalid body: text: must not be empty");
  });
});
