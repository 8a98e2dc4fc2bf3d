import type { LatencyResult, SystemId, SystemResult } from "../results.ts";
import { DASH, ms, num, ratio, table } from "./format.ts";

const MURMUR: readonly SystemId[] = ["murmur-memory", "murmur-redis", "murmur-redis-cluster"];

/** Section 1: latency per layout and subscriber count, every design, then the ratios. */
export function latencySection(systems: readonly SystemResult[]): string {
  const out: string[] = [];
  for (const layout of ["spread", "hot"] as const) {
    const counts = [...new Set(systems.flatMap((s) => s.latency.filter((l) => l.layout === layout).map((l) => l.subscribers)))].sort(
      (a, b) => a - b,
    );
    const rows: string[][] = [];
    for (const n of counts) {
      for (const system of systems) {
        const r = system.latency.find((l) => l.layout === layout && l.subscribers === n);
        if (!r) continue;
        rows.push([
          num(n),
          system.label,
          num(r.threads),
          num(r.rate, 1),
          `${num(r.delivered)} / ${num(r.expected)}`,
          ms(r.p50),
          ms(r.p90),
          ms(r.p99),
          ms(r.max),
        ]);
      }
    }
    out.push(
      layout === "spread"
        ? "**Spread** (one thread per subscriber; events round robin over the threads):"
        : "**Hot** (every subscriber on one thread):",
      "",
      table(["subscribers", "design", "threads", "events/s", "delivered / due", "p50 ms", "p90 ms", "p99 ms", "max ms"], rows, ["r", "l"]),
      "",
    );
  }
  out.push("**Ratios** Murmur / each design (below 1: Murmur is faster), p50 · p99:", "", ratioTable(systems));
  return out.join("\n");
}

function ratioTable(systems: readonly SystemResult[]): string {
  const others = systems.filter((s) => !MURMUR.includes(s.id));
  const rows: string[][] = [];
  for (const murmur of systems.filter((s) => MURMUR.includes(s.id))) {
    for (const r of murmur.latency) {
      const cells = others.map((o) => {
        const b = o.latency.find((l) => l.layout === r.layout && l.subscribers === r.subscribers);
        return b ? `${ratio(r.p50, b.p50)} · ${ratio(r.p99, b.p99)}` : DASH;
      });
      rows.push([murmur.label, r.layout, num(r.subscribers), ...cells]);
    }
  }
  return table(["Murmur", "layout", "subscribers", ...others.map((o) => `/ ${o.label}`)], rows, ["l", "l"]);
}

/** Section: what arrived against what was due, per design (I1 for the designs that promise it). */
export function deliverySection(systems: readonly SystemResult[]): string {
  const rows = systems.map((s) => {
    const sum = (f: (l: LatencyResult) => number) => s.latency.reduce((n, l) => n + f(l), 0);
    const late = sum((l) => Math.max(0, l.expected - l.delivered - l.gaps));
    const resumes = s.resume.map((r) => (r.ms !== null && r.inOrder ? "ok" : (r.note ?? `${r.received}/${r.missed}`))).join(", ");
    return [
      s.label,
      num(sum((l) => l.expected)),
      num(sum((l) => l.delivered)),
      num(sum((l) => l.gaps)),
      num(sum((l) => l.duplicates)),
      num(late),
      resumes || DASH,
    ];
  });
  return table(["design", "due", "delivered", "skipped (gaps)", "duplicates", "not in by the drain deadline", "resumes"], rows);
}

/**
 * Section 1b: Murmur's own append-to-delivery histogram (`murmur_delivery_latency_seconds`
 * from its `/metrics`) over each latency window, against what the subscribers measured.
 */
export function serverLatencySection(systems: readonly SystemResult[], tolerance: string): string {
  const rows: string[][] = [];
  for (const system of systems) {
    for (const r of system.latency) {
      if (!r.server) continue;
      rows.push([
        system.label,
        r.layout,
        num(r.subscribers),
        ms(r.p99),
        ms(r.server.p99),
        ms(r.server.p50),
        num(r.server.count),
        r.server.differenceMs === null ? DASH : ms(r.server.differenceMs),
        ms(r.server.webhookP99 ?? null),
        r.server.agrees === null ? DASH : r.server.agrees ? "yes" : "**no**",
      ]);
    }
  }
  if (rows.length === 0) return "Not measured in this run (no Murmur design ran a latency window).";
  return [
    "The server times each write from the moment it learned the append committed (the webhook is served by the same process, so: the append's own reply, or the shared reader's receipt when that came first), to the frame's write on each stream; the client times from before the webhook is signed to the parsed event. So the server's p99 should sit at or a little below the client's, by what it does not time (the webhook request, the Redis reader's hop, the client's read). The webhook's part is measured beside it: the publisher's time from a webhook's stamp to its 200.",
    "",
    `Agreement: ${tolerance}.`,
    "",
    table(
      [
        "design",
        "layout",
        "subscribers",
        "client p99 ms",
        "server p99 ms",
        "server p50 ms",
        "timed writes",
        "client − server ms",
        "webhook p99 ms",
        "agrees",
      ],
      rows,
      ["l", "l"],
    ),
  ].join("\n");
}
