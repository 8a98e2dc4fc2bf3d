import {
  LAMBDA_USD_PER_GB_SECOND,
  LAMBDA_USD_PER_REQUEST,
  type MeasuredInputs,
  measuredInputs,
  SESSION,
  sessionCosts,
  UPSTASH_USD_PER_COMMAND,
} from "../cost-model.ts";
import type { SystemResult } from "../results.ts";
import { num, table, usd } from "./format.ts";

/** Section 7: the cloud cost model, from the run's measured command figures. */
export function costSection(systems: readonly SystemResult[]): string {
  const inputs = measuredInputs(systems);
  if (!inputs) return "Not computed: this run did not measure Murmur (Redis)'s idle, open and per-event command figures.";
  const rows = sessionCosts(inputs).map((c) => [
    c.label,
    num(c.heldMinutes),
    num(c.invocations),
    num(c.gbSeconds),
    num(c.commands),
    usd(c.lambdaUsd),
    usd(c.upstashUsd),
    usd(c.lambdaUsd + c.upstashUsd),
  ]);
  const s = SESSION;
  return [
    `Prices (list, no free tier): Lambda $${LAMBDA_USD_PER_GB_SECOND} per GB-second and $${num(LAMBDA_USD_PER_REQUEST * 1e6, 2)} per million requests (x86, US East, https://aws.amazon.com/lambda/pricing/); Upstash pay as you go $${num(UPSTASH_USD_PER_COMMAND * 1e5, 2)} per 100,000 commands (https://upstash.com/pricing/redis); read 2026-11-24, constants in \`packages/functions/bench/cost-model.ts\`.`,
    "",
    `The scripted session, one active chat-hour: open the page; send ${s.messages} messages, one every two minutes (${s.sendingMinutes} min), each answered by a reply of ${s.deltasPerReply} delta batches; read (${s.readingMinutes} min); idle with the tab visible (${s.idleMinutes} min); hide the tab (${s.hiddenMinutes} min). Per 1,000 such chat-hours:`,
    "",
    table(
      ["variant", "stream held, min per hour", "Lambda invocations", "GB-seconds", "Upstash commands", "Lambda", "Upstash", "total"],
      rows,
    ),
    "",
    inputsText(inputs),
  ].join("\n");
}

function inputsText(m: MeasuredInputs): string {
  const s = SESSION;
  return [
    "Measured in this run (Murmur with Redis, and the polling baseline) and used above:",
    `- commands per stream opened: ${num(m.commandsPerOpen, 2)} (spread ladder); per event written through the webhook: ${num(m.commandsPerAppend, 2)}; tail reads per delivered event: ${num(m.readsPerDelivery, 2)} (at least 1, since a Lambda holds one stream and reads for it alone); idle: ${num(m.idlePerMinute, 1)} per minute per process, which in Lambda is per held stream (one \`XREAD BLOCK\` per \`REDIS_BLOCK_MS\`; heartbeats cost none); polling: ${num(m.commandsPerPoll, 2)} per poll.`,
    "Assumptions:",
    `- the Stream function has ${s.streamMemoryMb.join(" or ")} MB (SST's default, or Lambda's least; the cloud composition does not size it yet, and held-stream GB-seconds scale with it); it closes each stream after ${s.plannedCloseMinutes} minutes (Lambda's 15-minute limit less a minute) and the browser resumes with \`Last-Event-ID\`, one invocation and one open's commands each time;`,
    `- page load costs ${s.pageLoadCommands} commands and ${s.pageLoadRequests} API invocations, each send ${s.sendCommands} commands, one API invocation and one agent invocation (from the code); the agent's own duration (model time) is the same in every variant and left out; agent appends are priced like webhook events (the measured figure includes the webhook's thread lookup, so it errs high);`,
    `- hiding the tab closes the EventSource and showing it again resumes with \`Last-Event-ID\`; the "held open" variant keeps it for the whole hour;`,
    `- the old design polls every ${s.pollIntervalSeconds} s while the tab is visible, each poll one API invocation of ${s.pollInvocationMs} ms (assumed) at ${s.apiMemoryMb} MB; replies then arrive up to ${s.pollIntervalSeconds} s late.`,
    "- not included: data transfer, Lambda response-streaming bytes past 6 MB per invocation, CloudFront, free tiers.",
  ].join("\n");
}
