import type { Metafile } from "esbuild";

/** Bytes of a bundle that came from one package (or one of our workspaces). */
export interface Contributor {
  readonly name: string;
  readonly bytes: number;
}

/** The package an input file belongs to: the last `node_modules/<name>` in its path, else our workspace. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf("node_modules/");
  if (at === -1) {
    const workspace = /^packages\/([^/]+)\//.exec(input)?.[1];
    return workspace ? `@murmur/${workspace}` : input;
  }
  const [scope = "", name = ""] = input.slice(at + "node_modules/".length).split("/");
  return scope.startsWith("@") ? `${scope}/${name}` : scope;
}

/** Every package's bytes in the bundle (esbuild's `bytesInOutput`), largest first. */
export function contributors(metafile: Metafile): Contributor[] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].map(([name, n]) => ({ name, bytes: n })).sort((a, b) => b.bytes - a.bytes);
}
