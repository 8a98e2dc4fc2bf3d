import {
  CLOUDFRONT_USD_PER_GB,
  CLOUDFRONT_USD_PER_REQUEST,
  LAMBDA_ARM64_USD_PER_GB_SECOND,
  LAMBDA_STREAM_FREE_BYTES,
  LAMBDA_STREAM_USD_PER_GB,
  LAMBDA_USD_PER_REQUEST,
  UPSTASH_FIXED_PLANS,
  UPSTASH_USD_PER_COMMAND,
} from "./prices.ts";
import type { VariantRun } from "./variant.ts";

/** One variant priced per 1,000 active chat-hours (the scripted session is one chat-hour). */
export interface PricedVariant {
  readonly name: string;
  readonly lambdaUsd: number;
  /** Upstash pay as you go, a script counted as one command. */
  readonly upstashUsd: number;
  readonly cloudfrontUsd: number;
  readonly totalUsd: number;
  /** The total with every command a script runs priced (`INFO commandstats`). */
  readonly totalUsdInnerCommands: number;
  readonly counted: {
    readonly invocations: number;
    readonly gbSeconds: number;
    readonly commandsSent: number;
    readonly commandsExecuted: number;
    readonly streamedBytes: number;
  };
}

const K = 1000;
const GB = 1024 ** 3;
const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Prices a run: per chat-hour figures times 1,000. */
export function price(run: VariantRun): PricedVariant {
  const c = run.counted;
  const functions = Object.values(c.functions);
  const invocations = functions.reduce((n, f) => n + f.invocations, 0);
  const gbSeconds = functions.reduce((n, f) => n + (f.ms / 1000) * (f.memoryMb / 1024), 0);
  const streamedBytes = c.streamBytes.reduce((a, b) => a + b, 0);
  const streamingOver = c.streamBytes.reduce((n, b) => n + Math.max(0, b - LAMBDA_STREAM_FREE_BYTES), 0);
  const lambda =
    gbSeconds * LAMBDA_ARM64_USD_PER_GB_SECOND + invocations * LAMBDA_USD_PER_REQUEST + (streamingOver / GB) * LAMBDA_STREAM_USD_PER_GB;
  const commandsSent = sum(c.restCommands) + sum(c.tcpCommands);
  const commandsExecuted = sum(c.executed);
  const upstash = commandsSent * UPSTASH_USD_PER_COMMAND;
  const cloudfront = c.cloudfront.requests * CLOUDFRONT_USD_PER_REQUEST + (c.cloudfront.bytes / GB) * CLOUDFRONT_USD_PER_GB;
  return {
    name: run.spec.name,
    lambdaUsd: K * lambda,
    upstashUsd: K * upstash,
    cloudfrontUsd: K * cloudfront,
    totalUsd: K * (lambda + upstash + cloudfront),
    totalUsdInnerCommands: K * (lambda + commandsExecuted * UPSTASH_USD_PER_COMMAND + cloudfront),
    counted: {
      invocations: K * invocations,
      gbSeconds: K * gbSeconds,
      commandsSent: K * commandsSent,
      commandsExecuted: K * commandsExecuted,
      streamedBytes: K * streamedBytes,
    },
  };
}

const usd = (n: number) => `$${n < 0.1 ? n.toFixed(4) : n.toFixed(2)}`;
const num = (n: number) => Math.round(n).toLocaleString("en-US");

/** The Markdown that goes into BENCHMARKS.md. */
export function markdown(runs: readonly VariantRun[], priced: readonly PricedVariant[]): string {
  const polling = priced.find((p) => p.name === "polling-1.5s");
  const rows = priced.map((p) => {
    const ratio = polling && p !== polling ? ` (${(p.totalUsd / polling.totalUsd).toFixed(3)}x polling)` : "";
    return `| ${p.name} | ${num(p.counted.invocations)} | ${num(p.counted.gbSeconds)} | ${num(p.counted.commandsSent)} | ${num(p.counted.commandsExecuted)} | ${num(p.counted.streamedBytes / 1024 / 1024)} MB | ${usd(p.lambdaUsd)} | ${usd(p.upstashUsd)} | ${usd(p.cloudfrontUsd)} | **${usd(p.totalUsd)}**${ratio} | ${usd(p.totalUsdInnerCommands)} |`;
  });
  const fixed = priced.flatMap((p) =>
    UPSTASH_FIXED_PLANS.map((plan) => {
      const at = (hours: number) => usd(p.lambdaUsd + p.cloudfrontUsd + (plan.usdPerMonth / hours) * K);
      return `| ${p.name} | ${plan.name} ($${plan.usdPerMonth}/month) | ${at(20_000)} | ${at(50_000)} |`;
    }),
  );
  const details = runs.map((r) => {
    const f = r.counted.functions;
    const fn = Object.entries(f)
      .map(([name, x]) => `${name} ${x.invocations} x ${Math.round(x.ms / Math.max(1, x.invocations))} ms at ${x.memoryMb} MB`)
      .join(", ");
    const lag = r.counted.releaseLagMs.length
      ? `; a released stream ended ${Math.round(Math.max(...r.counted.releaseLagMs))} ms after its release at most`
      : "";
    const how = r.spec.kind === "polling" ? `${num(r.polls)} polls` : `streams held ${r.heldSeconds.toFixed(1)} s, ${r.syncs} idle checks`;
    return `- ${r.spec.name} (${r.spec.description}): ${how}; ${fn}; REST ${JSON.stringify(r.counted.restCommands)}, TCP ${JSON.stringify(r.counted.tcpCommands)}${lag}.`;
  });
  return [
    "Per 1,000 active chat-hours, counted from the real handlers (see below):",
    "",
    "| variant | Lambda invocations | GB-seconds | commands sent | commands executed | streamed | Lambda | Upstash | CloudFront | total (a script is 1 command) | total (every command a script runs) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    "With an Upstash fixed plan instead of pay as you go (commands not billed; Lambda and CloudFront as above), per 1,000 chat-hours:",
    "",
    "| variant | plan | at 20,000 chat-hours a month | at 50,000 |",
    "| --- | --- | ---: | ---: |",
    ...fixed,
    "",
    "What each run did:",
    ...details,
  ].join("\n");
}
