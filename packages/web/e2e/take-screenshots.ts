/**
 * Saves screenshots of the main states to docs/screenshots/ (shown in the README).
 * Run after a build: `npm run build && npm run screenshots -w @murmur/web`.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { launchChromium, sendFromComposer, threadIdOf } from "./browser.ts";
import { startServer } from "./server.ts";

const productionBuild = fileURLToPath(new URL("../dist", import.meta.url));

const out = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
mkdirSync(out, { recursive: true });

const MARKDOWN_REPLY = [
  "Here is a **Markdown** reply with a code block:",
  "",
  "```ts",
  'const source = new EventSource("/api/chats/sse/t_1");',
  'source.addEventListener("message.delta", (e) => render(JSON.parse(e.data)));',
  "```",
  "",
  "- every frame carries `id:` = its log position",
  "- a reconnect resumes after `Last-Event-ID`",
].join("\n");

const server = await startServer({ DEMO_PACE_MS: "120" }, productionBuild);
const browser = await launchChromium();
let restarted: LocalServer | undefined;
const shoot = (page: Page, name: string) => page.screenshot({ path: `${out}${name}.png` });
try {
  for (const scheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "How does Murmur deliver a reply?");
    const threadId = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor({ timeout: 30_000 });
    // A Markdown reply as an agent would write it, through the same ingestion as the webhook.
    const base = { threadId, runId: `r_md${scheme}`, messageId: `a_md${scheme}` };
    await server.deps.ingest(threadId, [
      {
        id: `md:${scheme}:m`,
        threadId,
        at: Date.now(),
        type: "message.created",
        messageId: `m_md${scheme}`,
        role: "user",
        text: "Show me the client code",
      },
      { ...base, id: `md:${scheme}:s`, at: Date.now(), type: "run.started", replyTo: `m_md${scheme}`, agent: "assistant" },
      { ...base, id: `md:${scheme}:c`, at: Date.now(), type: "message.completed", text: MARKDOWN_REPLY },
    ]);
    await page.locator(".markdown .code-block .hljs-string").first().waitFor();
    await sendFromComposer(page, "And while it streams?");
    await page.locator('.message[data-status="streaming"] .caret').waitFor();
    await page.waitForTimeout(900);
    await shoot(page, `streaming-${scheme}`);
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.locator('.message[data-status="failed"]').waitFor();
    await shoot(page, `stopped-${scheme}`);
    // The demo's formatted replies: a table, then code.
    await page.getByRole("button", { name: "New chat" }).click();
    await sendFromComposer(page, "compare the designs in a table");
    await page.locator('.message[data-status="complete"] table').waitFor({ timeout: 30_000 });
    await sendFromComposer(page, "show me some code");
    await page.locator('.message[data-status="complete"] .code-block .hljs-keyword').first().waitFor({ timeout: 30_000 });
    await page.locator(".messages").evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await shoot(page, `table-code-${scheme}`);
    await context.close();
  }

  const mobile = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true });
  const phone = await mobile.newPage();
  await phone.goto(server.url);
  await sendFromComposer(phone, "give me a list of steps");
  await phone.locator('.message[data-role="assistant"][data-status="complete"]').waitFor({ timeout: 30_000 });
  await shoot(phone, "mobile-375");
  await phone.getByRole("button", { name: "Chats" }).click();
  await phone.locator("nav.threads").waitFor({ state: "visible" });
  await phone.waitForTimeout(300); // the drawer's slide
  await shoot(phone, "mobile-375-chats");
  await mobile.close();

  const wide = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await wide.newPage();
  await page.goto(server.url);
  await sendFromComposer(page, "A reply that arrives while another chat is open");
  await page.locator('.message[data-role="assistant"][data-status="streaming"]').waitFor();
  await page.getByRole("button", { name: "New chat" }).click();
  await page.locator(".badge").waitFor({ timeout: 20_000 }); // live: the reply ends while another chat is open
  await shoot(page, "unread-badge");
  await server.close();
  await page.getByRole("status").getByText("Reconnecting").waitFor();
  await shoot(page, "reconnecting");
  await page
    .getByRole("status")
    .getByText(/^Offline · retrying in/)
    .waitFor({ timeout: 20_000 });
  await shoot(page, "offline");
  // The same port, memory mode again: the chats are gone, and the tab says so.
  restarted = await startServer({ DEMO_PACE_MS: "120", PORT: new URL(server.url).port }, productionBuild);
  await page.getByRole("button", { name: "Retry now" }).click();
  await page.locator(".gone-notice").waitFor({ timeout: 20_000 });
  await shoot(page, "gone");
  await wide.close();
} finally {
  await browser.close();
  await server.close().catch(() => undefined);
  await restarted?.close();
}
console.log(`screenshots saved to ${out}`);
