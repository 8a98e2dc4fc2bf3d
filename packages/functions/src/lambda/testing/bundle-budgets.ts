/**
 * The most each function's minified bundle may weigh, in kB of 1,000 bytes (the issue
 * that sized Stream at 128 MB set them; Agent has none). Checked by bundles.test.ts on
 * every test run, and reported by `npm run bundles`.
 */
export const BUNDLE_BUDGETS_KB = { Api: 600, Webhook: 200, Stream: 350, Agent: null } as const;

export type FunctionName = keyof typeof BUNDLE_BUDGETS_KB;
