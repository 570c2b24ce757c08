import * as fs from 'fs';
import * as path from 'path';

/** What the edge function is configured with. */
export interface EdgeGuardConfig {
  readonly staleAfterMs: number;
  readonly multivariantPlaylistNames: string[];
}

/** The shipped CloudFront Function file. */
export const edgeGuardFunctionFile = path.join(__dirname, '..', '..', 'cloudfront-functions', 'stale-playlist-guard', 'edge-guard.js');

const configLine = /^const CONFIG = .*; \/\/ StalePlaylistGuard:config$/m;

/** The edge function's code with its configuration filled in (what the construct deploys). */
export function renderEdgeGuardFunction(config: EdgeGuardConfig): string {
  const source = fs.readFileSync(edgeGuardFunctionFile, 'utf8');
  if (!configLine.test(source)) throw new Error(`${edgeGuardFunctionFile} lost its CONFIG line`);
  const rendered = { staleAfterMs: config.staleAfterMs, multivariantPlaylistNames: config.multivariantPlaylistNames };
  return source.replace(configLine, `const CONFIG = ${JSON.stringify(rendered)}; // StalePlaylistGuard:config`);
}
