import type { Layout, SystemId, SystemResult } from "../results.ts";

const COLORS: Record<SystemId, string> = {
  "murmur-memory": "#2563eb",
  "murmur-redis": "#7c3aed",
  "murmur-redis-cluster": "#db2777",
  polling: "#dc2626",
  "redis-pubsub": "#16a34a",
  socketio: "#ea580c",
  "http-floor": "#6b7280",
};
const PANEL = { width: 440, height: 300, left: 60, top: 40 };
const WIDTH = 2 * (PANEL.left + PANEL.width) + 50;
const HEIGHT = PANEL.top + PANEL.height + 100;

const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/**
 * An SVG chart of publish-to-subscriber latency against subscribers: one panel per
 * layout, log scales on both axes, p99 solid and p50 dashed, one colour per design.
 */
export function latencyChart(systems: readonly SystemResult[]): string {
  const points = systems.flatMap((s) => s.latency.flatMap((l) => [l.p50, l.p99, l.max]).filter((v): v is number => v !== null && v > 0));
  const maxN = Math.max(10, ...systems.flatMap((s) => s.latency.map((l) => l.subscribers)));
  const yLo = Math.floor(Math.log10(Math.min(0.1, ...points)));
  const yHi = Math.ceil(Math.log10(Math.max(10, ...points)));
  const xHi = Math.ceil(Math.log10(maxN));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    "<title>Publish-to-subscriber latency against subscribers, per design: p99 solid, p50 dashed</title>",
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
  ];
  (["spread", "hot"] as Layout[]).forEach((layout, index) => {
    const ox = index * (PANEL.left + PANEL.width + 10) + PANEL.left;
    const x = (n: number) => ox + (Math.log10(Math.max(1, n)) / Math.max(1, xHi)) * PANEL.width;
    const y = (v: number) => PANEL.top + PANEL.height - ((Math.log10(v) - yLo) / (yHi - yLo)) * PANEL.height;
    const title = layout === "spread" ? "spread: one thread per subscriber" : "hot: every subscriber on one thread";
    parts.push(`<text x="${ox}" y="${PANEL.top - 14}" font-weight="bold">${esc(title)}</text>`);
    for (let d = yLo; d <= yHi; d++) {
      const yy = y(10 ** d);
      parts.push(`<line x1="${ox}" x2="${ox + PANEL.width}" y1="${yy}" y2="${yy}" stroke="#e5e7eb"/>`);
      parts.push(
        `<text x="${ox - 6}" y="${yy + 4}" text-anchor="end">${10 ** d >= 1 ? (10 ** d).toLocaleString("en-US") : (10 ** d).toString()}</text>`,
      );
    }
    for (let d = 0; d <= xHi; d++) {
      const xx = x(10 ** d);
      parts.push(`<line x1="${xx}" x2="${xx}" y1="${PANEL.top}" y2="${PANEL.top + PANEL.height}" stroke="#e5e7eb"/>`);
      parts.push(`<text x="${xx}" y="${PANEL.top + PANEL.height + 16}" text-anchor="middle">${(10 ** d).toLocaleString("en-US")}</text>`);
    }
    parts.push(`<text x="${ox + PANEL.width / 2}" y="${PANEL.top + PANEL.height + 34}" text-anchor="middle">subscribers</text>`);
    parts.push(
      `<text transform="translate(${ox - 44} ${PANEL.top + PANEL.height / 2}) rotate(-90)" text-anchor="middle">latency, ms (log)</text>`,
    );
    for (const system of systems) {
      const rows = system.latency.filter((l) => l.layout === layout).sort((a, b) => a.subscribers - b.subscribers);
      for (const [key, dash] of [
        ["p99", ""],
        ["p50", ' stroke-dasharray="4 3"'],
      ] as const) {
        const pts = rows.filter((r) => r[key] !== null).map((r) => `${x(r.subscribers).toFixed(1)},${y(r[key] as number).toFixed(1)}`);
        if (pts.length === 0) continue;
        parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${COLORS[system.id]}" stroke-width="2"${dash}/>`);
        for (const p of pts) parts.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="2.5" fill="${COLORS[system.id]}"/>`);
      }
    }
  });
  const legendY = PANEL.top + PANEL.height + 62;
  let lx = PANEL.left;
  for (const system of systems) {
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${legendY}" y2="${legendY}" stroke="${COLORS[system.id]}" stroke-width="3"/>`);
    parts.push(`<text x="${lx + 30}" y="${legendY + 4}">${esc(system.label)}</text>`);
    lx += 50 + system.label.length * 7;
  }
  parts.push(`<text x="${PANEL.left}" y="${legendY + 26}" fill="#555">solid: p99, dashed: p50</text>`);
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
