import { ConfigError } from "@murmur/core/config";
import { loadLocalConfig } from "./config.ts";
import { startLocalServer } from "./local/start.ts";

/** `npm start`: the whole app in one process, on embedded defaults. */
async function main(): Promise<void> {
  const { config, dataDir, secretsFrom } = loadLocalConfig();
  const server = await startLocalServer(config);
  const log = server.deps.log;
  const lines = [
    "",
    "  Murmur is running",
    "",
    `  URL          ${server.url}${server.servesWeb ? "" : "  (API only: the web app is not built; run npm run build)"}`,
    `  Mode         ${config.mode}`,
    `  Event log    ${log.name === "memory" ? "memory (embedded, in this process; gone when it stops)" : log.name}`,
    `  Agent        ${config.agent.kind === "demo" ? `demo responder (offline, ${config.agent.paceMs} ms per word)` : config.agent.kind}`,
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

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`\n  Murmur cannot start: ${error.message}\n`);
  else if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    console.error(`\n  Murmur cannot start: the port is in use (${error.message}). Set PORT to another port.\n`);
  } else console.error(error);
  process.exit(1);
});
