import { createHash } from "node:crypto";
import { signWebhook } from "@murmur/core/auth";
import type { StreamProbeConfig } from "./config.ts";

/** One probe event: sent through the signed webhook, then seen on the stream. */
export interface ProbeFrame {
  /** From the start of the webhook request to the frame's arrival. */
  readonly afterSendMs: number;
  /** From the webhook's answer (the event is stored) to the frame's arrival: what the stream adds. */
  readonly afterStoredMs: number;
}

export interface StreamMeasurement {
  /** From the request to the stream's first body byte (cold or warm start, `retry:`). */
  readonly firstByteMs: number;
  /** From the request to the complete `snapshot` frame. */
  readonly snapshotMs: number;
  readonly frames: readonly ProbeFrame[];
  /** Network reads and bytes received: padding shows as bytes, holding back as fewer, later reads. */
  readonly reads: number;
  readonly bytes: number;
}

/**
 * Measures one stream of a deployed Murmur from this machine: opens a session and a
 * thread, opens the stream, then sends `frames` events one at a time through the signed
 * webhook, waiting for each to arrive before the next (`intervalMs` apart).
 */
export async function measureStream(config: StreamProbeConfig, timeoutMs = 30_000): Promise<StreamMeasurement> {
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    // Through CloudFront's OAC a POST carries its body's hash, and the token its own header.
    const hash = createHash("sha256").update(body).digest("hex");
    const res = await fetch(`${config.apiBase}/api${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-amz-content-sha256": hash, ...headers },
      body,
    });
    if (!res.ok) throw new Error(`POST /api${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const { token } = await post("/session", "");
  const auth = { "x-murmur-token": token as string };
  const threadId: string = (await post("/chats", "{}", auth)).thread.id;

  const abort = new AbortController();
  const arrivals = new Map<string, number>();
  const started = performance.now();
  let firstByteMs = -1;
  let snapshotMs = -1;
  let reads = 0;
  let bytes = 0;
  const res = await fetch(`${config.streamBase}/api/chats/sse/${threadId}`, {
    headers: { ...auth, accept: "text/event-stream" },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`the stream answered ${res.status}`);
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const now = performance.now() - started;
      if (firstByteMs < 0) firstByteMs = now;
      reads++;
      bytes += chunk.length;
      buffer += decoder.decode(chunk, { stream: true });
      const blocks = buffer.split("\n\n");
      buffer = blocks.pop() ?? "";
      for (const block of blocks) {
        if (block.includes("event: snapshot") && snapshotMs < 0) snapshotMs = now;
        const id = /"id":"(probe:\d+)"/.exec(block)?.[1];
        if (id) arrivals.set(id, performance.now());
      }
    }
  })().catch(() => undefined);

  const frames: ProbeFrame[] = [];
  try {
    for (let i = 0; i < config.frames; i++) {
      const id = `probe:${i}`;
      const event = { id, threadId, at: Date.now(), type: "message.created", messageId: `m_probe_${i}`, role: "user", text: `probe ${i}` };
      const body = JSON.stringify({ threadId, events: [event] });
      const sentAt = performance.now();
      await post("/webhook/chat-response", body, { "x-murmur-signature": await signWebhook(config.webhookSecret, body) });
      const storedAt = performance.now();
      for (const deadline = sentAt + timeoutMs; !arrivals.has(id); await sleep(2)) {
        if (performance.now() > deadline) throw new Error(`${id} did not arrive on the stream within ${timeoutMs} ms`);
      }
      const arrivedAt = arrivals.get(id) as number;
      frames.push({ afterSendMs: arrivedAt - sentAt, afterStoredMs: arrivedAt - storedAt });
      await sleep(config.intervalMs);
    }
  } finally {
    abort.abort();
    await reading;
  }
  return { firstByteMs, snapshotMs, frames, reads, bytes };
}

/** The measurement as lines of text: first byte, snapshot, and per-frame percentiles. */
export function describeMeasurement(label: string, m: StreamMeasurement): string {
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
    return `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`;
  };
  return [
    `  ${label}`,
    `    first byte          ${Math.round(m.firstByteMs)} ms`,
    `    snapshot            ${Math.round(m.snapshotMs)} ms`,
    `    frame after send    ${stats(m.frames.map((f) => f.afterSendMs))}  (${m.frames.length} frames)`,
    `    frame after stored  ${stats(m.frames.map((f) => f.afterStoredMs))}`,
    `    received            ${m.bytes} bytes in ${m.reads} reads`,
  ].join("\n");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
