import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createSessionTokens, createWebhookVerifier, SIGNATURE_HEADER } from "@murmur/core/auth";
import type { ChatEvent } from "@murmur/core/chat";
import { SESSION_SECRET, WEBHOOK_SECRET } from "../shared.ts";

// What the baselines share with Murmur, so every design does the same work at the
// edges: session tokens checked on every subscription and poll, webhooks checked against
// the same HMAC signature. The baselines do not validate event schemas or de-duplicate.

const sessions = createSessionTokens(SESSION_SECRET, 3600);
const webhooks = createWebhookVerifier(WEBHOOK_SECRET);

/** True when the request carries a valid `Authorization: Bearer` session token. */
export async function hasSession(req: IncomingMessage): Promise<boolean> {
  const header = req.headers.authorization;
  if (!header?.startsWith("Bearer ")) return false;
  return sessions.verify(header.slice(7)).then(
    () => true,
    () => false,
  );
}

/** True for a valid session token given directly (Socket.IO's handshake `auth`). */
export function isSessionToken(token: unknown): Promise<boolean> {
  if (typeof token !== "string") return Promise.resolve(false);
  return sessions.verify(token).then(
    () => true,
    () => false,
  );
}

/** Reads and verifies a signed webhook: `{threadId, events}`, or null after answering 4xx. */
export async function readWebhook(req: IncomingMessage, res: ServerResponse): Promise<{ threadId: string; events: ChatEvent[] } | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  try {
    await webhooks.verify(req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, raw);
    return JSON.parse(raw) as { threadId: string; events: ChatEvent[] };
  } catch {
    reply(res, 401, { error: "bad webhook" });
    return null;
  }
}

export function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Listens on a free port of 127.0.0.1 and returns the origin. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
