/** One dispatched SSE block: its fields, or a comment (`: ping`, padding). */
export interface SseBlock {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly retry?: number;
  readonly comment?: string;
}

/** Splits an SSE body into its blocks, as a reader sees them (only complete blocks). */
export function parseSse(text: string): SseBlock[] {
  const blocks = text.split("\n\n");
  blocks.pop(); // after the last blank line: incomplete, or empty
  return blocks.map((block) => {
    const fields: Record<string, string> = {};
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) return { comment: line.slice(1).trim() };
      const at = line.indexOf(":");
      const name = line.slice(0, at);
      const value = line.slice(at + 1).replace(/^ /, "");
      fields[name] = name === "data" && fields.data !== undefined ? `${fields.data}\n${value}` : value;
    }
    return { ...fields, ...(fields.retry !== undefined ? { retry: Number(fields.retry) } : {}) } as SseBlock;
  });
}
