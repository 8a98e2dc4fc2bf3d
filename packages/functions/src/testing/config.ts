import { type MurmurConfig, readConfig } from "@murmur/core/config";

/** Test configuration: fixed secrets, fast demo replies, no request log; override anything. */
export function testConfig(env: Record<string, string> = {}): MurmurConfig {
  return readConfig(
    {
      SESSION_SECRET: "test-session-secret-0123456789abcdef",
      WEBHOOK_SECRET: "test-webhook-secret",
      PORT: "0",
      DEMO_PACE_MS: "0",
      MURMUR_LOG: "off",
      ...env,
    },
    "local",
  );
}
