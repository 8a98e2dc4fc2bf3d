import { DASH, num, table } from "../report/format.ts";
import type { SystemResult } from "../results.ts";
import type { ProfileSummary } from "./summarize.ts";

/** The heading of the profile's section in BENCHMARKS.md; `npm run bench` keeps it. */
export const PROFILE_HEADING = "## 9. Where the CPU goes";

/** Deliveries a design's ladders server made: every latency window, saturation and the 100-event webhooks. */
export function deliveriesOf(s: SystemResult): number {
  const windows = s.latency.reduce((n, l) => n + l.delivered, 0);
  const saturation = s.saturation?.delivered ?? 0;
  const batches = s.saturation?.batches ? s.saturation.batches.webhooks * s.saturation.batches.events * s.saturation.subscribers : 0;
  return windows + saturation + batches;
}

export function profileSection(runs: readonly { system: SystemResult; summary: ProfileSummary }[], startedAt: string): string {
  const out = [
    PROFILE_HEADING,
    "",
    `Written by \`npm run bench:profile\` from a run of its own that started ${startedAt.replace("T", " ").slice(0, 16)} UTC: the full plan for the designs below, each server under \`--cpu-prof\` (which slows it a little). Self time of the sampled functions, idle left out, grouped by where the code lives (\`packages/functions/bench/profile/summarize.ts\`); per delivery is the server's busy CPU over every delivery it made in the ladders (latency windows, saturation, 100-event webhooks).`,
    "",
  ];
  for (const { system, summary } of runs) {
    const deliveries = deliveriesOf(system);
    const per = (micros: number) => (deliveries > 0 ? num(micros / deliveries, 3) : DASH);
    out.push(
      `### ${system.label}`,
      "",
      `${num(summary.busyMicros / 1e6, 1)} s of busy CPU for ${num(deliveries)} deliveries: ${per(summary.busyMicros)} µs per delivery.`,
      "",
      table(
        ["where", "share of busy CPU", "µs per delivery"],
        summary.categories.map((c) => [c.name, `${num((c.micros / summary.busyMicros) * 100, 1)} %`, per(c.micros)]),
      ),
      "",
      "Busiest functions (self time):",
      "",
      table(
        ["function", "where", "share"],
        summary.functions.map((f) => [
          `\`${f.name}\``,
          f.where ? `\`${f.where}\`` : DASH,
          `${num((f.micros / summary.busyMicros) * 100, 1)} %`,
        ]),
        ["l", "l", "r"],
      ),
      "",
    );
  }
  return out.join("\n");
}
