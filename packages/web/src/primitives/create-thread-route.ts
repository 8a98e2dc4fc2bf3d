import { type Accessor, createSignal, onCleanup } from "solid-js";

/** The thread a path names: `/t/<threadId>`, else undefined. */
export function threadFromPath(pathname: string): string | undefined {
  const match = /^\/t\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  return match?.[1];
}

/** The path of a thread's page. */
export const threadPath = (threadId: string) => `/t/${threadId}`;

/**
 * The thread in the address bar, kept in step with back/forward. `navigate` pushes a
 * history entry (or replaces it), so every thread has a URL that survives a reload;
 * navigating to no thread goes to `/`.
 */
export function createThreadRoute(): [Accessor<string | undefined>, (threadId: string | undefined, replace?: boolean) => void] {
  const [threadId, setThreadId] = createSignal(threadFromPath(location.pathname));
  const onPop = () => setThreadId(threadFromPath(location.pathname));
  window.addEventListener("popstate", onPop);
  onCleanup(() => window.removeEventListener("popstate", onPop));
  // No thread: the app's root (a thread deleted while open).
  const navigate = (next: string | undefined, replace = false) => {
    if (next === threadId()) return;
    history[replace ? "replaceState" : "pushState"](null, "", next === undefined ? "/" : threadPath(next));
    setThreadId(next);
  };
  return [threadId, navigate];
}
