import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { readBody } from "./read-body.ts";

/**
 * A local server that speaks Upstash's REST protocol in front of a real Redis:
 * development tooling for the Upstash adapter's tests and for running the cloud write
 * path on a laptop. It implements what `@upstash/redis` uses:
 * - `POST /` with a JSON array `["CMD", "arg", ...]` -> `{"result": ...}`;
 * - `POST /pipeline` and `POST /multi-exec` with an array of commands -> an array of
 *   `{"result"}` / `{"error"}` (multi-exec runs them in MULTI/EXEC);
 * - `Authorization: Bearer <token>` (401 `{"error":"Unauthorized"}` otherwise);
 * - `Upstash-Encoding: base64`: every string in a result is base64 (Upstash leaves a
 *   plain `OK` as is);
 * - errors as HTTP 400 `{"error": "ERR ..."}`.
 * Blocking commands are refused, as a REST request cannot hold a connection open.
 */
export interface UpstashRestServer {
  readonly url: string;
  readonly token: string;
  /** Requests served, by path; lets tests count REST round trips. */
  readonly requests: Map<string, number>;
  /** Commands received, by lower-case name (a pipeline's and a transaction's each count): what Upstash bills per command sent. */
  readonly commands: Map<string, number>;
  close(): Promise<void>;
}

const BLOCKING = new Set([
  "BLPOP",
  "BRPOP",
  "BLMOVE",
  "BRPOPLPUSH",
  "BZPOPMIN",
  "BZPOPMAX",
  "BLMPOP",
  "BZMPOP",
  "WAIT",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "MONITOR",
]);

function refuseBlocking(command: readonly string[]): string | null {
  const name = (command[0] ?? "").toUpperCase();
  if (BLOCKING.has(name)) return `ERR ${name} is not supported over REST`;
  if ((name === "XREAD" || name === "XREADGROUP") && command.some((arg) => arg.toUpperCase() === "BLOCK")) {
    return `ERR ${name} with BLOCK is not supported over REST`;
  }
  return null;
}

function encode(value: unknown, base64: boolean): unknown {
  if (typeof value === "string") return base64 && value !== "OK" ? Buffer.from(value, "utf8").toString("base64") : value;
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  return value;
}

function toCommand(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error("ERR command must be a non-empty JSON array");
  return raw.map((part) => (typeof part === "string" ? part : JSON.stringify(part)));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Starts the server on `host:port` (port 0: any free port), forwarding to `redisUrl`. */
/** Set on the local REST server's own connection to Redis, so that a meter can leave its commands out. */
export const REST_PROXY_MARK = "murmurRestProxy";

export async function startUpstashRestServer(options: {
  redisUrl: string;
  token: string;
  port?: number;
  host?: string;
}): Promise<UpstashRestServer> {
  // No connection name: it would cost a CLIENT SETNAME, which tests on Redis without CLIENT
  // count. The cost model tells its commands (REST's) from the functions' by this mark.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5000 });
  Object.defineProperty(redis, REST_PROXY_MARK, { value: true });
  redis.on("error", () => {});
  const requests = new Map<string, number>();
  const commands = new Map<string, number>();
  const received = (command: readonly string[]) => {
    const name = String(command[0] ?? "").toLowerCase();
    commands.set(name, (commands.get(name) ?? 0) + 1);
  };

  const run = async (command: string[]): Promise<{ result?: unknown; error?: string }> => {
    received(command);
    const refused = refuseBlocking(command);
    if (refused) return { error: refused };
    try {
      return { result: await redis.call(command[0] as string, ...command.slice(1)) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, { error: "Unauthorized" });
    if (req.method !== "POST") return send(res, 405, { error: "ERR only POST is supported" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { error: "ERR failed to parse command" });
    }
    try {
      if (path === "/" || path === "") {
        const reply = await run(toCommand(body));
        return reply.error ? send(res, 400, { error: reply.error }) : send(res, 200, { result: encode(reply.result, base64) });
      }
      if (path === "/pipeline" || path === "/multi-exec") {
        if (!Array.isArray(body)) return send(res, 400, { error: "ERR pipeline body must be an array of commands" });
        const batch = body.map(toCommand);
        let replies: { result?: unknown; error?: string }[];
        if (path === "/pipeline") {
          replies = [];
          for (const command of batch) replies.push(await run(command));
        } else {
          const refused = batch.map(refuseBlocking).find(Boolean);
          if (refused) return send(res, 400, { error: refused });
          for (const command of batch) received(command);
          const results = (await redis.multi(batch.map((c) => [c[0] as string, ...c.slice(1)])).exec()) ?? [];
          replies = results.map(([error, result]) => (error ? { error: error.message } : { result }));
        }
        return send(
          res,
          200,
          replies.map((r) => (r.error ? { error: r.error } : { result: encode(r.result, base64) })),
        );
      }
      return send(res, 404, { error: `ERR unknown path ${path}` });
    } catch (error) {
      return send(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    requests,
    commands,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
