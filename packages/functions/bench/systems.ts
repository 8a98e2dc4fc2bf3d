import { fileURLToPath } from "node:url";
import type { Protocol } from "./clients/subscribe.ts";
import type { SystemId } from "./results.ts";

/** One design under test: its server entry and how its subscribers listen. */
export interface SystemSpec {
  readonly id: SystemId;
  readonly label: string;
  /** Server entry, run in its own process. */
  readonly entry: string;
  /** What Redis it gets of its own: none, a private redis-server, or a private 3-master Redis Cluster. */
  readonly redis: "none" | "server" | "cluster";
  readonly protocol: Protocol;
  /** Promises exactly-once, in-order delivery across reconnects (I1); a gap or duplicate is a failure. */
  readonly lossless: boolean;
  /** Also opens the plan's `ceilingAt` connections at the end of its spread ladder (one process's descriptor ceiling). */
  readonly ceiling?: boolean;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const SYSTEM_SPECS: Readonly<Record<SystemId, SystemSpec>> = {
  "murmur-memory": {
    id: "murmur-memory",
    label: "Murmur (memory)",
    entry: here("./servers/murmur.ts"),
    redis: "none",
    protocol: "murmur-sse",
    lossless: true,
    ceiling: true,
  },
  "murmur-redis": {
    id: "murmur-redis",
    label: "Murmur (Redis)",
    entry: here("./servers/murmur.ts"),
    redis: "server",
    protocol: "murmur-sse",
    lossless: true,
    ceiling: true,
  },
  "murmur-redis-cluster": {
    id: "murmur-redis-cluster",
    label: "Murmur (Redis Cluster, 3 masters)",
    entry: here("./servers/murmur.ts"),
    redis: "cluster",
    protocol: "murmur-sse",
    lossless: true,
  },
  polling: {
    id: "polling",
    label: "Polling 1.5 s",
    entry: here("./baselines/polling.ts"),
    redis: "server",
    protocol: "poll",
    lossless: true,
  },
  "redis-pubsub": {
    id: "redis-pubsub",
    label: "Redis pub/sub + SSE",
    entry: here("./baselines/redis-pubsub.ts"),
    redis: "server",
    protocol: "pubsub-sse",
    lossless: false,
  },
  "http-floor": {
    id: "http-floor",
    label: "node:http floor (one shared buffer)",
    entry: here("./baselines/http-floor.ts"),
    redis: "none",
    protocol: "pubsub-sse",
    lossless: false,
    ceiling: true,
  },
  socketio: {
    id: "socketio",
    label: "Socket.IO + streams adapter",
    entry: here("./baselines/socketio.ts"),
    redis: "server",
    protocol: "socketio",
    lossless: false,
  },
};
