import { createParser } from "eventsource-parser";

/**
 * One thing an SSE parser reports, in stream order: an event (its `id`, `event` and
 * `data`), a `retry:` field, or a comment (`: ping`, padding). A `retry:` is its own item
 * where it appears, also when it shares a block with an event (the planned `close`): a
 * client applies it at once, not to that event.
 */
export interface SseItem {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly retry?: number;
  readonly comment?: string;
}

/** An SSE body read as it arrives: feed it the text chunks, read what was parsed so far. */
export interface SseCollector {
  /** Everything parsed so far, in order (an event only once its block is complete). */
  readonly items: readonly SseItem[];
  feed(chunk: string): void;
}

/**
 * The one SSE parser of the tests: `eventsource-parser`, as a client parses the stream.
 * A line it cannot parse (an unknown field, a bad `retry:`) throws from `feed`.
 */
export function createSseCollector(): SseCollector {
  const items: SseItem[] = [];
  const parser = createParser({
    onEvent: ({ id, event, data }) => items.push({ ...(id === undefined ? {} : { id }), ...(event === undefined ? {} : { event }), data }),
    onRetry: (retry) => items.push({ retry }),
    onComment: (comment) => items.push({ comment }),
    onError: (error) => {
      throw error;
    },
  });
  return { items, feed: (chunk) => parser.feed(chunk) };
}

/** Parses a whole SSE body (see {@link createSseCollector}); an unfinished last block is left out. */
export function parseSse(text: string): SseItem[] {
  const collector = createSseCollector();
  collector.feed(text);
  return [...collector.items];
}
