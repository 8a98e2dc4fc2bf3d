import { UnauthorizedError } from "../errors/index.ts";
import { fromHex, toHex, utf8 } from "./encoding.ts";
import { hmacSha256, macEquals } from "./hmac.ts";

/** The run a per-run secret belongs to. */
export interface RunSecretSubject {
  readonly threadId: string;
  readonly runId: string;
}

/**
 * Per-run webhook secrets, for agents that cannot sign their webhook (LangGraph): the
 * secret travels in the webhook URL and is HMAC-SHA256 of the run, keyed with
 * `WEBHOOK_SECRET`, so nothing is stored and a leaked secret opens one run only.
 */
export interface RunSecrets {
  /** The run's secret: 64 lower-case hex characters. */
  forRun(run: RunSecretSubject): Promise<string>;
  /** @throws UnauthorizedError when `candidate` is missing or not the run's secret (compared in constant time). */
  verify(run: RunSecretSubject, candidate: string | null | undefined): Promise<void>;
}

// The prefix keeps these MACs apart from webhook signatures, whose input starts with digits.
const subject = (run: RunSecretSubject) => utf8(`murmur-run-secret\n${run.threadId}\n${run.runId}`);

/** Per-run secrets derived from `secret` (the webhook secret). */
export function createRunSecrets(secret: string): RunSecrets {
  return {
    async forRun(run) {
      return toHex(hmacSha256(secret, subject(run)));
    },
    async verify(run, candidate) {
      if (!candidate) throw new UnauthorizedError("missing per-run secret");
      const bytes = fromHex(candidate);
      if (!bytes || !macEquals(hmacSha256(secret, subject(run)), bytes)) {
        throw new UnauthorizedError("the per-run secret does not match this run");
      }
    },
  };
}
