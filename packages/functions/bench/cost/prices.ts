// List prices, US East (N. Virginia) / North America, each with its source and the date
// it was read. Free tiers are left out: the model prices usage at scale.

/** Lambda duration on arm64 (Graviton), first 7.5 billion GB-seconds a month. https://aws.amazon.com/lambda/pricing/ (read 2026-12-02). */
export const LAMBDA_ARM64_USD_PER_GB_SECOND = 0.0000133334;
/** Lambda duration on x86, for comparison. Same page, same date. */
export const LAMBDA_X86_USD_PER_GB_SECOND = 0.0000166667;
/** Lambda requests: $0.20 per million. Same page, same date. */
export const LAMBDA_USD_PER_REQUEST = 0.2 / 1_000_000;
/** Response streaming: bytes past the first 6 MB of an invocation, $0.008 per GB. Same page, same date. */
export const LAMBDA_STREAM_USD_PER_GB = 0.008;
export const LAMBDA_STREAM_FREE_BYTES = 6 * 1024 * 1024;

/** CloudFront data transfer out to the internet, North America and Europe, first 10 TB: $0.085 per GB. https://aws.amazon.com/cloudfront/pricing/ (read 2026-12-02). */
export const CLOUDFRONT_USD_PER_GB = 0.085;
/** CloudFront HTTPS requests (GET and proxied POST alike), North America: $0.0100 per 10,000. Same page, same date. */
export const CLOUDFRONT_USD_PER_REQUEST = 0.01 / 10_000;
/** What a response's status line and headers add to its body on the wire, roughly (HTTP/2, compressed headers). */
export const CLOUDFRONT_HEADER_BYTES = 200;

/** Upstash Redis pay as you go: $0.20 per 100,000 commands. https://upstash.com/pricing/redis (read 2026-12-02). */
export const UPSTASH_USD_PER_COMMAND = 0.2 / 100_000;
/**
 * Upstash Redis fixed plans: a flat monthly price, commands not billed. Fixed 250 MB
 * $10/month (50 GB bandwidth), Fixed 1 GB $20/month. Same page, same date.
 */
export const UPSTASH_FIXED_PLANS = [
  { name: "Fixed 250 MB", usdPerMonth: 10 },
  { name: "Fixed 1 GB", usdPerMonth: 20 },
] as const;
