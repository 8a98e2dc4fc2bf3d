import { createHash, randomUUID } from "node:crypto";
import type { Context, LambdaFunctionURLEvent } from "aws-lambda";

/** The URL id Lambda gives a Function URL: 32 lowercase letters and digits. */
const URL_ID = "abcdefghijklmnopqrstuvwxyz234567";

export interface RequestSpec {
  readonly method?: string;
  /** Path and query, e.g. `/api/chats?x=1`. */
  readonly path: string;
  /** Lowercase, as Lambda delivers them. */
  readonly headers?: Record<string, string>;
  /** `name=value` pairs: Function URLs move the Cookie header into `cookies`. */
  readonly cookies?: readonly string[];
  readonly body?: string;
  /** Send the body base64-encoded, as Function URLs do for content types that are not text. */
  readonly base64?: boolean;
  /**
   * Whether the function sits behind CloudFront's Origin Access Control (Api and Stream
   * in sst.config.ts; default true): CloudFront then signs the request with SigV4, and
   * its `Authorization` replaces the caller's. Webhook's route is unsigned: false.
   */
  readonly oac?: boolean;
}

/** `spec` as the web app sends it (api.ts): a request with a body carries its SHA-256 in `x-amz-content-sha256`. */
export function hashBody(spec: RequestSpec): RequestSpec {
  if ((spec.method ?? "GET") === "GET") return spec;
  const hash = createHash("sha256")
    .update(spec.body ?? "")
    .digest("hex");
  return { ...spec, headers: { ...spec.headers, "x-amz-content-sha256": hash } };
}

/** What CloudFront's OAC signature puts in `Authorization` (the caller's is gone). */
export const OAC_AUTHORIZATION =
  "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLECLOUDFRONT/20250101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef";

/**
 * Why Lambda would refuse a signed request before the function runs, or null: OAC
 * signs POSTs with the body hash the viewer sent in `x-amz-content-sha256` (CloudFront
 * does not compute it), and Lambda takes no unsigned or mismatched payload.
 */
export function oacRefusal(spec: RequestSpec): string | null {
  if (spec.oac === false || (spec.method ?? "GET") === "GET") return null;
  const sent = Object.entries(spec.headers ?? {}).find(([name]) => name.toLowerCase() === "x-amz-content-sha256")?.[1];
  const actual = createHash("sha256")
    .update(spec.body ?? "")
    .digest("hex");
  if (sent === undefined) return "missing x-amz-content-sha256: the signature does not cover the payload";
  return sent === actual ? null : "x-amz-content-sha256 does not match the body";
}

/**
 * A Function URL event (payload format 2.0) as Lambda delivers a request that came
 * through the CloudFront router: the function URL's host, CloudFront's forwarding
 * headers, cookies split out, the query both raw and parsed.
 */
export function functionUrlEvent(spec: RequestSpec): LambdaFunctionURLEvent {
  const url = new URL(spec.path, "https://d111111abcdef8.cloudfront.net");
  const method = spec.method ?? "GET";
  const now = Date.now();
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const headers: Record<string, string> = {
    host: `${URL_ID}.lambda-url.us-east-1.on.aws`,
    "user-agent": "Amazon CloudFront",
    via: "2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)",
    "x-amz-cf-id": "EXAMPLEcfid==",
    "x-amzn-trace-id": `Root=1-${Math.floor(now / 1000).toString(16)}-0123456789abcdef01234567`,
    "x-forwarded-for": "203.0.113.7, 198.51.100.9",
    "x-forwarded-host": "d111111abcdef8.cloudfront.net",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
    ...(spec.body !== undefined ? { "content-length": String(Buffer.byteLength(spec.body)) } : {}),
    ...spec.headers,
    ...(spec.oac === false ? {} : { authorization: OAC_AUTHORIZATION, "x-amz-date": "20250101T000000Z" }),
  };
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(spec.cookies?.length ? { cookies: [...spec.cookies] } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: URL_ID,
      domainName: `${URL_ID}.lambda-url.us-east-1.on.aws`,
      domainPrefix: URL_ID,
      http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: "198.51.100.9", userAgent: "Amazon CloudFront" },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(spec.body === undefined
      ? { isBase64Encoded: false }
      : { body: spec.base64 ? Buffer.from(spec.body).toString("base64") : spec.body, isBase64Encoded: spec.base64 === true }),
  };
}

/** A Lambda context whose `getRemainingTimeInMillis` counts down from `timeoutMs`, as the runtime's does. */
export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error("callback-style context methods are not supported on nodejs22.x");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
