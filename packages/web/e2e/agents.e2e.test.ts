import { errorReply, startFakeLangGraph, startFakeOpenAi, streamedReply } from "@murmur/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { assistantTexts, sendFromComposer } from "./browser.ts";
import { useChromiumAndServer } from "./suite.ts";

// The agent providers as a person sees them: `npm start`'s server with AGENT=openai or
// AGENT=langgraph, each pointed at a local server that speaks the vendor's protocol.

const suite = useChromiumAndServer();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe("agent providers in Chromium", () => {
  it("AGENT=openai streams the model's reply into the page; a 429 shows a readable failure whose retry succeeds", async () => {
    const model = await startFakeOpenAi({ apiKey: "sk-e2e" });
    closers.push(() => model.close());
    const server = await suite.startServer({
      AGENT: "openai",
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: "sk-e2e",
      OPENAI_MODEL: "fake-model",
      OPENAI_MAX_RETRIES: "0",
    });
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);

    model.respond(streamedReply(["The **model** ", "writes ", "token ", "by ", "token."], 120));
    await sendFromComposer(page, "Hello model");
    const reply = page.locator('.message[data-role="assistant"]');
    await page.locator('.message[data-role="assistant"][data-status="streaming"] .caret').waitFor();
    await page.waitForFunction(() =>
      (document.querySelector('.message[data-role="assistant"] .markdown')?.textContent ?? "").includes("writes"),
    );
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    expect(await assistantTexts(page)).toEqual(["The model writes token by token."]);
    expect(await reply.locator("strong").textContent()).toBe("model");
    expect(model.requests.at(-1)?.body).toMatchObject({ model: "fake-model", stream: true });

    model.respond(errorReply(429, "rate_limit_exceeded"), streamedReply(["Better ", "now."]));
    await sendFromComposer(page, "Again");
    const failed = page.locator('.message[data-role="assistant"][data-status="failed"]');
    await failed.waitFor();
    expect(await failed.textContent()).toContain("the model is busy or rate-limited (HTTP 429); try again in a moment");
    await failed.getByRole("button", { name: "Retry", exact: true }).click();
    await page.locator('.message[data-role="assistant"]').nth(2).and(page.locator('[data-status="complete"]')).waitFor();
    expect((await assistantTexts(page)).at(-1)).toBe("Better now.");
  });

  it("AGENT=langgraph: the run completes into the page through the webhook", async () => {
    const graph = await startFakeLangGraph();
    closers.push(() => graph.close());
    const server = await suite.startServer({ AGENT: "langgraph", LANGGRAPH_URL: graph.url, LANGGRAPH_ASSISTANT_ID: "agent" });
    graph.respond({ steps: [{ ai: "Planning. " }, { waitMs: 300 }, { ai: "Done: the graph answered." }] });
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "Hello graph");
    await page.getByText("Thinking").waitFor();
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    expect(await assistantTexts(page)).toEqual(["Planning. Done: the graph answered."]);
    await graph.webhooksDone(1);
    expect(graph.webhooks[0]).toMatchObject({ status: 200, payload: { status: "success" } });
  });
});
