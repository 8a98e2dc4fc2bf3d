import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

/** Sends payloads to a function as asynchronous invocations; the only user of the AWS SDK. */
export interface LambdaInvoker<T> {
  /**
   * Resolves once Lambda has queued the invocation (202), not when the function ran.
   * Lambda may run it more than once (at-least-once delivery, and up to two retries
   * after a failure), so the receiving function must be idempotent.
   * Rejects when the invocation was not queued (no permission, unknown function, throttled).
   */
  invoke(payload: T): Promise<void>;
}

export interface LambdaInvokerOptions {
  /** Name or ARN of the function to invoke (e.g. `Resource.Agent.name`). */
  readonly functionName: string;
  /**
   * The client. By default one configured from the environment as Lambda sets it:
   * region, credentials and, when set, `AWS_ENDPOINT_URL_LAMBDA`.
   */
  readonly client?: LambdaClient;
}

/** An invoker of `functionName` with `InvocationType: "Event"`. */
export function createLambdaInvoker<T>(options: LambdaInvokerOptions): LambdaInvoker<T> {
  // Bounded, so a send answers 503 within the Api function's timeout rather than hanging.
  const client = options.client ?? new LambdaClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } });
  return {
    async invoke(payload) {
      const result = await client.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: "Event",
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      );
      if (result.StatusCode !== 202) {
        throw new Error(`Lambda answered the async invoke of ${options.functionName} with status ${result.StatusCode}, not 202`);
      }
    },
  };
}
