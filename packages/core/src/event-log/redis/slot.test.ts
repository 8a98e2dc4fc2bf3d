import { describe, expect, it } from "vitest";
import { keySlot } from "./slot.ts";

// The cluster specification's examples and rules (the cluster suite also checks against CLUSTER KEYSLOT).
describe("keySlot", () => {
  it("hashes the tag between the first { and the next }, or the whole key", () => {
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("user1000")).toBe(keySlot("{user1000}.following"));
    expect(keySlot("foo{bar}{zap}")).toBe(keySlot("bar"));
    expect(keySlot("foo{{bar}}zap")).toBe(keySlot("{bar"));
    // An empty tag hashes the whole key.
    expect(keySlot("foo{}{bar}")).not.toBe(keySlot("bar"));
    expect(keySlot("murmur:{8f3a2b1c}:thread:t_8f3a2b1cx")).toBe(keySlot("8f3a2b1c"));
  });
});
