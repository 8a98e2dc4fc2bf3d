import type { LambdaFunctionURLEvent } from "aws-lambda";
import { functionUrlEvent, lambdaContext, oacRefusal, type RequestSpec } from "./function-url.ts";

/** A buffered Function URL response (payload format 2.0), its body parsed when JSON. */
export interface UrlResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: string[];
  readonly isBase64Encoded: boolean;
  readonly body: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of a test response
  readonly json: any;
}

type BufferedHandler = (event: LambdaFunctionURLEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** Functions whose route is unsigned (sst.config.ts): their Function URL is public. */
const PUBLIC_FUNCTIONS = new Set(["Webhook"]);

/**
 * Invokes a buffered Function URL handler with the event Lambda would build for `spec`
 * coming through the router: behind OAC (every function but Webhook) a POST whose
 * `x-amz-content-sha256` is missing or wrong is refused with 403 before the handler runs,
 * and the caller's `Authorization` is replaced by CloudFront's signature.
 */
export async function callFunctionUrl(handler: unknown, functionName: string, spec: RequestSpec): Promise<UrlResponse> {
  const signed = { oac: !PUBLIC_FUNCTIONS.has(functionName), ...spec };
  const refusal = oacRefusal(signed);
  if (refusal) {
    const body = JSON.stringify({ Message: `Forbidden: ${refusal}` });
    return {
      statusCode: 403,
      headers: { "content-type": "application/json" },
      cookies: [],
      isBase64Encoded: false,
      body,
      json: JSON.parse(body),
    };
  }
  const result = (await (handler as BufferedHandler)(functionUrlEvent(signed), lambdaContext(functionName, 20_000))) as Omit<
    UrlResponse,
    "json" | "cookies"
  > & { cookies?: string[] };
  const type = result.headers["content-type"] ?? "";
  return { ...result, cookies: result.cookies ?? [], json: type.startsWith("application/json") ? JSON.parse(result.body) : undefined };
}

/** The `name=value` part of a `Set-Cookie`, as a browser sends it back. */
export const cookieOf = (setCookie: string | undefined): string => (setCookie ?? "").split(";")[0] as string;
