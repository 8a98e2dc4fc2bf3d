import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One `Invoke` call as the Lambda service received it. */
export interface RecordedInvoke {
  readonly functionName: string;
  readonly headers: IncomingHttpHeaders;
  readonly payload: unknown;
}

/** A refusal the service can answer with, e.g. `{ status: 403, type: "AccessDeniedException" }`. */
export interface InvokeError {
  readonly status: number;
  readonly type: string;
}

export interface InvokeApiServer {
  /** For `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly url: string;
  readonly invokes: RecordedInvoke[];
  /** Answer the next invokes with this error instead of 202 (null: accept again). */
  refuse(error: InvokeError | null): void;
  close(): Promise<void>;
}

/**
 * A local server on 127.0.0.1 that speaks the part of Lambda's API that an asynchronous
 * invoke uses: `POST /2015-03-31/functions/{FunctionName}/invocations` with
 * `X-Amz-Invocation-Type: Event` answers 202 with an empty body; a missing SigV4
 * `Authorization` answers 403, another invocation type 400. It records every invoke.
 */
export async function startInvokeApi(): Promise<InvokeApiServer> {
  const invokes: RecordedInvoke[] = [];
  let refusal: InvokeError | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const error = (status: number, type: string, message: string) => {
        res.writeHead(status, { "Content-Type": "application/json", "x-amzn-RequestId": "req-1", "x-amzn-ErrorType": type });
        res.end(JSON.stringify({ Type: "User", message }));
      };
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(new URL(req.url ?? "/", "http://x").pathname);
      if (req.method !== "POST" || !match) return error(404, "UnknownOperationException", "unknown operation");
      if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 Credential=")) {
        return error(403, "MissingAuthenticationTokenException", "missing authentication token");
      }
      if (req.headers["x-amz-invocation-type"] !== "Event") return error(400, "InvalidParameterValueException", "expected Event");
      if (refusal) return error(refusal.status, refusal.type, `refused: ${refusal.type}`);
      const raw = Buffer.concat(chunks).toString("utf8");
      invokes.push({ functionName: decodeURIComponent(match[1] as string), headers: req.headers, payload: raw ? JSON.parse(raw) : null });
      res.writeHead(202, { "x-amzn-RequestId": `req-${invokes.length}`, "Content-Length": "0" });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invokes,
    refuse(error) {
      refusal = error;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
