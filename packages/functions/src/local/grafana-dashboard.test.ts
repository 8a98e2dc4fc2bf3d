import { readFileSync } from "node:fs";
import { createMetricStore, METRICS } from "@murmur/core/metrics";
import { describe, expect, it } from "vitest";
import { createPrometheusRegistry } from "./prometheus.ts";

// docs/grafana-dashboard.json: valid dashboard JSON whose every expression names metrics
// that the local server's /metrics serves, and that shows every metric Murmur defines.

const DASHBOARD = new URL("../../../../docs/grafana-dashboard.json", import.meta.url);

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly targets: { refId: string; expr: string }[];
}

describe("the Grafana dashboard", () => {
  it("is a dashboard whose every expression names a metric /metrics serves, and that shows every defined metric", async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { title: string; uid: string; schemaVersion: number; panels: Panel[] };
    expect(dashboard.title).toBe("Murmur");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.panels.length).toBeGreaterThan(5);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const exposition = await createPrometheusRegistry(createMetricStore()).metrics();
    const served = new Set([...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1] as string));
    const named = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const names = [...expr.matchAll(/\b((?:murmur|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1] as string);
        expect(names.length, expr).toBeGreaterThan(0);
        for (const name of names) {
          const base = name.replace(/_(bucket|sum|count)$/, "");
          expect(served.has(name) || served.has(base), `${name} (in "${panel.title}") is served by /metrics`).toBe(true);
          named.add(base);
        }
      }
    }
    for (const def of METRICS) expect(named.has(def.name), `${def.name} is on the dashboard`).toBe(true);
  });
});

describe("the README's Operating Murmur table", () => {
  it("lists every defined metric", () => {
    const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Operating Murmur"), readme.indexOf("## Benchmarks"));
    for (const def of METRICS) expect(section, def.name).toContain(`| \`${def.name}\` | ${def.kind}`);
  });
});
