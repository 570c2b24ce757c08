import * as path from 'path';
import { exemptPlaylistTypes, playlistTypeMetadataHeader, stalePlaylistHeader } from './contract/protocol';
import { cloudFrontFunctionsDir, renderCloudFrontFunction } from '../shared/cloudfront-function-code';

/** What the edge function is configured with. */
export interface EdgeGuardConfig {
  readonly staleAfterMs: number;
  readonly multivariantPlaylistNames: readonly string[];
}

/** The shipped CloudFront Function file. */
export const edgeGuardFunctionFile = path.join(cloudFrontFunctionsDir, 'stale-playlist-guard', 'edge-guard.js');

/** The edge function's code with its configuration and the contract's names filled in (what the construct deploys). */
export function renderEdgeGuardFunction(config: EdgeGuardConfig): string {
  return renderCloudFrontFunction(edgeGuardFunctionFile, 'StalePlaylistGuard', {
    staleAfterMs: config.staleAfterMs,
    multivariantPlaylistNames: config.multivariantPlaylistNames,
    playlistTypeHeader: playlistTypeMetadataHeader,
    exemptPlaylistTypes,
    staleHeader: stalePlaylistHeader,
  });
}
