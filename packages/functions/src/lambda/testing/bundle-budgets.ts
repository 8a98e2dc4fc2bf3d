/**
 * The most each function's minified bundle may weigh, in kB of 1,000 bytes (the issue
 * that sized Stream at 128 MB set them; Agent has none). Checked by bundles.test.ts on
 * every test run, and reported by `npm run bundles`. Stream's went from 350 to 360 kB with
 * the cloud hardening (its structured log, stream slots and a reader that needs no
 * CLIENT: 347.3 to 352.4 kB, a twentieth of a percent of its 128 MB). Api's went from 600
 * to 610 kB with the limits (the limiter and its Lua, the send's one-reply gate, the
 * append's reply-size guard, the refusals' words: 596.2 to 606.6 kB; Api has 512 MB),
 * and to 620 kB with metrics and request ids (EMF sink, metric store and definitions,
 * request context, command counts: 11 kB, 618.7 kB with both; 512 MB make that noise in
 * its cold import). Webhook's went from 200 to 210 kB with the same (204.8 kB with them;
 * 512 MB too); Stream stays within its 360 (299.7 kB).
 */
export const BUNDLE_BUDGETS_KB = { Api: 620, Webhook: 210, Stream: 360, Agent: null } as const;

export type FunctionName = keyof typeof BUNDLE_BUDGETS_KB;
