import { signWebhook } from "@murmur/core/auth";
import { parseSse } from "@murmur/core/testing";
import { TEST_SECRETS } from "../../src/lambda/testing/cloud-fixture.ts";
import { FUNCTIONS, type FunctionSpec } from "./functions.ts";
import type { HeldStream } from "./probe-hold.ts";
import type { MemorySample } from "./probe-memory.ts";
import { lambdaV8Flags, runProbe } from "./probe-runner.ts";
import type { HoldRun } from "./results.ts";
import type { BenchServices } from "./services.ts";

/** The held stream's heartbeat: a third of the cloud's 15 s, so a short hold still sends several. */
const HOLD_HEARTBEAT_MS = 5000;

const spec = (name: FunctionSpec["name"]) => FUNCTIONS.find((f) => f.name === name) as FunctionSpec;

/** An external agent's reply, as it would POST it to the Webhook function. */
function externalReply(threadId: string): object[] {
  const at = Date.now();
  const base = { threadId, runId: "r_bench", messageId: "a_bench" };
  return [
    { id: "bench:m", threadId, at, type: "message.created", messageId: "m_bench", role: "user", text: "And from outside?" },
    { ...base, id: "bench:s", at, type: "run.started", replyTo: "m_bench", agent: "external" },
    ...Array.from({ length: 20 }, (_, seq) => ({ ...base, id: `bench:d${seq}`, at, type: "message.delta", seq, text: `word${seq} ` })),
    { ...base, id: "bench:c", at, type: "message.completed", text: Array.from({ length: 20 }, (_, i) => `word${i} `).join("") },
  ];
}

/** What a stream's body carried: events by name, heartbeats, and why it closed. */
function carried(body: string): Pick<HoldRun, "events" | "heartbeats" | "closeReason"> {
  const items = parseSse(body);
  const events: Record<string, number> = {};
  for (const item of items) if (item.event) events[item.event] = (events[item.event] ?? 0) + 1;
  const close = items.filter((item) => item.event === "close").at(-1);
  return {
    events,
    heartbeats: items.filter((item) => item.comment === "ping").length,
    closeReason: close?.data ? ((JSON.parse(close.data) as { reason?: string }).reason ?? null) : null,
  };
}

/**
 * One stream held by the Stream bundle (at its memory size in FUNCTIONS) while the
 * other three bundles do their part: Api makes the session and thread and sends a
 * message, Agent writes the reply it was invoked for, Webhook lands an external agent's
 * events. Each bundle runs in a fresh process with its own environment. Failures are
 * added to `problems`; null when the stream could not be held.
 */
export async function holdOneStream(options: {
  probe: string;
  services: BenchServices;
  paths: Record<string, string>;
  holdMs: number;
  problems: string[];
}): Promise<HoldRun | null> {
  const { probe, services, paths, holdMs, problems } = options;
  const job = <T>(name: FunctionSpec["name"], jobName: string, args: object, env: Record<string, string> = {}, onMessage?: () => void) =>
    runProbe<T>({
      probe,
      job: jobName,
      bundle: paths[name] as string,
      args,
      env: { ...services.environment(spec(name)), ...env },
      nodeArgs: lambdaV8Flags(spec(name).memoryMb),
      timeoutMs: holdMs + 30_000,
      onMessage,
    });
  try {
    const { token, threadId } = await job<{ token: string; threadId: string }>("Api", "session", {});
    let opened: () => void = () => undefined;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const held = job<HeldStream>("Stream", "hold", { token, threadId, holdMs }, { SSE_HEARTBEAT_MS: String(HOLD_HEARTBEAT_MS) }, () =>
      opened(),
    );
    await Promise.race([open, held]);
    const invokes = services.invokeApi.invokes.length;
    await job("Api", "send", { token, threadId, messageId: "m_hello", text: "Hello from the bundle bench" });
    const payload = services.invokeApi.invokes[invokes]?.payload;
    if (!payload) throw new Error("send invoked no Agent");
    const { peak: agentPeak } = await job<{ peak: MemorySample }>("Agent", "agent", { payload });
    const webhookBody = JSON.stringify({ threadId, events: externalReply(threadId) });
    await job("Webhook", "webhook", { body: webhookBody, signature: await signWebhook(TEST_SECRETS.webhook, webhookBody) });
    const { body, ...result } = await held;
    const { events, heartbeats, closeReason } = carried(body);
    const expected = { "message.created": 2, "run.started": 2, "message.completed": 2, close: 1 };
    for (const [event, n] of Object.entries(expected)) {
      if ((events[event] ?? 0) < n) problems.push(`the held stream carried ${events[event] ?? 0} ${event}, not ${n}`);
    }
    const memoryMb = spec("Stream").memoryMb;
    const marginBytes = memoryMb * 2 ** 20 - result.peak.rss;
    if (marginBytes <= 0) problems.push(`the held stream's RSS peaked at ${result.peak.rss} bytes, over ${memoryMb} MB`);
    const agent = { memoryMb: spec("Agent").memoryMb, peak: agentPeak };
    return { ...result, events, heartbeats, closeReason, memoryMb, heartbeatMs: HOLD_HEARTBEAT_MS, marginBytes, agent };
  } catch (error) {
    problems.push(`holding a stream failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
