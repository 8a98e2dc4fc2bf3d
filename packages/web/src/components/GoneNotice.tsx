import type { GoneCode } from "../primitives/thread-stream.ts";

/**
 * Why the open thread is gone, in words: the server answered 404 (with `persistent`
 * false, a server that keeps chats in memory only, so a restart lost it) or 403 (another
 * session's: this browser's session was replaced).
 */
export function goneText(code: GoneCode, persistent: boolean | null): string {
  if (code === "forbidden")
    return "This chat belongs to another session, so it cannot be opened here (the server replaced this browser's session).";
  if (persistent === false) return "This chat is gone: the server restarted without saving chats (no REDIS_URL).";
  return "This chat no longer exists: it was deleted, or the server lost it.";
}

/** Where a gone thread's messages were: what happened, and a way on. */
export function GoneNotice(props: { code: GoneCode; persistent: boolean | null; onNew: () => void; creating: boolean }) {
  return (
    <section class="gone-notice" role="alert" aria-labelledby="gone-text">
      <p id="gone-text">{goneText(props.code, props.persistent)}</p>
      <p>Start a new chat.</p>
      <button type="button" class="gone-new-chat" onClick={() => props.onNew()} disabled={props.creating}>
        New chat
      </button>
    </section>
  );
}
