import { type Agent, createDemoAgent, createLangGraphAgent, createOpenAiAgent } from "@murmur/core/agent";
import { createRunSecrets } from "@murmur/core/auth";
import type { MurmurConfig } from "@murmur/core/config";
import { langGraphWebhookUrl } from "./routes/langgraph-webhook.ts";

export interface AgentOptions {
  /** This server's own address, for the webhook when `PUBLIC_URL` is unset (local mode). */
  readonly localUrl?: () => string;
}

/** The agent the configuration asks for (`AGENT`). */
export function createAgent(config: MurmurConfig, options: AgentOptions = {}): Agent {
  const settings = config.agent;
  switch (settings.kind) {
    case "demo":
      return createDemoAgent({ paceMs: settings.paceMs });
    case "openai":
      return createOpenAiAgent(settings);
    case "langgraph": {
      const secrets = createRunSecrets(config.webhookSecret);
      // Read when a run starts: in local mode the port may only be known once listening.
      const publicUrl = () => config.publicUrl ?? options.localUrl?.() ?? `http://${config.host}:${config.port}`;
      return createLangGraphAgent({ ...settings, webhookUrl: (run) => langGraphWebhookUrl(publicUrl(), secrets, run) });
    }
  }
}
