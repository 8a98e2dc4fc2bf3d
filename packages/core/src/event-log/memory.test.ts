import { describeEventLogContract } from "./contract.ts";
import { createMemoryEventLog } from "./memory.ts";

describeEventLogContract("memory", async (options) => createMemoryEventLog(options));
