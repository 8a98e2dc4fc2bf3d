import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../testing/config.ts";
import { WEB_CSP } from "../web-headers.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

// The local server over real HTTP: the web app's pages carry the CSP and the other
// headers; nothing under /api falls through to the page; a form's POST is refused.

let server: LocalServer;
let dist: string;
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "murmur-web-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(dist, "assets", "app.js"), "console.log(1)");
  server = await startLocalServer(testConfig(), { webDist: dist });
});
afterAll(async () => {
  await server?.close();
  rmSync(dist, { recursive: true, force: true });
});

describe("the local server's web app", () => {
  it("serves pages, client routes and assets with a strict CSP, no framing, nosniff and a Referrer-Policy", async () => {
    for (const path of ["/", "/t/t_0123", "/assets/app.js"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-security-policy")).toBe(WEB_CSP);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    }
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_CSP).not.toContain("unsafe-inline");
  });

  it("answers unknown /api paths with the JSON 404, never the page", async () => {
    const res = await fetch(`${server.url}/api/unknown/path`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("refuses what an HTML form on another site sends with the cookie, over real HTTP", async () => {
    const created = await fetch(`${server.url}/api/session`, { method: "POST" });
    const cookie = (created.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const form = await fetch(`${server.url}/api/chats`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: "https://evil.example", "Content-Type": "text/plain" },
      body: "{}",
    });
    expect(form.status).toBe(415);
    const untyped = await fetch(`${server.url}/api/chats`, {
      method: "POST",
      headers: { Cookie: cookie },
      body: new Uint8Array([123, 125]),
    });
    expect(untyped.status).toBe(415);
    const foreign = await fetch(`${server.url}/api/chats`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: "https://evil.example", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(foreign.status).toBe(403);
    const own = await fetch(`${server.url}/api/chats`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: server.url, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(own.status).toBe(201);
  });
});
