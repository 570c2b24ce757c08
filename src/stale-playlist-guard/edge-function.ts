import * as fs from 'fs';
import * as path from 'path';
import { exemptPlaylistTypes, playlistTypeMetadataHeader } from './contract/playlist-marks';

/** What the edge function is configured with. */
export interface EdgeGuardConfig {
  /** Playlist age, in milliseconds, past which a live media playlist is stale. */
  readonly staleAfterMs: number;
}

/** The shipped CloudFront Function file. */
export const edgeGuardFunctionFile = path.join(__dirname, '..', '..', 'cloudfront-functions', 'stale-playlist-guard', 'edge-guard.js');

const configLine = /^const CONFIG = .*; \/\/ StalePlaylistGuard:config$/m;

/**
 * The edge function's code with its configuration filled in (what the construct deploys): the threshold, and
 * the exemption rule's header and values from the contract, so the function never hard-codes them.
 */
export function renderEdgeGuardFunction(config: EdgeGuardConfig): string {
  const source = fs.readFileSync(edgeGuardFunctionFile, 'utf8');
  if (!configLine.test(source)) throw new Error(`${edgeGuardFunctionFile} lost its CONFIG line`);
  if (!Number.isFinite(config.staleAfterMs) || config.staleAfterMs <= 0) throw new Error(`staleAfterMs must be a positive finite number, got ${config.staleAfterMs}`);
  const rendered = { staleAfterMs: config.staleAfterMs, playlistTypeHeader: playlistTypeMetadataHeader, exemptPlaylistTypes };
  return source.replace(configLine, `const CONFIG = ${JSON.stringify(rendered)}; // StalePlaylistGuard:config`);
}
