import type { CommandWindow, SystemResult } from "../results.ts";
import { DASH, kb, mb, ms, num, ratio, table } from "./format.ts";

const perConnection = (s: SystemResult, n: number) => {
  const m = s.memory.find((r) => r.attempted === n);
  return m ? { ...m, per: (m.rssBytes - m.baselineRssBytes) / m.connections } : null;
};
/** RSS at a step, with the connections actually held when fewer than asked. */
const rssCell = (m: ReturnType<typeof perConnection>) =>
  m ? `${mb(m.rssBytes)}${m.connections < m.attempted ? ` (${num(m.connections)} held)` : ""}` : DASH;

/** Section 2: connections held and server RSS per connection. */
export function memorySection(systems: readonly SystemResult[], at: readonly number[], ref: SystemResult | undefined): string {
  const rows = systems.map((s) => {
    const best = s.connections.reduce((a, c) => (c.reached > (a?.reached ?? -1) ? c : a), s.connections[0]);
    const cells = at.flatMap((n) => {
      const m = perConnection(s, n);
      return [rssCell(m), kb(m?.per)];
    });
    const top = at.at(-1) ?? 0;
    return [
      s.label,
      best ? `${num(best.reached)} / ${num(best.serverCount)}` : DASH,
      best ? num(best.openSeconds, 2) : DASH,
      mb(s.memory[0]?.baselineRssBytes),
      ...cells,
      ref ? ratio(perConnection(ref, top)?.per, perConnection(s, top)?.per) : DASH,
    ];
  });
  const header = ["design", "most held (ready / server count)", "open s", "RSS before, MB"];
  for (const n of at) header.push(`RSS at ${num(n)}, MB`, `KB per connection at ${num(n)}`);
  header.push(`${ref?.label ?? "Murmur"} / this, per connection`);
  return table(header, rows);
}

/** Redis CPU per published event, in µs (every node of a cluster summed), or a dash. */
const cpuPerEvent = (w: CommandWindow | null | undefined, events: number) =>
  w?.redisCpuSeconds === undefined || events === 0 ? DASH : num((w.redisCpuSeconds * 1e6) / events, 1);

/** Section 3: delivered events a second at saturation. */
export function saturationSection(systems: readonly SystemResult[], refs: readonly SystemResult[]): string {
  const rate = (s: SystemResult) => (s.saturation ? s.saturation.delivered / s.saturation.seconds : null);
  const rows = systems.map((s) => {
    const r = s.saturation;
    return [
      s.label,
      r ? num(r.subscribers) : DASH,
      r ? num(r.published / r.seconds) : DASH,
      num(rate(s)),
      ms(r?.p50),
      ms(r?.p99),
      cpuPerEvent(r?.commands, r?.published ?? 0),
      ...refs.map((ref) => ratio(rate(ref), rate(s))),
      r?.batches ? `${ms(r.batches.p50)} / ${ms(r.batches.p99)} (${r.batches.webhooks})` : DASH,
      r?.batches ? cpuPerEvent(r.batches.commands, r.batches.webhooks * r.batches.events) : DASH,
    ];
  });
  return table(
    [
      "design",
      "subscribers (one thread)",
      "events/s published",
      "deliveries/s",
      "p50 ms",
      "p99 ms",
      "Redis CPU µs per event",
      ...refs.map((r) => `${r.label} / this`),
      "100-event webhook answered, p50 / p99 ms (webhooks)",
      "Redis CPU µs per event, 100-event webhooks",
    ],
    rows,
  );
}

const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
const top = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, n]) => `${name} ${num(n)}`)
    .join(", ") || "none";
const perMinute = (w: CommandWindow, key: "sent" | "executed") => (total(w[key]) / w.seconds) * 60;

/** Section 4: Redis commands while idle, and per delivered event under load. */
export function commandsSection(systems: readonly SystemResult[], ref: SystemResult | undefined): string {
  const idleRows = systems.flatMap((s) =>
    s.idle.map((i) => {
      const refIdle = ref?.idle.find((r) => r.connections === i.connections);
      return [
        s.label,
        num(i.connections),
        num(i.commands.seconds, 1),
        num(perMinute(i.commands, "sent"), 1),
        num(perMinute(i.commands, "executed"), 1),
        top(i.commands.sent),
        refIdle ? ratio(perMinute(refIdle.commands, "sent"), perMinute(i.commands, "sent")) : DASH,
      ];
    }),
  );
  // Under load: at 1,000 subscribers (or the largest count up to that), both layouts.
  const at = Math.max(0, ...systems.flatMap((s) => s.latency.map((l) => l.subscribers).filter((n) => n <= 1000)));
  const loadRows = systems.flatMap((s) =>
    s.latency
      .filter((l) => l.commands && l.delivered > 0 && l.subscribers === at)
      .map((l) => {
        const w = l.commands as CommandWindow;
        return [
          s.label,
          `${l.layout} ${num(l.subscribers)}`,
          num(total(w.sent) / l.delivered, 3),
          num(total(w.executed) / l.delivered, 3),
          num(total(w.sent) / l.published, 2),
          cpuPerEvent(w, l.published),
          top(w.sent),
        ];
      }),
  );
  const opens = systems
    .filter((s) => s.opens)
    .map((s) => [
      s.label,
      num(s.opens?.subscribers),
      num(total(s.opens?.commands.sent ?? {}) / (s.opens?.subscribers ?? 1), 2),
      top(s.opens?.commands.sent ?? {}),
    ]);
  return [
    "While idle (subscribers open, nothing published; heartbeats go out):",
    "",
    table(
      ["design", "connections", "window s", "sent / min", "executed / min", "sent, by command", `${ref?.label ?? "Murmur"} / this`],
      idleRows,
    ),
    "",
    "Under load (the latency windows; sent by the server's Redis clients, executed by Redis including inside Lua scripts):",
    "",
    table(
      [
        "design",
        "window",
        "sent per delivered event",
        "executed per delivered event",
        "sent per published event",
        "Redis CPU µs per published event",
        "sent, by command",
      ],
      loadRows,
    ),
    "",
    "Per subscriber opened (spread ladder):",
    "",
    table(["design", "subscribers opened", "commands sent per subscriber", "by command"], opens),
  ].join("\n");
}

/** Section 5: time to replay K missed events after a reconnect. */
export function resumeSection(systems: readonly SystemResult[], ks: readonly number[], ref: SystemResult | undefined): string {
  const cell = (s: SystemResult, k: number) => {
    const r = s.resume.find((x) => x.missed === k);
    if (!r) return DASH;
    if (r.ms === null) return r.note ?? `${num(r.received)} of ${num(k)}`;
    return `${ms(r.ms)}${r.inOrder ? "" : " (out of order)"}${r.note ? ` (${r.note})` : ""}`;
  };
  const time = (s: SystemResult | undefined, k: number) => s?.resume.find((x) => x.missed === k)?.ms ?? null;
  const last = ks.at(-1) ?? 0;
  const rows = systems.map((s) => [s.label, ...ks.map((k) => cell(s, k)), ratio(time(ref, last), time(s, last))]);
  return table(["design", ...ks.map((k) => `K = ${num(k)}, ms`), `${ref?.label ?? "Murmur"} / this at K = ${num(last)}`], rows);
}
