import type { RunLease } from "./event-log.ts";

/** A run's lease by default: runners renew it every third of this, so a run whose writer stopped is taken for gone within 20 s. */
export const DEFAULT_RUN_LEASE_MS = 20_000;

/** The leases past their time at `now`. */
export function lapsedLeases(leases: readonly RunLease[], now = Date.now()): RunLease[] {
  return leases.filter((lease) => lease.expiresAt < now);
}

/** Leases from a meta hash's `l:<runId>` fields (`<expiresAt>:<messageId>`), as the Redis scripts store them. */
export function leasesFromFlat(flat: readonly string[]): RunLease[] {
  const leases: RunLease[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i] as string;
    if (!name.startsWith("l:")) continue;
    const value = String(flat[i + 1]);
    const colon = value.indexOf(":");
    leases.push({ runId: name.slice(2), expiresAt: Number(value.slice(0, colon)), messageId: value.slice(colon + 1) });
  }
  return leases;
}
