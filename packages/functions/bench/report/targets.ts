import type { CommandWindow, SystemId, SystemResult } from "../results.ts";
import { DASH, kb, ms, num, table } from "./format.ts";

/**
 * The delivery engine's targets, each met or not with the figures of this run: ratios
 * against the baselines measured beside Murmur, never against numbers from another run.
 */
export function targetsSection(systems: readonly SystemResult[], memoryTop: number): string {
  const by = (id: SystemId) => systems.find((s) => s.id === id);
  const memory = by("murmur-memory");
  const redis = by("murmur-redis");
  const cluster = by("murmur-redis-cluster");
  const pubsub = by("redis-pubsub");
  const floor = by("http-floor");
  const socketio = by("socketio");

  const rate = (s: SystemResult | undefined) => (s?.saturation ? s.saturation.delivered / s.saturation.seconds : null);
  const p99 = (s: SystemResult | undefined, layout: "hot" | "spread", n: number) =>
    s?.latency.find((l) => l.layout === layout && l.subscribers === n)?.p99 ?? null;
  const perConn = (s: SystemResult | undefined) => {
    const m = s?.memory.find((r) => r.attempted === memoryTop);
    return m && m.connections > 0 ? (m.rssBytes - m.baselineRssBytes) / m.connections : null;
  };
  const held = (s: SystemResult | undefined) => Math.max(0, ...(s?.connections.map((c) => c.reached) ?? []));

  const rows: string[][] = [];
  /** `value / base` against `limit`: at least (`>=`) or at most (`<=`). */
  const ratioRow = (target: string, value: number | null, base: number | null, op: ">=" | "<=", limit: number, detail: string) => {
    const r = value !== null && base !== null && base > 0 ? value / base : null;
    const met = r === null ? "not measured" : (op === ">=" ? r >= limit : r <= limit) ? "**met**" : "not met";
    rows.push([target, `${op} ${limit}×`, r === null ? DASH : `${num(r, 2)}×`, met, detail]);
  };
  const valueRow = (target: string, value: number | null, op: ">=" | "<=", limit: number, unit: string, detail: string) => {
    const met = value === null ? "not measured" : (op === ">=" ? value >= limit : value <= limit) ? "**met**" : "not met";
    rows.push([target, `${op} ${num(limit)} ${unit}`, value === null ? DASH : `${num(value, 1)} ${unit}`, met, detail]);
  };
  const deliveries = (s: SystemResult | undefined) => `${num(rate(s))}/s`;

  ratioRow(
    "saturation, 1,000 subscribers, one thread: Murmur (Redis) / pub/sub",
    rate(redis),
    rate(pubsub),
    ">=",
    1.5,
    `${deliveries(redis)} against ${deliveries(pubsub)}`,
  );
  ratioRow(
    "saturation: Murmur (memory) / pub/sub",
    rate(memory),
    rate(pubsub),
    ">=",
    3,
    `${deliveries(memory)} against ${deliveries(pubsub)}`,
  );
  for (const s of [redis, memory, cluster]) {
    if (s)
      ratioRow(`saturation: ${s.label} / node:http floor`, rate(s), rate(floor), ">=", 1, `${deliveries(s)} against ${deliveries(floor)}`);
  }
  for (const n of [1000, 10_000]) {
    const ref = redis ?? memory;
    ratioRow(
      `hot p99, ${num(n)} subscribers: ${ref?.label} / pub/sub`,
      p99(ref, "hot", n),
      p99(pubsub, "hot", n),
      "<=",
      1,
      `${ms(p99(ref, "hot", n))} ms against ${ms(p99(pubsub, "hot", n))} ms`,
    );
    ratioRow(
      `hot p99, ${num(n)} subscribers: ${ref?.label} / Socket.IO`,
      p99(ref, "hot", n),
      p99(socketio, "hot", n),
      "<=",
      0.8,
      `against ${ms(p99(socketio, "hot", n))} ms`,
    );
    ratioRow(
      `spread p99, ${num(n)} threads: ${ref?.label} / pub/sub`,
      p99(ref, "spread", n),
      p99(pubsub, "spread", n),
      "<=",
      1,
      `${ms(p99(ref, "spread", n))} ms against ${ms(p99(pubsub, "spread", n))} ms`,
    );
  }
  for (const s of [memory, redis]) {
    if (s)
      ratioRow(
        `memory per held connection at ${num(memoryTop)}: ${s.label} / node:http floor`,
        perConn(s),
        perConn(floor),
        "<=",
        1.15,
        `${kb(perConn(s))} KB against ${kb(perConn(floor))} KB`,
      );
  }
  for (const s of [memory, redis]) {
    if (s) valueRow(`connections held by one process: ${s.label}`, held(s), ">=", 19_000, "", connectionsDetail(s));
  }
  for (const s of [redis, memory, cluster]) {
    const b = s?.saturation?.batches;
    if (s)
      valueRow(
        `a webhook of 100 events, answered, p99 at ${num(s.saturation?.subscribers ?? 0)} subscribers: ${s.label}`,
        b?.p99 ?? null,
        "<=",
        50,
        "ms",
        b ? `${b.webhooks} webhooks, p50 ${ms(b.p50)} ms, max ${ms(b.max)} ms` : DASH,
      );
  }
  for (const s of [redis, cluster]) {
    const w = s?.latency.find((l) => l.layout === "hot" && l.subscribers === 1000)?.commands;
    if (s)
      valueRow(
        `Redis CPU of a single-event append (EVALSHA usec_per_call): ${s.label}`,
        usecPerCall(w, "evalsha"),
        "<=",
        30,
        "µs",
        w ? `hot 1,000 window; Redis CPU per delivered event ${cpuPerDelivery(s)}` : DASH,
      );
  }
  const checked = systems.filter((s) => s.id.startsWith("murmur") || s.id === "polling");
  const broken = checked.flatMap((s) =>
    s.latency.filter((l) => l.gaps > 0 || l.duplicates > 0).map((l) => `${s.label} ${l.layout} ${l.subscribers}`),
  );
  rows.push([
    "exactly once and in order in every window (Murmur and polling)",
    "0 gaps, 0 duplicates",
    broken.length ? broken.join("; ") : "0, 0",
    broken.length ? "not met" : "**met**",
    `${checked.reduce((n, s) => n + s.latency.length, 0)} windows checked`,
  ]);
  return table(["target", "bound", "this run", "", "figures"], rows, ["l", "l", "l", "l", "l"]);
}

function usecPerCall(w: CommandWindow | null | undefined, command: string): number | null {
  const calls = w?.executed[command];
  const usec = w?.executedUsec?.[command];
  return calls && usec !== undefined ? usec / calls : null;
}

/** Redis CPU seconds over the hot 1,000 window, per delivery made in it. */
function cpuPerDelivery(s: SystemResult): string {
  const l = s.latency.find((x) => x.layout === "hot" && x.subscribers === 1000);
  const cpu = l?.commands?.redisCpuSeconds;
  return cpu === undefined || !l?.delivered ? DASH : `${num((cpu * 1e6) / l.delivered, 2)} µs`;
}

function connectionsDetail(s: SystemResult): string {
  const best = s.connections.reduce((a, c) => (c.reached > (a?.reached ?? -1) ? c : a), s.connections[0]);
  return best ? `${num(best.reached)} of ${num(best.attempted)} asked, the ladder's ceiling` : DASH;
}
