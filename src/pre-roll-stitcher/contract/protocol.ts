/**
 * The stitcher's HTTP protocol, shared by the construct (cache policy, docs) and the handler
 * (routing, verification). Kept free of aws-cdk-lib so the handler bundle stays small.
 */

/** Paths the stitching function answers. */
export const stitcherPaths = {
  /** Rewritten multivariant playlist: every rendition routed through the stitcher. */
  multivariant: '/master.m3u8',
  /** One stitched media playlist, selected by the rendition query parameter. */
  media: '/media.m3u8',
  /** HLS Interstitials asset list of one ad pod (JSON). */
  assetList: '/asset-list.json',
  /** An empty WebVTT segment: fills subtitle playlists while an ad plays. */
  emptyWebVtt: '/empty.vtt',
} as const;

/** Query parameters: exactly what determines a response, and so the cache key. */
export const stitcherQuery = {
  payload: 'payload',
  signature: 'sig',
  rendition: 'r',
  pod: 'pod',
} as const;

/** Every query parameter the cache key includes. */
export const stitcherCacheKeyQueryStrings: string[] = Object.values(stitcherQuery);

/** Response header counting the breaks the stitcher skipped (no compatible ad rendition, or the ad failed). */
export const skippedBreaksHeader = 'x-stitcher-skipped-breaks';

/** Environment variables through which the construct configures the stitching function. */
export const stitcherEnvironment = {
  allowedOrigins: 'STITCHER_ALLOWED_ORIGINS',
  allowHttp: 'STITCHER_ALLOW_HTTP',
  signingSecretArn: 'STITCHER_SIGNING_SECRET_ARN',
  outputMode: 'STITCHER_OUTPUT_MODE',
  dateRangeMarkers: 'STITCHER_DATERANGE_MARKERS',
  maxPayloadLength: 'STITCHER_MAX_PAYLOAD_LENGTH',
  maxBreaks: 'STITCHER_MAX_BREAKS',
  upstreamTimeoutMs: 'STITCHER_UPSTREAM_TIMEOUT_MS',
  requestDeadlineMs: 'STITCHER_REQUEST_DEADLINE_MS',
  maxUpstreamBytes: 'STITCHER_MAX_UPSTREAM_BYTES',
  upstreamCacheTtlSeconds: 'STITCHER_UPSTREAM_CACHE_TTL_SECONDS',
  upstreamCacheBytes: 'STITCHER_UPSTREAM_CACHE_BYTES',
  responseMaxAgeSeconds: 'STITCHER_RESPONSE_MAX_AGE_SECONDS',
  pathPrefix: 'STITCHER_PATH_PREFIX',
} as const;

/** CloudWatch namespace and metric names the stitching function emits (EMF). */
export const stitcherMetrics = {
  namespace: 'CdkOttConstructs/PreRollStitcher',
  stitchErrors: 'StitchErrors',
  clientErrors: 'ClientErrors',
  skippedBreaks: 'SkippedBreaks',
  stitchedPlaylists: 'StitchedPlaylists',
} as const;
