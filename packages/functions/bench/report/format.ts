/** Formatting shared by the report's sections. */

export const DASH = "–";

/** A number with thousands separators and at most `digits` decimals. */
export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Milliseconds with precision that suits their size. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (value < 10) return num(value, 2);
  if (value < 100) return num(value, 1);
  return num(value, 0);
}

/** a / b as "0.12×"; a dash when either is missing or negative, or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || a < 0 || b <= 0 || !Number.isFinite(a / b)) return DASH;
  const r = a / b;
  return `${r === 0 ? "0" : r < 0.01 ? r.toExponential(1) : r < 10 ? num(r, 2) : num(r, 0)}×`;
}

export function kb(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? DASH : num(bytes / 1024, 1);
}

export function mb(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? DASH : num(bytes / 2 ** 20, 1);
}

export function usd(value: number): string {
  return `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ("l" | "r")[]): string {
  const rule = header.map((_, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "r" ? "---:" : "---"));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
