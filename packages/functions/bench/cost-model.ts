import type { SystemResult } from "./results.ts";

// List prices, written down with their source and the date they were read. Free tiers
// are left out: the model prices usage at scale.

/** AWS Lambda, US East (N. Virginia), x86, on demand, per GB-second. https://aws.amazon.com/lambda/pricing/ (read 2026-11-24). */
export const LAMBDA_USD_PER_GB_SECOND = 0.0000166667;
/** AWS Lambda requests: $0.20 per million. Same page, same date. */
export const LAMBDA_USD_PER_REQUEST = 0.2 / 1_000_000;
/** Upstash Redis pay as you go: $0.20 per 100,000 commands. https://upstash.com/pricing/redis (read 2026-11-24). */
export const UPSTASH_USD_PER_COMMAND = 0.2 / 100_000;

/** Assumptions of the scripted session, each stated in the report. */
export const SESSION = {
  /** Memory of the Stream function: what sst.config.ts sets, and Lambda's least. */
  streamMemoryMb: [256, 128],
  /** Memory of the API function that answers polls in the old design. */
  apiMemoryMb: 512,
  /** Planned close of a stream, as sst.config.ts sets it (Lambda does not report a client that left, so a short close caps the waste); the client resumes with Last-Event-ID. */
  plannedCloseMinutes: 5,
  /** The session, in minutes: sending (five messages, one every two minutes), reading, idle, then the tab hidden. */
  sendingMinutes: 10,
  readingMinutes: 5,
  idleMinutes: 15,
  hiddenMinutes: 30,
  messages: 5,
  /** One reply: run.started, this many delta batches (10 s of streaming at the 50 ms window), message.completed. */
  deltasPerReply: 200,
  /** Page load: GET /api/chats (LIST_THREADS) and GET /api/chats/:id (GET_THREAD + SNAPSHOT), from the code. */
  pageLoadCommands: 3,
  pageLoadRequests: 2,
  /** A send: GET_THREAD + APPEND, from the code; one API request and one agent invocation. */
  sendCommands: 2,
  /** Old design: one API invocation per poll, this long (assumed), at the same memory. */
  pollInvocationMs: 25,
  pollIntervalSeconds: 1.5,
} as const;

/** The measured figures the model is built from. */
export interface MeasuredInputs {
  /** Commands sent per SSE stream opened (Murmur, Redis). */
  readonly commandsPerOpen: number;
  /** Commands sent per event published through the webhook (writes). */
  readonly commandsPerAppend: number;
  /** Tail reads per delivered event, one subscriber per thread, at least 1 (in Lambda each stream reads for itself). */
  readonly readsPerDelivery: number;
  /** Commands per minute of an idle process holding streams (in Lambda: per held stream). */
  readonly idlePerMinute: number;
  /** Commands per poll of the polling design. */
  readonly commandsPerPoll: number;
}

export interface SessionCost {
  readonly label: string;
  readonly heldMinutes: number;
  readonly invocations: number;
  readonly gbSeconds: number;
  readonly commands: number;
  readonly lambdaUsd: number;
  readonly upstashUsd: number;
}

/** The scripted session in three variants, per 1,000 active chat-hours. */
export function sessionCosts(m: MeasuredInputs): SessionCost[] {
  const s = SESSION;
  const events = s.messages * (s.deltasPerReply + 3); // message.created, run.started, deltas, message.completed
  const writes = s.pageLoadCommands + s.messages * s.sendCommands + s.messages * (s.deltasPerReply + 2) * m.commandsPerAppend;
  const stream = (label: string, heldMinutes: number, memoryMb: number): SessionCost => {
    const opens = Math.ceil(heldMinutes / s.plannedCloseMinutes);
    const commands = writes + opens * m.commandsPerOpen + events * m.readsPerDelivery + heldMinutes * m.idlePerMinute;
    const invocations = opens + s.pageLoadRequests + 2 * s.messages;
    return perThousand(label, heldMinutes, invocations, (heldMinutes * 60 * memoryMb) / 1024, commands);
  };
  const visible = s.sendingMinutes + s.readingMinutes + s.idleMinutes;
  const polls = (visible * 60) / s.pollIntervalSeconds;
  return [
    ...s.streamMemoryMb.flatMap((mb) => [
      stream(`Murmur, ${mb} MB stream function: stream closed while the tab is hidden`, visible, mb),
      stream(`Murmur, ${mb} MB stream function: stream held open the whole hour`, visible + s.hiddenMinutes, mb),
    ]),
    perThousand(
      `Old design: polling every 1.5 s while visible (${s.apiMemoryMb} MB API function)`,
      0,
      polls + s.pageLoadRequests + 2 * s.messages,
      (polls * s.pollInvocationMs * s.apiMemoryMb) / 1024 / 1000,
      writes + polls * m.commandsPerPoll,
    ),
  ];
}

function perThousand(label: string, heldMinutes: number, invocations: number, gbSeconds: number, commands: number): SessionCost {
  const k = 1000;
  return {
    label,
    heldMinutes,
    invocations: invocations * k,
    gbSeconds: gbSeconds * k,
    commands: commands * k,
    lambdaUsd: k * (gbSeconds * LAMBDA_USD_PER_GB_SECOND + invocations * LAMBDA_USD_PER_REQUEST),
    upstashUsd: k * commands * UPSTASH_USD_PER_COMMAND,
  };
}

/** The model's inputs from a run: Murmur (Redis) and the polling baseline; null when they were not measured. */
export function measuredInputs(systems: readonly SystemResult[]): MeasuredInputs | null {
  const murmur = systems.find((s) => s.id === "murmur-redis");
  const polling = systems.find((s) => s.id === "polling");
  const sum = (counts: Readonly<Record<string, number>>, names?: readonly string[]) =>
    Object.entries(counts).reduce((n, [name, c]) => (names && !names.includes(name) ? n : n + c), 0);
  const spread = murmur?.latency.filter((l) => l.layout === "spread" && l.commands && l.delivered > 0).at(-1);
  const idle = murmur?.idle[0];
  if (!murmur?.opens || !spread?.commands || !idle) return null;
  const pollIdle = polling?.idle.at(-1);
  const sent = spread.commands.sent;
  return {
    commandsPerOpen: sum(murmur.opens.commands.sent) / murmur.opens.subscribers,
    commandsPerAppend: sum(sent, ["evalsha", "eval"]) / spread.published,
    // One process multiplexes every stream's reads; a Lambda holds one stream, so it reads at least once per delivery.
    readsPerDelivery: Math.max(1, sum(sent, ["xread", "xrange", "client|unblock"]) / spread.delivered),
    idlePerMinute: (sum(idle.commands.sent) / idle.commands.seconds) * 60,
    commandsPerPoll: pollIdle ? sum(pollIdle.commands.sent) / ((pollIdle.commands.seconds / 1.5) * pollIdle.connections) : 1,
  };
}
