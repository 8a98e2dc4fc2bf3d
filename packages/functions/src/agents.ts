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

/** One line on which agent writes replies, for the start-up banner. Never includes a key. */
export function describeAgent(config: MurmurConfig): string {
  const settings = config.agent;
  const origin = (url: string) => new URL(url).origin; // no path, query or credentials
  switch (settings.kind) {
    case "demo":
      return `demo responder (offline, ${settings.paceMs} ms per word)`;
    case "openai":
      return `openai-compatible, model ${settings.model} at ${origin(settings.baseUrl)}`;
    case "langgraph":
      return `langgraph, assistant ${settings.assistantId} at ${origin(settings.url)}${settings.stream ? ", streaming tokens" : ""}`;
  }
}
