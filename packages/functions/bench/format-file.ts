import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Formats a results file written into the repository the way `npm run lint` (Biome) wants it; best effort. */
export function formatInRepo(path: string): void {
  if (!path.startsWith(REPO_ROOT)) return;
  try {
    execFileSync(join(REPO_ROOT, "node_modules/.bin/biome"), ["format", "--write", path], { cwd: REPO_ROOT, stdio: "ignore" });
  } catch {
    console.warn(`bench: could not format ${path} with Biome; it is valid JSON all the same`);
  }
}
