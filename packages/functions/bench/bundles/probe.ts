import { pathToFileURL } from "node:url";
import { installAwsLambdaGlobals } from "../../src/lambda/testing/streaming-runtime.ts";
import { holdStream } from "./probe-hold.ts";
import { agentJob, sendJob, sessionJob, webhookJob } from "./probe-jobs.ts";
import { memory } from "./probe-memory.ts";

// The child side of the bundle bench: plain `node` (no tsx: this file is bundled first,
// see probe-build.ts), one job per process, so each bundle is imported cold, with what
// the function's environment holds (cloudEnvironment). Usage:
//   node probe.mjs <job> <bundle.mjs> '<json arguments>'
// The result goes to the parent over IPC as `{op: "result", ok, value | error}`.

type Handler = (...args: never[]) => unknown;
type Job = (handler: Handler, args: Record<string, unknown>) => Promise<unknown>;

const JOBS: Record<string, Job> = {
  session: sessionJob,
  send: sendJob,
  agent: agentJob,
  webhook: webhookJob,
  hold: holdStream,
};

async function main(): Promise<unknown> {
  const [job = "", bundle = "", raw = "{}"] = process.argv.slice(2);
  // As the runtime does before it loads the handler module.
  installAwsLambdaGlobals();
  const before = memory();
  const started = performance.now();
  const loaded = (await import(pathToFileURL(bundle).href)) as { handler?: Handler };
  const importMs = performance.now() - started;
  const after = memory();
  if (typeof loaded.handler !== "function") throw new Error(`${bundle} exports no handler`);
  if (job === "import") return { importMs, before, after };
  const run = JOBS[job];
  if (!run) throw new Error(`unknown job ${job}`);
  return run(loaded.handler, JSON.parse(raw));
}

const send = (message: object) => process.send?.(message, () => process.exit(0)) ?? process.exit(1);
main().then(
  (value) => send({ op: "result", ok: true, value }),
  (error: unknown) => send({ op: "result", ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
