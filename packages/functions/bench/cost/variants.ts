import {
  DEFAULT_PAD_BYTES,
  HEARTBEAT_MS,
  REDIS_BLOCK_MS,
  STREAM_CONCURRENCY,
  STREAM_PLANNED_CLOSE_SECONDS,
  streamSlots,
} from "../../src/lambda/deployment.ts";
import type { SessionScript } from "./session.ts";

/** One way of serving the scripted session. */
export interface VariantSpec {
  readonly name: string;
  readonly kind: "murmur" | "polling";
  readonly description: string;
  /** Settings over the deployed ones. */
  readonly env?: Record<string, string>;
  readonly script?: Partial<SessionScript>;
  readonly pollMs?: number;
}

/**
 * The functions' settings as sst.config.ts deploys them (deployment.ts); what it does not
 * set (STREAM_POLICY, DELTA_WINDOW_MS, STREAM_LINGER_MS, IDLE_CHECK_MS) takes the cloud
 * defaults of packages/core's configuration.
 */
export function deployedEnv(): Record<string, string> {
  return {
    SSE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    SSE_PAD_BYTES: String(DEFAULT_PAD_BYTES),
    SSE_MAX_DURATION_MS: String(STREAM_PLANNED_CLOSE_SECONDS * 1000),
    REDIS_BLOCK_MS: String(REDIS_BLOCK_MS),
    // Production's stream slots: each stream takes and frees one (two script calls).
    STREAM_MAX_OPEN: String(streamSlots(STREAM_CONCURRENCY.production)),
  };
}

export const VARIANTS: readonly VariantSpec[] = [
  { name: "murmur-deployed", kind: "murmur", description: "Murmur as sst.config.ts deploys it, one tab" },
  {
    name: "murmur-deployed-3-tabs",
    kind: "murmur",
    description: "the same, with 3 tabs open on the thread (one leader holds the streams)",
    script: { tabs: 3 },
  },
  {
    name: "polling-1.5s",
    kind: "polling",
    description: "the design Murmur replaces: a poll every 1.5 s while visible, the agent appending every 50 ms as before",
    pollMs: 1500,
    env: { DELTA_WINDOW_MS: "50" },
  },
  {
    name: "polling-1.5s-same-writes",
    kind: "polling",
    description: "polling every 1.5 s, with Murmur's deployed appends (only the delivery differs)",
    pollMs: 1500,
  },
];

/** `--quick`: one short reply, to check the harness end to end in CI (its figures are not the model's). */
export const QUICK: Partial<SessionScript> = { messages: 1, replySeconds: 1, typingMs: 100 };
export const QUICK_ENV: Record<string, string> = { STREAM_LINGER_MS: "100" };
