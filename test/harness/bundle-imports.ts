import * as path from 'path';
import { buildSync, Metafile } from 'esbuild';

/** Packages that must never reach a Lambda bundle: they are synth-time only. */
export const synthOnlyPackages = ['aws-cdk-lib', 'constructs'];

/** Every handler entry point of the project: `lambda-src/<construct>/<name>.lambda.ts`. */
export const handlerDir = path.join(__dirname, '..', '..', 'lambda-src');

/**
 * The import chains (entry -> ... -> offending file) by which `entrypoint` pulls a synth-only package into its
 * bundle, found by bundling it the way the build does (esbuild, node platform, `@aws-sdk/*` external) and walking
 * the metafile's import graph breadth-first. Empty when the bundle is clean.
 */
export function synthOnlyImportChains(entrypoint: string): string[][] {
  const result = buildSync({
    entryPoints: [entrypoint],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
    absWorkingDir: path.join(__dirname, '..', '..'),
  });
  return chainsTo(result.metafile!, (input) => synthOnlyPackages.some((name) => input.includes(`node_modules/${name}/`)));
}

function chainsTo(metafile: Metafile, isOffending: (input: string) => boolean): string[][] {
  const inputs = metafile.inputs;
  const [entry] = Object.keys(inputs).filter((input) => !Object.values(inputs).some((other) => other.imports.some((edge) => edge.path === input)));
  const previous = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  const chains: string[][] = [];
  for (let index = 0; index < queue.length; index++) { // bounded by the number of inputs: each is queued once
    const current = queue[index];
    if (isOffending(current)) {
      const chain: string[] = [];
      for (let node: string | undefined = current; node !== undefined; node = previous.get(node)) chain.unshift(node);
      chains.push(chain);
      continue; // one chain per offending first file is enough to act on
    }
    for (const edge of inputs[current]?.imports ?? []) {
      if (previous.has(edge.path)) continue;
      previous.set(edge.path, current);
      queue.push(edge.path);
    }
  }
  return chains;
}
