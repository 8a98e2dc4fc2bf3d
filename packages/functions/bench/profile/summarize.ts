import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** A V8 CPU profile as `--cpu-prof` writes it. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a design's server spent its CPU, by category, and its busiest functions (self time). */
export interface ProfileSummary {
  /** Sampled time that was neither idle nor start-up (loading modules), in µs. */
  readonly busyMicros: number;
  readonly categories: readonly { readonly name: string; readonly micros: number }[];
  readonly functions: readonly { readonly name: string; readonly where: string; readonly micros: number }[];
}

/**
 * What each kind of work is, told by where the sampled function lives. The first match
 * wins; the order goes from the most specific to the catch-alls.
 */
const CATEGORIES: readonly { readonly name: string; readonly test: (fn: string, url: string) => boolean }[] = [
  { name: "idle", test: (fn) => fn === "(idle)" },
  // Loading and compiling modules (tsx) at start-up: not delivery work, left out like idle.
  {
    name: "start-up",
    test: (fn, url) =>
      /internal\/modules|source_map|cjs-module-lexer|bootstrap\/realm|tsx\/dist|esbuild/.test(url) || fn === "compileSourceTextModule",
  },
  { name: "garbage collection", test: (fn) => fn === "(garbage collector)" },
  {
    name: "socket writes (libuv, writev)",
    test: (fn, url) => /writev|writeBuffer|writeUtf8String|writeGeneric/.test(fn) || /stream_base_commons/.test(url),
  },
  { name: "node:http response (OutgoingMessage)", test: (_, url) => /_http_outgoing|_http_server|_http_common/.test(url) },
  { name: "other node:net and streams", test: (_, url) => /node:(net|stream|internal\/streams|internal\/stream)/.test(url) },
  { name: "held stream: frames, encode, ticker (core/sse)", test: (_, url) => /core\/src\/sse\//.test(url) },
  { name: "fan-out hub (event-log/hub)", test: (_, url) => /event-log\/hub\.ts/.test(url) },
  { name: "event log: Redis engine and tails", test: (_, url) => /event-log\/redis|event-log\/redis-cluster/.test(url) },
  { name: "event log: memory", test: (_, url) => /event-log\/memory\.ts/.test(url) },
  { name: "Redis client (ioredis, RESP)", test: (_, url) => /ioredis|redis-parser|standard-as-callback/.test(url) },
  { name: "ingest and validation (valibot)", test: (_, url) => /ingest\/|valibot|events\/schemas/.test(url) },
  { name: "webhook: signature, routes", test: (_, url) => /routes\/webhook|auth\/|standard-webhook/.test(url) },
  { name: "Hono and the Node adapter", test: (_, url) => /hono|@hono\/node-server/.test(url) },
  { name: "JSON", test: (fn) => /^(stringify|parse|JSONStringify|JSONParse)$/.test(fn) },
  { name: "V8 and runtime internals", test: (fn, url) => fn === "(program)" || url === "" },
  { name: "other JavaScript", test: () => true },
];

export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const categories = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; micros: number }>();
  let busy = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const category = CATEGORIES.find((c) => c.test(frame.functionName, frame.url))?.name ?? "other JavaScript";
    categories.set(category, (categories.get(category) ?? 0) + micros);
    if (category === "idle" || category === "start-up") continue;
    busy += micros;
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || "(anonymous)", where, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
  }
  return {
    busyMicros: busy,
    categories: [...categories]
      .filter(([name]) => name !== "idle" && name !== "start-up")
      .map(([name, micros]) => ({ name, micros }))
      .sort((a, b) => b.micros - a.micros),
    functions: [...functions.values()].sort((a, b) => b.micros - a.micros).slice(0, top),
  };
}

/** The main thread's profile in `dir`: the largest `.cpuprofile` (tsx's loader thread writes a small one beside it). */
export function mainProfile(dir: string): CpuProfile {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files[0]) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(files[0], "utf8")) as CpuProfile;
}

function shortUrl(url: string): string {
  const i = url.indexOf("/packages/");
  if (i !== -1) return url.slice(i + 1);
  const m = url.indexOf("/node_modules/");
  if (m !== -1) return url.slice(m + "/node_modules/".length);
  return url.replace(/^file:\/\//, "");
}
