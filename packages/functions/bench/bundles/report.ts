import { mb, ms, num, table } from "../report/format.ts";
import { type BundleResult, type BundlesResults, type HoldRun, median } from "./results.ts";
import { BUNDLES_HEADING } from "./section.ts";

const kB = (bytes: number) => `${num(bytes / 1000, 1)} kB`;

/** The size table: one row per function. */
export function sizeTable(bundles: readonly BundleResult[]): string {
  return table(
    [
      "function",
      "memory",
      "bundle.mjs",
      "gzip",
      "target",
      "not minified",
      "cold import, ms",
      "RSS after import",
      "heap used",
      "largest parts",
    ],
    bundles.map((b) => [
      b.name,
      `${b.memoryMb} MB`,
      `${num(b.bytes)} B`,
      kB(b.gzipBytes),
      b.targetKb === null ? "–" : `${b.bytes <= b.targetKb * 1000 ? "≤" : "**over**"} ${b.targetKb} kB`,
      kB(b.unminifiedBytes),
      `${ms(median(b.importMs))} (${ms(Math.min(...b.importMs))}–${ms(Math.max(...b.importMs))})`,
      `${mb(b.afterImport.rss)} MB`,
      `${mb(b.afterImport.heapUsed)} MB`,
      b.contributors
        .slice(0, 5)
        .map((c) => `${c.name} ${num(c.bytes / 1000, 0)}`)
        .join(", "),
    ]),
    ["l", "r", "r", "r", "l", "r", "r", "r", "r", "l"],
  );
}

/** The held stream's memory, moment by moment, against the function's memory size. */
export function holdTable(hold: HoldRun, stream: BundleResult): string {
  const limit = hold.memoryMb * 2 ** 20;
  const row = (moment: string, rss: number, heapUsed: number) => [
    moment,
    mb(rss),
    mb(heapUsed),
    `${mb(limit - rss)} MB (${num(((limit - rss) / limit) * 100, 0)} %)`,
  ];
  return table(
    ["moment", "RSS, MB", "heap used, MB", `margin to ${hold.memoryMb} MB`],
    [
      row("node and the probe, before the import", stream.beforeImport.rss, stream.beforeImport.heapUsed),
      row("right after the import (Redis connection opened)", stream.afterImport.rss, stream.afterImport.heapUsed),
      row("one stream open (snapshot sent)", hold.atOpen.rss, hold.atOpen.heapUsed),
      row(`highest over the ${num(hold.heldMs / 1000, 0)} s hold`, hold.peak.rss, hold.peak.heapUsed),
      row("at the planned close", hold.atEnd.rss, hold.atEnd.heapUsed),
      ...(hold.afterGc ? [row("then, after a full GC", hold.afterGc.rss, hold.afterGc.heapUsed)] : []),
    ],
  );
}

/** The BENCHMARKS.md section: how it was measured, the two tables, and what the hold carried. */
export function bundlesMarkdown(r: BundlesResults): string {
  const stream = r.bundles.find((b) => b.name === "Stream");
  const hold = r.hold;
  const events = hold
    ? Object.entries(hold.events)
        .map(([name, n]) => `${name} ${n}`)
        .join(", ")
    : "";
  return [
    BUNDLES_HEADING,
    "",
    `Written by \`npm run bundles\` from one run that started ${r.startedAt.replace("T", " ").slice(0, 16)} UTC and took ${num(r.seconds)} s: Node ${r.machine.node}, ${r.machine.cpus} cores (${r.machine.cpuModel}), load average at the start ${r.machine.load.join(" / ")}; esbuild ${r.esbuild}.`,
    "",
    "- Bundles: each entry in `packages/functions/src/lambda/` built as `sst deploy` builds it (SST 4.17, `lambda/testing/sst-build.ts` cites its source): esbuild, ESM, platform node, target es2023 for nodejs22.x, keepNames, the CLI's banner, externals only `sharp` and `pg-native`, so `@aws-sdk/*` is bundled, not taken from the runtime; minified, as `nodejs.minify` in sst.config.ts asks (SST leaves it off when unset: \"not minified\"). The deployed zip holds that bundle.mjs and resource.enc (the links); the source map stays out. kB are 1,000 bytes; largest parts in kB of the minified bundle (esbuild's metafile).",
    `- Cold import: a fresh \`node\` per run (${r.runs} runs per function, medians) imports bundle.mjs with the function's environment as Lambda and SST give it: its links sealed in resource.enc with \`SST_KEY\`, its settings from sst.config.ts, fake AWS credentials, Redis, Upstash's REST protocol and Lambda's Invoke API on 127.0.0.1; so the entry's top level runs for real (Stream connects to Redis over TCP). V8 is sized as Lambda's Node.js runtime sizes it for the function's memory; RSS and heap are \`process.memoryUsage()\` right after the import.`,
    "",
    sizeTable(r.bundles),
    "",
    ...(hold && stream
      ? [
          `**Stream at ${hold.memoryMb} MB, one stream held** for ${num(hold.heldMs / 1000, 1)} s, through the streaming-runtime emulation (\`lambda/testing/streaming-runtime.ts\`), until its planned close: a message sent through the Api bundle, the Agent bundle's reply, an external agent's events through the Webhook bundle; writes padded to 16 KB as in the cloud, a heartbeat every ${num(hold.heartbeatMs / 1000)} s. It carried ${num(hold.writes)} writes (${mb(hold.bytesWritten)} MB), ${num(hold.heartbeats)} heartbeats, ${events}; closed: ${hold.closeReason ?? "not planned"}. RSS sampled every 100 ms.`,
          "",
          holdTable(hold, stream),
          "",
          `Highest RSS ${mb(hold.peak.rss)} MB: ${mb(hold.marginBytes)} MB to spare at ${hold.memoryMb} MB. The Agent bundle, at ${hold.agent.memoryMb} MB, peaked at ${mb(hold.agent.peak.rss)} MB RSS (${mb(hold.agent.peak.heapUsed)} MB heap) while it wrote that reply with the demo agent (the OpenAI and LangGraph agents, which read a model's stream over HTTP, are not measured here). On the high side: the emulation keeps every byte written, and serves the Runtime API from the same process. Not counted: Lambda's runtime client (part of the same process there, a few MB), and Node 22 there against Node ${r.machine.node} here. Cold imports ran on a whole core of this machine; Lambda gives a function CPU in proportion to its memory (one vCPU at 1,769 MB), so a 128 MB function's cold start there takes longer than its import here.`,
          "",
        ]
      : []),
    ...(r.problems.length ? [`Problems: ${r.problems.join("; ")}.`, ""] : []),
  ].join("\n");
}
