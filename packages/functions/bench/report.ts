import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { BUNDLES_HEADING, sectionOf, withSection } from "./bundles/section.ts";
import { markdown as costMarkdown } from "./cost/report.ts";
import { hotRate, spreadRate } from "./plan.ts";
import { PROFILE_HEADING } from "./profile/section.ts";
import { latencyChart } from "./report/chart.ts";
import { DASH, kb, ms, num } from "./report/format.ts";
import { deliverySection, latencySection, serverLatencySection } from "./report/latency.ts";
import { commandsSection, memorySection, resumeSection, saturationSection } from "./report/resources.ts";
import { targetsSection } from "./report/targets.ts";
import type { BenchResults, SystemResult } from "./results.ts";
import { P99_TOLERANCE } from "./server-latency.ts";
import { BENCH_OWNERS } from "./shared.ts";

/** Sections of BENCHMARKS.md written by other tools, kept when the bench rewrites the file. */
/** The CLIENT-less blocking reader's measurements (its tests print them). */
const CLIENTLESS_HEADING = "## Blocking reads without CLIENT";

export const KEPT_HEADINGS = [PROFILE_HEADING, CLIENTLESS_HEADING, BUNDLES_HEADING];

export interface ReportPaths {
  readonly markdown: string;
  readonly svg: string;
  readonly json: string;
}

