/** True for absolute http(s) and mailto addresses only: links to anything else (javascript:, data:, relative) are not made. */
export function safeUrl(href: string): boolean {
  try {
    return ["http:", "https:", "mailto:"].includes(new URL(href).protocol);
  } catch {
    return false;
  }
}
