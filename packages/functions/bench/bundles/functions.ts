import { fileURLToPath } from "node:url";
import {
  DEFAULT_PAD_BYTES,
  FUNCTION_MEMORY_MB,
  HEARTBEAT_MS,
  REDIS_BLOCK_MS,
  STREAM_PLANNED_CLOSE_SECONDS,
} from "../../src/lambda/deployment.ts";
import { BUNDLE_BUDGETS_KB, type FunctionName } from "../../src/lambda/testing/bundle-budgets.ts";
import { AGENT_FUNCTION } from "../../src/lambda/testing/cloud-fixture.ts";

const LAMBDA_DIR = fileURLToPath(new URL("../../src/lambda/", import.meta.url));

/** One of sst.config.ts's functions, as the bench builds and runs it. */
export interface FunctionSpec {
  readonly name: FunctionName;
  readonly entry: string;
  /** Its memory as deployed (deployment.ts), in MB: V8 is sized from it as on Lambda. */
  readonly memoryMb: number;
  /** The budget of the minified bundle, in kB (1,000 bytes; see BUNDLE_BUDGETS_KB); null: none. */
  readonly targetKb: number | null;
  /** Its environment in sst.config.ts (the settings that are not links). */
  readonly env: Record<string, string>;
  /** What is linked to it beyond Upstash and the two secrets. */
  readonly links: Record<string, unknown>;
}

// As sst.config.ts deploys them: sizes and settings from deployment.ts, which it imports
// too; the same links (sst.config.test.ts checks those).
const DEFAULT_ENV = { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS), SSE_PAD_BYTES: String(DEFAULT_PAD_BYTES) };

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: "Api",
    entry: `${LAMBDA_DIR}api.ts`,
    memoryMb: FUNCTION_MEMORY_MB.Api,
    targetKb: BUNDLE_BUDGETS_KB.Api,
    env: DEFAULT_ENV,
    links: { Agent: { type: "sst.aws.Function", name: AGENT_FUNCTION } },
  },
  {
    name: "Webhook",
    entry: `${LAMBDA_DIR}webhook.ts`,
    memoryMb: FUNCTION_MEMORY_MB.Webhook,
    targetKb: BUNDLE_BUDGETS_KB.Webhook,
    env: DEFAULT_ENV,
    links: {},
  },
  {
    name: "Stream",
    entry: `${LAMBDA_DIR}stream.ts`,
    memoryMb: FUNCTION_MEMORY_MB.Stream,
    targetKb: BUNDLE_BUDGETS_KB.Stream,
    env: { ...DEFAULT_ENV, SSE_MAX_DURATION_MS: String(STREAM_PLANNED_CLOSE_SECONDS * 1000), REDIS_BLOCK_MS: String(REDIS_BLOCK_MS) },
    links: {},
  },
  {
    name: "Agent",
    entry: `${LAMBDA_DIR}agent.ts`,
    memoryMb: FUNCTION_MEMORY_MB.Agent,
    targetKb: BUNDLE_BUDGETS_KB.Agent,
    env: { ...DEFAULT_ENV, PUBLIC_URL: "https://d111111abcdef8.cloudfront.net", DEMO_PACE_MS: "20" },
    links: {
      OpenAiApiKey: { type: "sst.sst.Secret", value: "" },
      LangGraphApiKey: { type: "sst.sst.Secret", value: "" },
    },
  },
];
