import { ConfigError, type EventLogConfig } from "@murmur/core/config";
import { describeAgent } from "./agents.ts";
import { loadLocalConfig } from "./config.ts";
import { startLocalServer } from "./local/start.ts";

/** `npm start`: the whole app in one process, on embedded defaults. */
async function main(): Promise<void> {
  const { config, dataDir, secretsFrom } = loadLocalConfig();
  const server = await startLocalServer(config);
  const lines = [
    "",
    "  Murmur is running",
    "",
    `  URL          ${server.url}${server.servesWeb ? "" : "  (API only: the web app is not built; run npm run build)"}`,
    `  Mode         ${config.mode}`,
    `  Event log    ${describeEventLog(config.eventLog)}`,
    `  Agent        ${describeAgent(config)}`,
    `  Data         ${dataDir}`,
    `  Secrets      ${secretsFrom === "environment" ? "from the environment" : secretsFrom}`,
    `  Health       ${server.url}/api/health`,
    "",
    "  Press Ctrl+C to stop.",
    "",
  ];
  console.log(lines.join("\n"));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n  ${signal}: stopping…`);
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

/** One line on where events live, with any password in a URL hidden. */
function describeEventLog(settings: EventLogConfig): string {
  const hide = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  switch (settings.adapter) {
    case "memory":
      return "memory (embedded, in this process; gone when it stops; set REDIS_URL to keep it)";
    case "redis":
      return `redis at ${hide(settings.url)}, keys under ${settings.prefix}:`;
    case "upstash":
      return `upstash REST at ${settings.restUrl}, keys under ${settings.prefix}:, tails ${
        settings.tailUrl ? `blocking over ${hide(settings.tailUrl)}` : `polling every ${settings.pollMinMs}-${settings.pollMaxMs} ms`
      }`;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`\n  Murmur cannot start: ${error.message}\n`);
  else if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    console.error(`\n  Murmur cannot start: the port is in use (${error.message}). Set PORT to another port.\n`);
  } else console.error(error);
  process.exit(1);
});
