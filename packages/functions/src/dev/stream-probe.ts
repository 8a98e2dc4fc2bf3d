import { ConfigError } from "@murmur/core/config";
import { loadStreamProbeConfig } from "./config.ts";
import { describeMeasurement, measureStream } from "./measure-stream.ts";

/**
 * Measures a deployed stage's stream from this machine (README "Deploy", "Measure your
 * stream"): first byte, snapshot, and how long each event takes to reach the stream.
 * Run it against a stage deployed with padding and one without to see what padding buys.
 *
 *   MURMUR_URL=https://dxxxx.cloudfront.net WEBHOOK_SECRET=... npx tsx packages/functions/src/dev/stream-probe.ts
 */
async function main(): Promise<void> {
  const config = loadStreamProbeConfig();
  const where = config.streamBase === config.apiBase ? "through the router" : `at ${config.streamBase}`;
  console.log(`\n  Probing ${config.apiBase}, stream ${where}: ${config.frames} frames, ${config.intervalMs} ms apart\n`);
  console.log(describeMeasurement(config.streamBase, await measureStream(config)));
  console.log("");
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `\n  stream-probe: ${error.message}\n` : error);
  process.exit(1);
});
