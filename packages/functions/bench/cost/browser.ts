import { parseSse } from "@murmur/core/testing";
import type { Cloud } from "./cloud.ts";
import type { Meter } from "./meter.ts";

/** The stream policy a browser follows, as the session response gives it. */
export interface StreamSettings {
  readonly policy: "always" | "on-demand";
  readonly lingerMs: number;
  readonly idleCheckMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A browser following the web app's stream policy (packages/web: one stream per browser,
 * held by the leader tab), scripted: what it asks the server, and when. The Chromium
 * e2e tests check that the real app asks the same.
 */
export class ScriptedBrowser {
  private cookie = "";
  private cursor = "";
  private position = "";
  threadId = "";
  settings: StreamSettings = { policy: "on-demand", lingerMs: 0, idleCheckMs: 60_000 };
  private client = `b_${Math.random().toString(36).slice(2, 10)}`;

  constructor(
    private readonly cloud: Cloud,
    private readonly meter: Meter,
  ) {}

  private json(method: string, path: string, body?: unknown) {
    return this.cloud.api({
      method,
      path,
      cookies: this.cookie ? [this.cookie] : [],
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Another tab of this browser: the same cookie, browser id and thread. */
  tab(): ScriptedBrowser {
    const tab = new ScriptedBrowser(this.cloud, this.meter);
    Object.assign(tab, { cookie: this.cookie, client: this.client, threadId: this.threadId });
    return tab;
  }

  /** Runs the Agent function for what the sends invoked. */
  runAgents(): Promise<void> {
    return this.cloud.runAgents();
  }

  /** A tab opens the app: session, thread list, the thread (a new one the first time). */
  async load(): Promise<void> {
    const session = await this.json("POST", "/api/session");
    this.cookie ||= (session.cookies[0] ?? "").split(";")[0] as string;
    this.settings = session.json.stream;
    const list = await this.json("GET", "/api/chats");
    this.position = list.json.position;
    if (!this.threadId) this.threadId = (await this.json("POST", "/api/chats", {})).json.thread.id;
    const thread = await this.json("GET", `/api/chats/${this.threadId}`);
    this.cursor = thread.json.cursor;
  }

  /**
   * Types for `typingMs`, sends, and holds the thread's stream while the reply streams
   * and for the linger after (on-demand: opened at the first keystroke, before the send;
   * released when dropped). Returns how long the stream was held.
   */
  async typeAndSend(messageId: string, text: string, typingMs: number): Promise<number> {
    const opened = performance.now();
    const stream = this.cloud.stream({
      path: `/api/chats/sse/${this.threadId}?after=${encodeURIComponent(this.cursor)}&threads=1&client=${this.client}`,
      cookies: [this.cookie],
      headers: { accept: "text/event-stream" },
    });
    const frames = () => parseSse(stream.text());
    await until(() => frames().some((f) => f.event === "opened"));
    await sleep(typingMs);
    const sent = await this.json("POST", `/api/chats/${this.threadId}/send`, { messageId, text });
    const agents = this.cloud.runAgents();
    await until(() => frames().some((f) => f.event === "message.completed" && JSON.parse(f.data ?? "{}").runId === sent.json.runId));
    await agents;
    await sleep(this.settings.lingerMs);
    this.cursor =
      frames()
        .filter((f) => f.id)
        .at(-1)?.id ?? this.cursor;
    const position = frames()
      .filter((f) => f.event === "threads" || f.event === "thread.updated")
      .at(-1)?.data;
    if (position) this.position = JSON.parse(position).position;
    const streamId = JSON.parse(frames().find((f) => f.event === "opened")?.data ?? "{}").streamId;
    const released = performance.now();
    await this.json("POST", `/api/chats/${this.threadId}/streams/${streamId}/close`, {});
    await stream.finished;
    this.meter.releaseLagMs.push(performance.now() - released);
    return performance.now() - opened;
  }

  /** One idle check: a 304 when nothing changed since what the tab holds. */
  async sync(): Promise<number> {
    const res = await this.json(
      "GET",
      `/api/chats/${this.threadId}/sync?cursor=${encodeURIComponent(this.cursor)}&position=${this.position}`,
    );
    return res.statusCode;
  }

  /**
   * The old design's poll, made as cheap as this API allows: the one-read check, and the
   * thread when it changed. Returns the replies that have ended, by run id.
   */
  async poll(): Promise<Set<string>> {
    const ended = new Set<string>();
    const res = await this.json(
      "GET",
      `/api/chats/${this.threadId}/sync?cursor=${encodeURIComponent(this.cursor)}&position=${this.position}`,
    );
    if (res.statusCode !== 200) return ended;
    this.position = res.json.position;
    const thread = (await this.json("GET", `/api/chats/${this.threadId}`)).json;
    this.cursor = thread.cursor;
    for (const m of thread.state.messages as { runId?: string; status: string }[])
      if (m.runId && m.status !== "streaming") ended.add(m.runId);
    return ended;
  }

  /** Sends without a stream (the polling design), and returns the run id. */
  async send(messageId: string, text: string): Promise<string> {
    return (await this.json("POST", `/api/chats/${this.threadId}/send`, { messageId, text })).json.runId;
  }
}

/** Waits for an in-memory condition of the harness itself, bounded. */
async function until(done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("the scripted session timed out waiting for the server");
    await sleep(10);
  }
}
