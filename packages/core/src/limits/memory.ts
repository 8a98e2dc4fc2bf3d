import { gcra } from "./gcra.ts";
import type { HoldResult, Limiter, LimiterOptions, RateRule, SlotRule, TakeResult } from "./limiter.ts";

/** Every this many takes, rates whose state has run out are dropped: memory follows recent traffic, not history. */
const SWEEP_EVERY = 1024;

/** The limits' state in this process's memory: for one process (`npm start`), and tests. */
export class MemoryLimiter implements Limiter {
  /** Scope, rule and key -> theoretical arrival time (see gcra.ts). */
  private readonly tats = new Map<string, number>();
  /** Scope and rule -> slot id -> when it expires. */
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private takes = 0;

  constructor(options: LimiterOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async take(scope: string, rules: readonly RateRule[]): Promise<TakeResult> {
    const now = this.now();
    const next: [string, number][] = [];
    for (const rule of rules) {
      const key = `${scope}\n${rule.name}\n${rule.key}`;
      const { tat, waitMs } = gcra(this.tats.get(key), rule, now);
      if (waitMs > 0) return { ok: false, rule, retryAfterMs: waitMs };
      next.push([key, tat]);
    }
    for (const [key, tat] of next) this.tats.set(key, tat);
    if (++this.takes % SWEEP_EVERY === 0) {
      for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
    }
    return { ok: true };
  }

  async hold(scope: string, rule: SlotRule, id: string, ttlMs: number): Promise<HoldResult> {
    const now = this.now();
    const key = `${scope}\n${rule.name}`;
    const held = this.slots.get(key) ?? new Map<string, number>();
    for (const [slot, expiresAt] of held) if (expiresAt <= now) held.delete(slot);
    if (!held.has(id) && held.size >= rule.max) {
      return { ok: false, retryAfterMs: Math.min(...held.values()) - now };
    }
    held.set(id, now + ttlMs);
    this.slots.set(key, held);
    return { ok: true };
  }

  async release(scope: string, name: string, id: string): Promise<void> {
    const key = `${scope}\n${name}`;
    const held = this.slots.get(key);
    held?.delete(id);
    if (held?.size === 0) this.slots.delete(key);
  }
}

/** Creates a limiter that keeps its state in this process. */
export function createMemoryLimiter(options: LimiterOptions = {}): MemoryLimiter {
  return new MemoryLimiter(options);
}
