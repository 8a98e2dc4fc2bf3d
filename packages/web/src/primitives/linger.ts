/** A demand that lasts while any reason holds it, and a while after. */
export interface Linger {
  /** `reason` holds the demand until released; holding it again changes nothing. */
  hold(reason: string): void;
  /** `reason` no longer holds; the demand lasts `lingerMs` more unless another reason holds it. */
  release(reason: string): void;
  /** Something happened (a keystroke): the demand lasts at least `lingerMs` from now. */
  pulse(): void;
  /** True while held or lingering. */
  active(): boolean;
  /** Cancels the timer; `onChange` never runs again. */
  dispose(): void;
}

/**
 * A demand with a linger; reactive-free. `onChange(true)` when the first reason holds it
 * or a pulse comes, `onChange(false)` once no reason has held it for `lingerMs` (one
 * timer, set only while nothing holds it). On-demand streams are held this way: while a
 * reply streams, while the person types, and a linger after, so a quick follow-up finds
 * the stream still open.
 */
export function makeLinger(lingerMs: number, onChange: (active: boolean) => void, now: () => number = Date.now): Linger {
  const reasons = new Set<string>();
  let until = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = false;
  let disposed = false;

  const update = () => {
    clearTimeout(timer);
    timer = undefined;
    if (disposed) return;
    const left = until - now();
    const next = reasons.size > 0 || left > 0;
    if (reasons.size === 0 && left > 0) timer = setTimeout(update, left);
    if (next !== active) {
      active = next;
      onChange(next);
    }
  };

  return {
    hold(reason) {
      reasons.add(reason);
      update();
    },
    release(reason) {
      if (!reasons.delete(reason)) return;
      until = Math.max(until, now() + lingerMs);
      update();
    },
    pulse() {
      until = Math.max(until, now() + lingerMs);
      update();
    },
    active: () => active,
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
