import { describe, expect, it } from "vitest";
import type { Limiter, LimiterOptions, RateRule } from "./limiter.ts";

/** Makes a fresh limiter for one test, on the test's clock. */
export type LimiterFactory = (options: Required<LimiterOptions>) => Promise<Limiter>;

let counter = 0;
const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}`;

/**
 * The one behaviour suite every limiter must pass (memory, and Redis over TCP and over
 * Upstash's REST API). The clock is the test's, so no test waits for time to pass.
 */
export function describeLimiterContract(name: string, factory: LimiterFactory): void {
  describe(`limiter contract: ${name}`, () => {
    const setup = async () => {
      const clock = { now: 1_700_000_000_000 };
      const limiter = await factory({ now: () => clock.now });
      return { clock, limiter, scope: unique("s") };
    };
    const rule = (limit: number, windowMs: number, key = "k", ruleName = "r"): RateRule => ({ name: ruleName, key, limit, windowMs });

    it("allows a burst of the limit, then one per window divided by it, and says exactly how long to wait", async () => {
      const { clock, limiter, scope } = await setup();
      const perMinute = rule(3, 60_000);
      for (let i = 0; i < 3; i++) expect(await limiter.take(scope, [perMinute])).toEqual({ ok: true });
      expect(await limiter.take(scope, [perMinute])).toEqual({ ok: false, rule: perMinute, retryAfterMs: 20_000 });
      clock.now += 19_999;
      expect(await limiter.take(scope, [perMinute])).toMatchObject({ ok: false, retryAfterMs: 1 });
      clock.now += 1;
      expect(await limiter.take(scope, [perMinute])).toEqual({ ok: true });
      expect(await limiter.take(scope, [perMinute])).toMatchObject({ ok: false, retryAfterMs: 20_000 });
      // Idle for a whole window: the full burst again, and no more.
      clock.now += 60_000;
      for (let i = 0; i < 3; i++) expect(await limiter.take(scope, [perMinute])).toEqual({ ok: true });
      expect(await limiter.take(scope, [perMinute])).toMatchObject({ ok: false });
    });

    it("takes from every rule or from none, and a refusal takes nothing", async () => {
      const { clock, limiter, scope } = await setup();
      const wide = rule(10, 60_000, scope, "wide");
      const narrow = rule(2, 60_000, "thread_1", "narrow");
      expect(await limiter.take(scope, [wide, narrow])).toEqual({ ok: true });
      expect(await limiter.take(scope, [wide, narrow])).toEqual({ ok: true });
      // The narrow rule refuses: the wide one is not charged, however often the caller insists.
      for (let i = 0; i < 20; i++) expect(await limiter.take(scope, [wide, narrow])).toMatchObject({ ok: false, rule: narrow });
      const otherThread = rule(2, 60_000, "thread_2", "narrow");
      for (let i = 0; i < 8; i++) expect(await limiter.take(scope, [wide, otherThread]), `take ${i}`).toMatchObject({ ok: i < 2 });
      // The wide rule was charged for the 4 takes allowed, no more: 6 remain.
      for (let i = 0; i < 6; i++) expect(await limiter.take(scope, [wide])).toEqual({ ok: true });
      expect(await limiter.take(scope, [wide])).toMatchObject({ ok: false, rule: wide, retryAfterMs: 6000 });
      clock.now += 30_000; // half a window: 5 more of the wide rule, 1 more of each narrow one
      expect(await limiter.take(scope, [wide, narrow])).toEqual({ ok: true });
      expect(await limiter.take(scope, [wide, narrow])).toMatchObject({ ok: false, rule: narrow });
    });

    it("keeps scopes and keys apart", async () => {
      const { limiter, scope } = await setup();
      const one = rule(1, 60_000);
      expect(await limiter.take(scope, [one])).toEqual({ ok: true });
      expect(await limiter.take(scope, [one])).toMatchObject({ ok: false });
      expect(await limiter.take(unique("s"), [one])).toEqual({ ok: true });
      expect(await limiter.take(scope, [rule(1, 60_000, "other key")])).toEqual({ ok: true });
      expect(await limiter.take(scope, [rule(1, 60_000, "k", "other rule")])).toEqual({ ok: true });
    });

    it("allows exactly the limit under concurrent takes", async () => {
      const { limiter, scope } = await setup();
      const five = rule(5, 60_000);
      const results = await Promise.all(Array.from({ length: 40 }, () => limiter.take(scope, [five])));
      expect(results.filter((r) => r.ok)).toHaveLength(5);
    });

    it("holds at most max slots; a release, or a slot's time running out, frees one; holding again renews", async () => {
      const { clock, limiter, scope } = await setup();
      const streams = { name: "streams", max: 2 };
      expect(await limiter.hold(scope, streams, "a", 10_000)).toEqual({ ok: true });
      clock.now += 1000;
      expect(await limiter.hold(scope, streams, "b", 10_000)).toEqual({ ok: true });
      expect(await limiter.hold(scope, streams, "a", 10_000)).toEqual({ ok: true }); // renewed, not a third
      expect(await limiter.hold(scope, streams, "c", 10_000)).toEqual({ ok: false, retryAfterMs: 10_000 }); // b's end
      expect(await limiter.hold(unique("s"), streams, "c", 10_000)).toEqual({ ok: true }); // another session
      await limiter.release(scope, "streams", "b");
      await limiter.release(scope, "streams", "never held");
      clock.now += 2000;
      expect(await limiter.hold(scope, streams, "c", 10_000)).toEqual({ ok: true });
      expect(await limiter.hold(scope, streams, "d", 10_000)).toMatchObject({ ok: false });
      clock.now += 8000; // a (renewed at +1 s) runs out now; c (held at +3 s) lasts
      expect(await limiter.hold(scope, streams, "d", 10_000)).toEqual({ ok: true });
      expect(await limiter.hold(scope, streams, "e", 10_000)).toMatchObject({ ok: false });
      const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => limiter.hold(unique("s"), streams, `x${i}`, 1000)));
      expect(concurrent.every((r) => r.ok)).toBe(true);
      const scope2 = unique("s");
      const raced = await Promise.all(Array.from({ length: 10 }, (_, i) => limiter.hold(scope2, streams, `x${i}`, 1000)));
      expect(raced.filter((r) => r.ok)).toHaveLength(2);
    });
  });
}
