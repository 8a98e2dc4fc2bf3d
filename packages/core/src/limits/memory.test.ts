import { describeLimiterContract } from "./contract.ts";
import { createMemoryLimiter } from "./memory.ts";

describeLimiterContract("memory", async (options) => createMemoryLimiter(options));
