import * as path from 'path';
import { exemptPlaylistTypes, pipelineHeartbeatKey, playlistTypeMetadataHeader, stalePlaylistHeader } from './contract/protocol';
import { heartbeatFreshForMs } from './contract/staleness';
import { cloudFrontFunctionsDir, renderCloudFrontFunction } from '../shared/cloudfront-function-code';

/** What the edge function is configured with. */
export interface EdgeGuardConfig {
  /** Playlist age, in milliseconds, past which a live media playlist is stale. */
  readonly staleAfterMs: number;
  /**
   * The key prefixes the pipelines own, in configuration order, as pipeline-prefix.ts normalises them (`''` for the bucket
   * root, a folder ending in `/`, or a key prefix such as `live/channel-a`). With two or more, a stale playlist is a 404
   * only while another pipeline's heartbeat is fresh; with one it is never a 404.
   */
  readonly pipelinePrefixes: readonly string[];
}

/** The shipped CloudFront Function file. */
export const edgeGuardFunctionFile = path.join(cloudFrontFunctionsDir, 'stale-playlist-guard', 'edge-guard.js');

/**
 * The edge function's code with its configuration and the contract's names filled in (what the construct deploys):
 * the threshold, the exemption rule's header and values, and each pipeline's prefix and heartbeat key, so the function
 * hard-codes none of them.
 */
export function renderEdgeGuardFunction(config: EdgeGuardConfig): string {
  if (!Number.isFinite(config.staleAfterMs) || config.staleAfterMs <= 0) throw new Error(`staleAfterMs must be a positive finite number, got ${config.staleAfterMs}`);
  if (config.pipelinePrefixes.length === 0) throw new Error('pipelinePrefixes must name at least one pipeline, got []');
  return renderCloudFrontFunction(edgeGuardFunctionFile, 'StalePlaylistGuard', {
    staleAfterMs: config.staleAfterMs,
    playlistTypeHeader: playlistTypeMetadataHeader,
    exemptPlaylistTypes,
    staleHeader: stalePlaylistHeader,
    pipelinePrefixes: config.pipelinePrefixes,
    heartbeatKeys: config.pipelinePrefixes.map((_, index) => pipelineHeartbeatKey(index)),
    heartbeatFreshMs: heartbeatFreshForMs(config.staleAfterMs),
  });
}
