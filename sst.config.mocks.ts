import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Evaluates sst.config.ts as `sst deploy` does (SST 4.17: the globals its esbuild shim
// injects, `run()` through the platform's own auto/run.ts, inside a Pulumi stack) with
// Pulumi's mocks standing in for the engine, and the CLI's RPC server (bootstrap data,
// function builds) served on 127.0.0.1. Needs `sst install` (.sst/platform). Offline.

const ROOT = fileURLToPath(new URL(".", import.meta.url));
const PLATFORM = join(ROOT, ".sst/platform");
const platformRequire = createRequire(join(PLATFORM, "package.json"));
// biome-ignore lint/suspicious/noExplicitAny: the Pulumi SDK is loaded from .sst/platform, untyped here
const pulumi: any = platformRequire("@pulumi/pulumi");
const esbuild: typeof import("esbuild") = platformRequire("esbuild");

/** A resource as the engine would have been asked to create it. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: resource inputs of every type
  readonly inputs: Record<string, any>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
}

/** What the CLI was asked to build for one function: its handler and links (they go into the bundle, encrypted). */
export interface RecordedBuild {
  readonly functionID: string;
  readonly handler: string;
  readonly runtime: string;
  // biome-ignore lint/suspicious/noExplicitAny: link properties of every kind
  readonly links: Record<string, any>;
  /** The function's `nodejs` settings and architecture, as the CLI's esbuild gets them. */
  // biome-ignore lint/suspicious/noExplicitAny: build properties of every runtime
  readonly properties: Record<string, any>;
}

export interface Graph {
  // biome-ignore lint/suspicious/noExplicitAny: the app() result
  readonly app: Record<string, any>;
  readonly resources: RecordedResource[];
  readonly builds: RecordedBuild[];
  readonly outputs: Record<string, unknown>;
  /** Resources of one type. */
  ofType(type: string): RecordedResource[];
}

/** Outputs the cloud would compute, for the resources whose values the config reads. */
// biome-ignore lint/suspicious/noExplicitAny: resource state of every type
function computed(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  const arn = `arn:aws:mock:us-east-1:123456789012:${name}`;
  switch (type) {
    case "aws:lambda/functionUrl:FunctionUrl":
      return { functionUrl: `https://${name.toLowerCase()}0123456789abcdefghij.lambda-url.us-east-1.on.aws/` };
    case "aws:cloudfront/distribution:Distribution":
      return { domainName: "d111111abcdef8.cloudfront.net", arn };
    case "upstash:index/redisDatabase:RedisDatabase":
      return { endpoint: "murmur-production-00000.upstash.io", port: 6379, password: "mock-db-password", restToken: "mock-db-rest-token" };
    default:
      return { arn, name: inputs.name ?? `${name}-mock` };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: invoke results of every kind
function invoked(token: string, inputs: Record<string, any>): Record<string, any> {
  switch (token) {
    case "aws:index/getRegion:getRegion":
      return { region: "us-east-1", name: "us-east-1", id: "us-east-1" };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/mock", userId: "mock", id: "123456789012" };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return { ...inputs, json: JSON.stringify({ Version: "2012-10-17", Statement: inputs.statements ?? [] }), id: "policy" };
    default:
      return inputs;
  }
}

/** The CLI's RPC server, as far as deploying these components needs it. */
async function startRpc(builds: RecordedBuild[]): Promise<{ url: string; close(): Promise<void> }> {
  const out = mkdtempSync(join(tmpdir(), "murmur-sst-build-"));
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", async () => {
      const { method, params } = JSON.parse(raw) as { method: string; params: [Record<string, unknown>] };
      const reply = (body: object) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
      try {
        reply({ result: await answer(method, params[0]) });
      } catch (error) {
        reply({ error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  // biome-ignore lint/suspicious/noExplicitAny: RPC arguments
  async function answer(method: string, input: Record<string, any>): Promise<unknown> {
    if (method === "Provider.Aws.Bootstrap") {
      return {
        asset: "sst-asset-mock",
        assetEcrRegistryId: "123456789012",
        assetEcrUrl: "mock.ecr",
        state: "sst-state-mock",
        appsyncHttp: "",
        appsyncRealtime: "",
      };
    }
    if (method === "Runtime.Build") {
      builds.push({
        functionID: input.functionID,
        handler: input.handler,
        runtime: input.runtime,
        links: input.links,
        properties: input.properties,
      });
      // Compile the entry (not bundled, to stay fast): its file exists, parses and exports the handler.
      const [file, exported] = [input.handler.replace(/\.[^.]+$/, ""), input.handler.split(".").at(-1)];
      const dir = join(out, input.functionID);
      const result = await esbuild.build({
        entryPoints: [resolve(ROOT, `${file}.ts`)],
        outfile: join(dir, `${file}.mjs`),
        platform: "node",
        format: "esm",
        target: "node22",
        metafile: true,
        logLevel: "silent",
      });
      const exports = Object.values(result.metafile.outputs)[0]?.exports ?? [];
      const errors = exports.includes(exported) ? [] : [`${file}.ts does not export ${exported}`];
      return { handler: input.handler, out: dir, errors, sourcemaps: [] };
    }
    throw new Error(`rpc: can't find method ${method}`);
  }
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      rmSync(out, { recursive: true, force: true });
    },
  };
}

/**
 * Evaluates `sst.config.ts` for `stage` with `secrets` set (as `sst secret set` would)
 * and returns the resource graph. As the CLI does: `app()` first, then one esbuild
 * bundle of the config and the platform with `$app`, `$cli` and `$dev` defined, the
 * shim injected and the providers as globals, whose `run()` goes through auto/run.ts.
 * One stage at a time: Pulumi's runtime is global.
 */
export async function evaluateStage(stage: string, secrets: Record<string, string>): Promise<Graph> {
  // An error inside an apply (a failed build, say) fails a deployment; here it would only
  // leave outputs unresolved, so the first unhandled rejection fails the evaluation.
  let fail: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  process.on("unhandledRejection", fail);
  const bundle = join(PLATFORM, `sst.config.test-${stage}-${process.pid}.mjs`);
  try {
    return await Promise.race([evaluate(stage, secrets, bundle), failed]);
  } finally {
    process.off("unhandledRejection", fail);
    rmSync(bundle, { force: true });
  }
}

async function evaluate(stage: string, secrets: Record<string, string>, bundle: string): Promise<Graph> {
  if (!existsSync(join(PLATFORM, "node_modules/@upstash/pulumi"))) {
    throw new Error("SST's platform is not installed: run `sst install` first, as .ci/run does (README, Deploy)");
  }
  const resources: RecordedResource[] = [];
  const builds: RecordedBuild[] = [];
  const rpc = await startRpc(builds);
  process.env.SST_SERVER = rpc.url;
  for (const [name, value] of Object.entries(secrets)) process.env[`SST_SECRET_${name}`] = value;
  let work = "";
  // Pulumi takes a stack trace per promise; mapping each through source maps would double the time.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    await pulumi.runtime.setMocks(
      {
        // biome-ignore lint/suspicious/noExplicitAny: mock arguments
        newResource: (args: any) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...computed(args.type, args.name, args.inputs) } }),
        // biome-ignore lint/suspicious/noExplicitAny: mock arguments
        call: (args: any) => invoked(args.token, args.inputs),
      },
      "murmur",
      stage,
      false,
    );
    Object.assign(globalThis, { $config: (input: unknown) => input });
    const app = { removal: "retain", protect: false, providers: {}, ...(await loadConfig()).app({ stage }), stage };
    work = mkdtempSync(join(tmpdir(), "murmur-sst-work-"));
    const cli = { command: "deploy", rpc: rpc.url, paths: { home: work, root: ROOT, work, platform: PLATFORM }, state: { version: {} } };
    await esbuild.build({
      stdin: {
        resolveDir: ROOT,
        loader: "ts",
        contents: [
          'import * as aws from "@pulumi/aws";',
          'import * as upstash from "@upstash/pulumi";',
          // The parts of `sst` this app uses: the whole namespace also loads Cloudflare's and Vercel's SDKs.
          'import * as sstAws from "./.sst/platform/src/components/aws/index.ts";',
          'import { Secret } from "./.sst/platform/src/components/secret.ts";',
          'import { Linkable } from "./.sst/platform/src/components/linkable.ts";',
          'import { run } from "./.sst/platform/src/auto/run.ts";',
          'import mod from "./sst.config.ts";',
          "Object.assign(globalThis, { aws, upstash, sst: { aws: sstAws, Secret, Linkable } });",
          "export const evaluate = (before) => run(async () => (before(), mod.run()));",
        ].join("\n"),
      },
      outfile: bundle,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      packages: "external",
      inject: [join(PLATFORM, "src/shim/run.js")],
      define: { $app: JSON.stringify(app), $cli: JSON.stringify(cli), $dev: "false" },
      logLevel: "silent",
    });
    const { evaluate } = (await import(pathToFileURL(bundle).href)) as { evaluate(before: () => void): Promise<unknown> };
    const outputs = await pulumi.runtime.runInPulumiStack(() =>
      evaluate(() => {
        // Registered after SST's own transformations (retain on delete, tags): sees their result.
        // biome-ignore lint/suspicious/noExplicitAny: transformation arguments
        pulumi.runtime.registerStackTransformation((args: any) => {
          const { protect = false, retainOnDelete = false } = args.opts;
          resources.push({ type: args.type, name: args.name, inputs: args.props, protect, retainOnDelete });
          return undefined;
        });
      }),
    );
    await pulumi.runtime.waitForRPCs();
    const resolved = await Promise.all(resources.map(async (r) => ({ ...r, inputs: await unwrap(r.inputs) })));
    return { app, resources: resolved, builds, outputs, ofType: (type) => resolved.filter((r) => r.type === type) };
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
    if (work) rmSync(work, { recursive: true, force: true });
    await rpc.close();
  }
}

/** `sst.config.ts` as a module: only `app()` is called from here, as the CLI does before bundling. */
async function loadConfig(): Promise<{ app(input: { stage: string }): Record<string, unknown> }> {
  return (await import("./sst.config.ts")).default as never;
}

/** Inputs with every Output resolved (secrets unwrapped), as the engine would see them. */
async function unwrap(value: unknown): Promise<Record<string, unknown>> {
  return new Promise((done) => pulumi.output(value).apply((v: Record<string, unknown>) => done(v)));
}
