import { utf8 } from "../auth/encoding.ts";

// Murmur's UUID namespace: LangGraph thread ids are name-based UUIDs (v5) under it.
const NAMESPACE = "1a82a57c-6f0e-437c-b1fc-f6370c60fc7d";

/**
 * The LangGraph thread that holds a Murmur thread's conversation: a UUID v5 of the
 * Murmur thread id, so it is found again without storing a mapping.
 */
export async function langGraphThreadId(threadId: string): Promise<string> {
  const namespace =
    NAMESPACE.replace(/-/g, "")
      .match(/../g)
      ?.map((h) => Number.parseInt(h, 16)) ?? [];
  const name = utf8(threadId);
  const input = new Uint8Array(16 + name.length);
  input.set(namespace, 0);
  input.set(name, 16);
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-1", input)).slice(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