/** Writes BENCHMARKS.md (tables; the bundles section is kept), the SVG chart and the raw results; reads them back to check they were written. */
export function writeReport(results: BenchResults, paths: ReportPaths): void {
  for (const path of Object.values(paths)) mkdirSync(dirname(path), { recursive: true });
  writeFileSync(paths.json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(paths.svg, latencyChart(results.systems));
  // Sections other tools write into the same file (`npm run bundles`, `npm run bench:profile`,
  // the CLIENT-less reader's measurement) stay as they are.
  const previous = existsSync(paths.markdown) ? readFileSync(paths.markdown, "utf8") : "";
  let markdown = renderMarkdown(results, relative(dirname(paths.markdown), paths.svg));
  for (const heading of KEPT_HEADINGS) {
    const kept = sectionOf(previous, heading);
    if (kept) markdown = withSection(markdown, heading, kept);
  }
  writeFileSync(paths.markdown, markdown);
  const written = readFileSync(paths.markdown, "utf8");
  for (const system of results.systems) {
    if (!written.includes(system.label)) throw new Error(`${paths.markdown} lacks ${system.label}`);
  }
  if (!readFileSync(paths.svg, "utf8").includes("</svg>")) throw new Error(`${paths.svg} is not a whole SVG`);
}

export function renderMarkdown(r: BenchResults, svgPath: string): string {
  const s = r.systems;
  const memory = s.find((x) => x.id === "murmur-memory");
  const redis = s.find((x) => x.id === "murmur-redis");
  const ref = redis ?? memory;
  const m = r.machine;
  const plan = r.plan as {
    latencyAt: number[];
    memoryAt: number[];
    ceilingAt?: number;
    resumeK: number[];
    publishMs: number;
    drainMs: number;
    idleMs: number;
    workers: number;
  };
  const minutes = `${Math.floor(r.seconds / 60)} min ${Math.round(r.seconds % 60)} s`;
  return [
    "# Benchmarks",
    "",
    `Written by \`npm run bench${r.mode === "quick" ? " -- --quick" : ""}\` (${r.mode} mode) from one run that started ${r.startedAt.replace("T", " ").slice(0, 16)} UTC and took ${minutes}. Every number below is from that run, on this machine:`,
    "",
    `- ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, Node ${m.node}, ${m.platform}, load average at the start ${m.load.join(" / ")}`,
    `- Redis ${m.redis}: one private \`redis-server\` per design on a free loopback port (\`startRedisProcess\`), or for the cluster row a private 3-master Redis Cluster (\`startRedisCluster\`: three \`redis-server --cluster-enabled yes\` on the same cores), persistence off`,
    `- open files: ${m.fdLimit} in the shell that ran it; each server and subscriber process raises its own soft limit (to 65,536, or to the hard limit where that is lower) and the shell keeps its own`,
    "",
    r.mode === "quick"
      ? "> Quick mode: a smoke test of the harness with tiny loads. Its numbers say nothing about speed."
      : "> Numbers from a machine shared with other work are noisy; compare designs within this run, not across runs.",
    "",
    "## Summary against the design's targets",
    "",
    summary(s, redis, memory, plan.memoryAt.at(-1) ?? 0),
    "",
    "### The delivery engine's targets",
    "",
    "Each bound is a ratio to a baseline measured beside Murmur in this same run (or an absolute figure where the target is one). Section 9 says where the CPU goes.",
    "",
    targetsSection(s, plan.memoryAt.at(-1) ?? 0),
    "",
    "## How it was measured",
    "",
    `- Designs: ${s.map((x) => x.label).join("; ")}. Murmur runs \`startLocalServer\` as \`npm start\` composes it (memory event log, Redis through \`REDIS_URL\`, or a Redis Cluster through \`REDIS_CLUSTER_NODES\`); its threads belong to ${num(BENCH_OWNERS.length)} sessions in turn, so on the cluster they spread over the masters. The baselines live in \`packages/functions/bench/baselines/\`; like Murmur they check the session token of every subscriber and poll and the HMAC signature of every webhook.`,
    `- Every server runs in its own process (so its RSS is its own); subscribers run in ${num(Number(plan.workers))} other processes (raw-socket SSE readers, kept-alive pollers, or socket.io-client over WebSocket); the publisher is the parent process and posts signed webhooks (\`POST /api/webhook/chat-response\`, \`X-Murmur-Signature\`). All of them, and Redis, share the machine's ${m.cpus} cores.`,
    "- Latency is end to end: each event is a `message.delta` whose text is the publish time on the system-wide monotonic clock, taken just before the webhook is signed and sent; the subscriber subtracts it from its own clock when it has parsed the event.",
    `- Fixed rates: spread, ${spreadRate(1)} events/s for one subscriber up to ${spreadRate(10_000)} events/s round robin over the threads; hot, ${hotRate(1)} events/s (one reply streaming at the 50 ms delta window), lowered to keep the offered load at 20,000 deliveries/s (${num(hotRate(10_000), 1)} events/s at 10,000). Each window publishes for ${plan.publishMs / 1000} s and waits up to ${plan.drainMs / 1000} s for late deliveries; one webhook per event, and a thread's next webhook waits for its previous one.`,
    `- Connections: subscribers are opened ${num(Math.max(...plan.latencyAt))} at most (each step within ${num(Number((r.plan as { openBudgetMs: number }).openBudgetMs) / 1000)} s), so "most held" is what a design reached up to that ceiling, not a limit found beyond it. RSS per connection: the server's RSS (after a forced GC) at the step, less its RSS before the first step, over the connections held.`,
    `- Redis commands: \`INFO commandstats\` deltas of the design's private Redis ("executed", which counts commands inside Lua scripts too), and the commands the server's ioredis clients sent ("sent": what a per-command service such as Upstash bills). Idle windows last ${plan.idleMs / 1000} s; SSE heartbeats go out every ${num(Number((r.plan as { heartbeatMs: number }).heartbeatMs) / 1000, 1)} s during them.`,
    `- Saturation: on one thread, the publisher keeps ${num(Number((r.plan as { saturationWindow: number }).saturationWindow))} events ahead of the slowest subscriber (closed loop, so no design is buried under a backlog) and deliveries are counted over the window. Polling cannot go faster than that window × subscribers per 1.5 s, whatever its server could do.`,
    "- Resume: a subscriber goes away, K events are published, it comes back as its design allows (Murmur: `Last-Event-ID`; polling: its cursor; Socket.IO: connection state recovery; pub/sub: nothing to resume from); timed from the reconnect to the K-th event.",
    "",
    "## 1. Publish-to-subscriber latency",
    "",
    `![latency against subscribers](${svgPath})`,
    "",
    latencySection(s),
    "",
    "### The server's own p99 (`/metrics`) against the client's",
    "",
    serverLatencySection(s, P99_TOLERANCE.text),
    "",
    "## 2. Open connections and memory",
    "",
    memorySection(s, plan.ceilingAt ? [...plan.memoryAt, plan.ceilingAt] : plan.memoryAt, ref),
    "",
    "## 3. Delivered events per second at saturation",
    "",
    saturationSection(
      s,
      [memory, redis].filter((x): x is SystemResult => x !== undefined),
    ),
    "",
    "## 4. Redis commands",
    "",
    commandsSection(s, redis),
    "",
    "## 5. Resume after a reconnect",
    "",
    resumeSection(s, plan.resumeK, ref),
    "",
    "## 6. Delivery check",
    "",
    "Every subscriber checks that within a window it sees seq 0, 1, 2, … once each. Murmur and polling promise exactly once, in order (I1): any gap or duplicate fails the run. Pub/sub and Socket.IO promise at most once.",
    "",
    deliverySection(s),
    "",
    "## 7. Cloud cost model",
    "",
    r.cost
      ? costMarkdown(r.cost.runs, r.cost.variants)
      : "Not measured in this run (see `npm run cost`, which writes `packages/functions/bench/results/cost.json`).",
    "",
    "## 8. A client that stops reading",
    "",
    slowReaderSection(r.slowReader),
    "",
    "## Notes from this run",
    "",
    ...notes(r),
    "",
  ].join("\n");
}

function summary(s: readonly SystemResult[], redis: SystemResult | undefined, memory: SystemResult | undefined, top: number): string {
  const p99 = (x: SystemResult | undefined, layout: string, n: number) =>
    x?.latency.find((l) => l.layout === layout && l.subscribers === n)?.p99 ?? null;
  const held = (x: SystemResult | undefined) => Math.max(0, ...(x?.connections.map((c) => c.reached) ?? []));
  const perConn = (x: SystemResult | undefined) => {
    const m = x?.memory.find((r) => r.attempted === top);
    return m ? (m.rssBytes - m.baselineRssBytes) / m.connections : null;
  };
  const idle = (n: number) => {
    const w = redis?.idle.find((i) => i.connections >= n * 0.9 && i.connections <= n)?.commands;
    return w ? (Object.values(w.sent).reduce((a, b) => a + b, 0) / w.seconds) * 60 : null;
  };
  const others = s.filter((x) => x !== redis && x !== memory).map((x) => x.label);
  return [
    `- p99 publish to subscriber, local server with Redis, 1,000 subscribers (target: under 5 ms): spread ${ms(p99(redis, "spread", 1000))} ms, hot ${ms(p99(redis, "hot", 1000))} ms.`,
    `- Open SSE connections in one Node process (target: 10,000, under 15 KB each): memory log ${num(held(memory))} held, ${kb(perConn(memory))} KB each; Redis log ${num(held(redis))} held, ${kb(perConn(redis))} KB each (at the largest step, ${num(top)} attempted).`,
    `- Redis commands while idle (target: O(1) per process, none per heartbeat): ${idle(10) === null ? DASH : num(idle(10), 1)} per minute with 10 connections, ${idle(1000) === null ? DASH : num(idle(1000), 1)} with 1,000.`,
    `- Side by side in the same run: ${others.join("; ") || DASH}.`,
  ].join("\n");
}

function slowReaderSection(x: BenchResults["slowReader"]): string {
  if (!x) return "Not measured in this run.";
  const mb = (bytes: number | null) => (bytes === null ? DASH : num(bytes / 1024 / 1024, 1));
  const row = (label: string, v: NonNullable<BenchResults["slowReader"]>["bounded"]) =>
    `| ${label} | ${mb(v.pushedBytes)} | ${v.slowClosedAfterBytes === null ? "never" : `after ${mb(v.slowClosedAfterBytes)} MB`} | ${mb(v.fastBytes)} | ${mb(v.rssGrowthBytes)} | ${mb(v.arrayBufferGrowthBytes)} |`;
  return [
    "One stream on a thread reads nothing, another reads everything, while 50 KB deltas go through the thread, each once the reading client took the last (`packages/functions/src/testing/slow-reader-probe.ts`, also run by the slow-reader test). The server (memory log, last 100 events kept: 5 MB) runs in a process of its own with glibc returning freed memory at once; growth is after a forced GC, with the slow socket still open. The second row sets the bound above the load, which is how every stream behaved before the bound existed.",
    "",
    "| `SSE_MAX_BUFFER_BYTES` | pushed, MB | slow stream let go | reading client got, MB | server RSS growth, MB | `arrayBuffers` growth, MB |",
    "|---|---:|---|---:|---:|---:|",
    row(`${mb(x.bounded.boundBytes)} MB (default)`, x.bounded),
    row(`${mb(x.unbounded.boundBytes)} MB (above the load: no bound)`, x.unbounded),
  ].join("\n");
}

function notes(r: BenchResults): string[] {
  const lines = r.systems.flatMap((s) => [
    `- ${s.label} (${num(s.seconds)} s): ${s.notes.length ? s.notes.join("; ") : "every phase ran"}.`,
  ]);
  lines.push(r.problems.length ? `- Problems: ${r.problems.join("; ")}.` : "- No invariant or harness problem.");
  return lines;
}
