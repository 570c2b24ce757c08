import * as path from 'path';
import { exemptPlaylistTypes, playlistTypeMetadataHeader, stalePlaylistHeader } from './contract/protocol';
import { cloudFrontFunctionsDir, renderCloudFrontFunction } from '../shared/cloudfront-function-code';

/** What the edge function is configured with. */
export interface EdgeGuardConfig {
  /** Playlist age, in milliseconds, past which a live media playlist is stale. */
  readonly staleAfterMs: number;
}

/** The shipped CloudFront Function file. */
export const edgeGuardFunctionFile = path.join(cloudFrontFunctionsDir, 'stale-playlist-guard', 'edge-guard.js');

/**
 * The edge function's code with its configuration and the contract's names filled in (what the construct deploys):
 * the threshold, and the exemption rule's header and values, so the function hard-codes none of them.
 */
export function renderEdgeGuardFunction(config: EdgeGuardConfig): string {
  if (!Number.isFinite(config.staleAfterMs) || config.staleAfterMs <= 0) throw new Error(`staleAfterMs must be a positive finite number, got ${config.staleAfterMs}`);
  return renderCloudFrontFunction(edgeGuardFunctionFile, 'StalePlaylistGuard', {
    staleAfterMs: config.staleAfterMs,
    playlistTypeHeader: playlistTypeMetadataHeader,
    exemptPlaylistTypes,
    staleHeader: stalePlaylistHeader,
  });
}
