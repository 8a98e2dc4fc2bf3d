import type { AgentInvoker } from "@murmur/core/agent";
import type { SessionTokens, WebhookVerifier } from "@murmur/core/auth";
import type { Ingest } from "@murmur/core/chat";
import type { MurmurConfig } from "@murmur/core/config";
import type { EventLog } from "@murmur/core/event-log";

/** Counts open SSE streams; shown in health and used by tests and benchmarks. */
export interface StreamGauge {
  open(): void;
  close(): void;
  readonly current: number;
  readonly total: number;
}

/** Everything the Hono app needs, built by an entry point (local server or Lambda). */
export interface AppDeps {
  readonly config: MurmurConfig;
  readonly log: EventLog;
  readonly ingest: Ingest;
  readonly invoker: AgentInvoker;
  readonly sessions: SessionTokens;
  readonly webhooks: WebhookVerifier;
  readonly streams: StreamGauge;
}

/** A gauge of open streams. */
export function createStreamGauge(): StreamGauge {
  let current = 0;
  let total = 0;
  return {
    open() {
      current++;
      total++;
    },
    close() {
      current--;
    },
    get current() {
      return current;
    },
    get total() {
      return total;
    },
  };
}

/** Hono's typed context variables set by middleware. */
export interface AppEnv {
  Variables: { sessionId: string };
}
