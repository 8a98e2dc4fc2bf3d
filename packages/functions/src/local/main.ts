import { ConfigError } from "@murmur/core/config";
import { bannerLines } from "./banner.ts";
import { loadLocalConfig } from "./config.ts";
import { startLocalServer } from "./start.ts";

/** `npm start`: the whole app in one process, on embedded defaults. */
async function main(): Promise<void> {
  const local = loadLocalConfig();
  const server = await startLocalServer(local.config, { observability: local.observability });
  console.log(bannerLines(server, local).join("\n"));

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
