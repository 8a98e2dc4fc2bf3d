import { describe, expect, it } from "vitest";
import { UnauthorizedError } from "../errors/index.ts";
import { createSessionTokens } from "./session-token.ts";

const secret = "s".repeat(32);

describe("session tokens", () => {
  it("issues a token that verifies to the same session until it expires", async () => {
    const tokens = createSessionTokens(secret, 60);
    const { token, session } = await tokens.issue("s_abc", 1000);
    expect(session).toEqual({ sessionId: "s_abc", expiresAt: 1060 });
    await expect(tokens.verify(token, 1059)).resolves.toEqual(session);
    await expect(tokens.verify(token, 1060)).rejects.toThrow("session token expired");
  });

  it("refuses a token signed with another secret or altered", async () => {
    const { token } = await createSessionTokens("x".repeat(32), 60).issue("s_abc", 1000);
    const tokens = createSessionTokens(secret, 60);
    await expect(tokens.verify(token, 1000)).rejects.toThrow("signature does not match");
    const { token: good } = await tokens.issue("s_abc", 1000);
    const [v, , sig] = good.split(".");
    const forged = `${v}.${Buffer.from(JSON.stringify({ sid: "s_other", exp: 9e9 })).toString("base64url")}.${sig}`;
    await expect(tokens.verify(forged, 1000)).rejects.toThrow("signature does not match");
  });

  it.each(["", "v1", "v1.a", "v2.a.b", "v1.a.b.c", "v1.!!.b"])("refuses the malformed token %j", async (token) => {
    await expect(createSessionTokens(secret, 60).verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("refuses a short secret", () => {
    expect(() => createSessionTokens("short", 60)).toThrow(/at least 32/);
  });
});
