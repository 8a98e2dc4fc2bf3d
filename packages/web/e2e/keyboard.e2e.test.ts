import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { demoReply } from "@murmur/core/agent";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { assistantTexts, sendFromComposer, threadIdOf } from "./browser.ts";
import { ingestExchange, logEvents, WAIT } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { label: el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? "", outline: el ? getComputedStyle(el).outlineStyle : "" };
  });

/** Serious and critical axe-core violations on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated by the browser's debugger, not as a page script: the page's CSP allows none inline.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (context: Document) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

describe("keyboard, focus and accessibility in Chromium", () => {
  it("New chat puts focus in the composer, Esc stops the reply, Ctrl/Cmd+K focuses the search", async () => {
    const server = await suite.startServer({ DEMO_PACE_MS: "120" });
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    await page.getByRole("button", { name: "New chat" }).waitFor();
    await page.keyboard.press("Tab");
    expect((await focused(page)).label).toBe("New chat");
    await page.keyboard.press("Enter");
    const threadId = await threadIdOf(page);
    await expect.poll(async () => (await focused(page)).label, WAIT).toBe("Message");
    await page.keyboard.type("please write a long answer");
    await page.keyboard.press("Enter");
    await expect.poll(async () => ((await assistantTexts(page))[0] ?? "").length, WAIT).toBeGreaterThan(5);
    await page.keyboard.press("Escape");
    await page.locator('.message[data-role="assistant"][data-status="failed"]').waitFor();
    await server.deps.invoker.idle();
    expect((await logEvents(server, threadId)).filter((e) => e.type === "message.failed")).toEqual([
      expect.objectContaining({ kind: "stopped" }),
    ]);

    await page.keyboard.press("Control+k");
    expect((await focused(page)).label).toBe("Search chats");
    await page.keyboard.press("Meta+k");
    expect((await focused(page)).label).toBe("Search chats");
  });

  it("reaches every control by Tab, each visibly focused", async () => {
    const server = await suite.startServer();
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "hello there");
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    const seen = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      const { label, outline } = await focused(page);
      if (!seen.has(label)) seen.set(label, outline);
    }
    for (const control of [
      "New chat",
      "Search chats",
      /^Rename/,
      /^Delete/,
      "Conversation",
      "Copy message",
      "Edit message",
      "Regenerate reply",
      "Message",
    ]) {
      const entry = [...seen].find(([label]) => (typeof control === "string" ? label === control : control.test(label)));
      expect(entry, `Tab reaches ${control}`).toBeDefined();
      expect(entry?.[1], `${control} shows its focus`).not.toBe("none");
    }
  });

  it("copies a message, regenerates the last reply as a new run, and edits the last message to send it again", async () => {
    const server = await suite.startServer();
    const context = await suite.browser().newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const page = await context.newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "hello there");
    const threadId = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    await page.locator('.message[data-role="assistant"]').getByRole("button", { name: "Copy message" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(demoReply({ prompt: "hello there", history: [] }));

    await page.getByRole("button", { name: "Regenerate reply" }).click();
    await expect.poll(() => page.locator('.message[data-role="assistant"][data-status="complete"]').count(), WAIT).toBe(2);
    expect((await assistantTexts(page))[1]).toBe(demoReply({ prompt: "hello there", history: [], attempt: 1 }));
    await page.locator(".attempt", { hasText: "reply 2 of 2" }).waitFor();
    const runs = (await logEvents(server, threadId)).filter((e) => e.type === "run.started");
    expect(new Set(runs.map((e) => ("runId" in e ? e.runId : "")))).toHaveProperty("size", 2);

    await page.getByRole("button", { name: "Edit message" }).click();
    const box = page.getByRole("textbox", { name: "Message" });
    expect(await box.inputValue()).toBe("hello there");
    await box.fill("hello there, again");
    await box.press("Enter");
    await expect.poll(() => page.locator('.message[data-role="user"]').count(), WAIT).toBe(2);
    await expect.poll(() => page.locator('.message[data-role="assistant"][data-status="complete"]').count(), WAIT).toBe(3);
    // Exact times on hover, relative ones shown.
    const time = page.locator('.message[data-role="user"] time').first();
    expect(await time.getAttribute("title")).toMatch(/\d/);
    expect(await time.textContent()).toMatch(/now|sec/);
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`has no serious or critical axe-core violation on the main screens (${scheme})`, async () => {
      const server = await suite.startServer();
      const page = await (await suite.browser().newContext({ colorScheme: scheme, viewport: { width: 1280, height: 800 } })).newPage();
      // The app runs whole under its strict CSP (no inline script or style): nothing is refused.
      const refused: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" && /Content Security Policy/i.test(m.text())) refused.push(m.text());
      });
      await page.goto(server.url);
      await page.getByRole("button", { name: "New chat" }).waitFor();
      expect(await axeViolations(page), "the empty page").toEqual([]);
      await sendFromComposer(page, "compare the designs in a table");
      const threadId = await threadIdOf(page);
      await page.locator('.message[data-role="assistant"][data-status="complete"] table').waitFor();
      await ingestExchange(
        server,
        threadId,
        "code",
        "code?",
        "Here:\n\n```ts\nconst a = 1;\n```\n\n- [x] done\n- [ ] todo\n\n> a quote with a [link](https://example.com)",
      );
      await page.locator(".code-block .hljs-keyword").waitFor();
      await page.getByRole("button", { name: "Delete “compare the designs in a table”" }).click();
      await page.getByRole("button", { name: "Undo" }).waitFor();
      expect(await axeViolations(page), "a chat with a table, code, a task list and the undo toast").toEqual([]);
      await page.getByRole("button", { name: "Undo" }).click();
      await page.setViewportSize({ width: 375, height: 740 });
      await page.getByRole("button", { name: "Chats" }).click();
      await page.locator("nav.threads").waitFor({ state: "visible" });
      expect(await axeViolations(page), "375 px with the chats open").toEqual([]);
      expect(refused).toEqual([]);
    });
  }
});
