import { newId } from "@murmur/core/chat";

const KEY = "murmur:client";

/**
 * This browser's id on its streams (`?client=`), kept in localStorage so that every tab
 * of the origin sends the same one: the server then lets a newer stream of this browser
 * supersede an older one on the same thread (a tab that took over as leader, a reload).
 * Storage that cannot be used (blocked, private mode) gets an id for this page only.
 */
export function browserClientId(storage: Pick<Storage, "getItem" | "setItem"> | undefined = globalThis.localStorage): string {
  try {
    const known = storage?.getItem(KEY);
    if (known) return known;
    const made = newId("c");
    storage?.setItem(KEY, made);
    return made;
  } catch {
    return newId("c");
  }
}
