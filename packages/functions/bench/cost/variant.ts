import { type FakeOpenAiServer, startFakeOpenAi, streamedReply } from "@murmur/core/testing";
import { FUNCTION_MEMORY_MB } from "../../src/lambda/deployment.ts";
import { ScriptedBrowser } from "./browser.ts";
import { startCloud } from "./cloud.ts";
import { type Counted, Meter } from "./meter.ts";
import { runMurmurSession, runPollingSession, SESSION, type SessionScript } from "./session.ts";
import { deployedEnv, type VariantSpec } from "./variants.ts";

/** What one variant's child process reports: what was counted, and the session's times. */
export interface VariantRun {
  readonly spec: VariantSpec;
  readonly script: SessionScript;
  readonly counted: Counted;
  readonly heldSeconds: number;
  readonly syncs: number;
  readonly polls: number;
  readonly settings: Record<string, string>;
}

/** Tokens of a model's reply: about 40 a second, as a hosted model streams. */
const TOKENS_PER_SECOND = 40;

/** Runs one variant in this process (the Lambda environment is process-wide) and prints its result as the last line. */
async function main(): Promise<void> {
  const spec = JSON.parse(process.env.COST_VARIANT ?? "{}") as VariantSpec;
  const script: SessionScript = { ...SESSION, ...spec.script };
  const model: FakeOpenAiServer = await startFakeOpenAi();
  const tokens = Math.round(script.replySeconds * TOKENS_PER_SECOND);
  model.respond(
    streamedReply(
      Array.from({ length: tokens }, (_, i) => `word${i} `),
      1000 / TOKENS_PER_SECOND,
    ),
  );
  const settings = { ...deployedEnv(), AGENT: "openai", OPENAI_BASE_URL: model.url, OPENAI_MODEL: "model", ...spec.env };
  const meter = new Meter(FUNCTION_MEMORY_MB);
  const cloud = await startCloud(meter, settings);
  const browser = new ScriptedBrowser(cloud, meter);
  let times = { heldSeconds: 0, syncs: 0, polls: 0 };
  try {
    if (spec.kind === "polling") times = { ...times, ...(await runPollingSession(browser, script, spec.pollMs ?? 1500)) };
    else times = { ...times, ...(await runMurmurSession(browser, script)) };
    const counted: Counted = {
      functions: meter.functions,
      streamBytes: meter.streamBytes,
      cloudfront: meter.cloudfront,
      tcpCommands: meter.tcpCommands,
      restCommands: cloud.restCommands(),
      executed: await cloud.executed(),
      releaseLagMs: meter.releaseLagMs,
    };
    const run: VariantRun = { spec, script, counted, ...times, settings: redact(settings) };
    console.log(JSON.stringify(run));
  } finally {
    await cloud.close();
    await model.close();
  }
  process.exit(0);
}

/** The settings without addresses of this run's local servers. */
function redact(settings: Record<string, string>): Record<string, string> {
  const { OPENAI_BASE_URL: _, ...rest } = settings;
  return rest;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
