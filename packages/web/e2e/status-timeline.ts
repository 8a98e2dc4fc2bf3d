import type { Page } from "playwright-core";

/** What the status pill said, and when (ms after the recording started). */
export interface StatusSample {
  readonly at: number;
  readonly text: string;
}

/**
 * Records the status pill's text every `everyMs` for `forMs` (a timeline, not a wait:
 * what it shows while the connection is down is the thing under test).
 */
export async function recordStatus(page: Page, forMs: number, everyMs = 200): Promise<StatusSample[]> {
  const started = Date.now();
  const samples: StatusSample[] = [];
  while (Date.now() - started < forMs) {
    const text =
      (await page
        .locator(".connection[role=status]")
        .textContent({ timeout: 1000 })
        .catch(() => null)) ?? "(none)";
    samples.push({ at: Date.now() - started, text });
    await page.waitForTimeout(everyMs);
  }
  return samples;
}

/** The first sample whose text matches. */
export const firstMatch = (samples: readonly StatusSample[], pattern: RegExp) => samples.find((s) => pattern.test(s.text));

/** The samples with their text changed from the one before: a compact timeline for the test log. */
export const changes = (samples: readonly StatusSample[]) => samples.filter((s, i) => i === 0 || samples[i - 1]?.text !== s.text);

/**
 * Counts the page's requests whose URL contains `part` from now on, with their times:
 * what the browser tried, whether or not anything answered.
 */
export function countRequests(page: Page, part: string): { times: number[]; stop(): void } {
  const times: number[] = [];
  const onRequest = (request: { url(): string }) => {
    if (request.url().includes(part)) times.push(Date.now());
  };
  page.on("request", onRequest);
  return { times, stop: () => page.off("request", onRequest) };
}
