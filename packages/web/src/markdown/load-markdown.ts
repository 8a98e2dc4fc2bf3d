type MarkdownModule = typeof import("./block-view.ts");

let loaded: MarkdownModule | undefined;
let loading: Promise<MarkdownModule> | undefined;

/**
 * The Markdown renderer's chunk, fetched once (a dynamic import, so it stays out of the
 * first load: see report-size.ts). Until it is here, messages show as plain text.
 */
export function loadMarkdown(): Promise<MarkdownModule> {
  loading ??= import("./block-view.ts").then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** The renderer if its chunk has loaded, else undefined. */
export const loadedMarkdown = (): MarkdownModule | undefined => loaded;
