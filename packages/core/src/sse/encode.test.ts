import { describe, expect, it } from "vitest";
import { encodeComment, encodeFrame } from "./encode.ts";

describe("SSE encoding", () => {
  it("writes fields in order and ends with a blank line", () => {
    expect(encodeFrame({ id: "e:1-0", event: "message.delta", data: '{"a":1}', retry: 1500 })).toBe(
      'retry: 1500\nid: e:1-0\nevent: message.delta\ndata: {"a":1}\n\n',
    );
  });

  it("splits data on every kind of line break", () => {
    expect(encodeFrame({ data: "a\nb\r\nc\rd" })).toBe("data: a\ndata: b\ndata: c\ndata: d\n\n");
    expect(encodeFrame({ data: "" })).toBe("data: \n\n");
  });

  it("refuses an id or event name that would inject a field", () => {
    expect(() => encodeFrame({ id: "1\nevent: x" })).toThrow(TypeError);
    expect(() => encodeFrame({ event: "a\rb" })).toThrow(TypeError);
    expect(() => encodeFrame({ retry: 1.5 })).toThrow(TypeError);
  });

  it("encodes comments on one line", () => {
    expect(encodeComment("ping")).toBe(": ping\n\n");
    expect(encodeComment("a\nb")).toBe(": a b\n\n");
  });

  it("encodes an empty frame as nothing", () => {
    expect(encodeFrame({})).toBe("");
  });
});
