/** The heading of the bundle bench's section in BENCHMARKS.md; `npm run bench` keeps the section when it rewrites the file. */
export const BUNDLES_HEADING = "## Lambda bundles and memory";

/** The section under {@link BUNDLES_HEADING}, up to the next `## ` heading or the end; null when absent. */
export function bundlesSection(markdown: string): string | null {
  const start = markdown.indexOf(`${BUNDLES_HEADING}\n`);
  if (start === -1) return null;
  const next = markdown.indexOf("\n## ", start + BUNDLES_HEADING.length);
  return markdown.slice(start, next === -1 ? undefined : next + 1).trimEnd();
}

/** `markdown` with its bundles section replaced by `section`, or with `section` appended. */
export function withBundlesSection(markdown: string, section: string): string {
  const current = bundlesSection(markdown);
  if (current === null) return `${markdown.trimEnd()}\n\n${section.trimEnd()}\n`;
  return markdown.replace(current, () => section.trimEnd());
}

/** The section under `heading` (a `## ` line), up to the next `## ` heading or the end; null when absent. */
export function sectionOf(markdown: string, heading: string): string | null {
  const start = markdown.indexOf(`${heading}\n`);
  if (start === -1) return null;
  const next = markdown.indexOf("\n## ", start + heading.length);
  return markdown.slice(start, next === -1 ? undefined : next + 1).trimEnd();
}

/** `markdown` with the section under `heading` replaced by `section`, or with `section` appended. */
export function withSection(markdown: string, heading: string, section: string): string {
  const current = sectionOf(markdown, heading);
  if (current === null) return `${markdown.trimEnd()}\n\n${section.trimEnd()}\n`;
  return markdown.replace(current, () => section.trimEnd());
}
