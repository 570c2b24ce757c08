/**
 * The stitcher's defaults and limits, written once: the construct documents and applies them, the handler falls
 * back to them and enforces the same minimums. Free of aws-cdk-lib (handler-importable).
 */

/** Default and smallest accepted value of each numeric setting. */
export const stitcherLimits = {
  /** Longest accepted `payload` query value, in characters. */
  maxPayloadLength: { default: 4096, minimum: 64 },
  /** Most ads one payload may insert. */
  maxBreaks: { default: 16, minimum: 0 },
  /** Longest wait for one upstream playlist, in milliseconds. */
  upstreamTimeoutMs: { default: 3000, minimum: 100 },
  /** Largest upstream playlist accepted, in bytes. */
  maxUpstreamBytes: { default: 4 * 1024 * 1024, minimum: 1024 },
  /** How long a fetched playlist is reused across warm invocations, in seconds. */
  upstreamCacheTtlSeconds: { default: 300, minimum: 0 },
  /** Memory the cached playlists may take, in bytes. */
  upstreamCacheBytes: { default: 32 * 1024 * 1024, minimum: 0 },
  /** How long CloudFront and players keep a stitched playlist, in seconds. */
  responseMaxAgeSeconds: { default: 86_400, minimum: 0 },
} as const;

/** The stitching function's size and time unless `functionOptions` overrides them. */
export const stitcherFunctionDefaults = {
  memoryMiB: 512,
  timeoutSeconds: 10,
} as const;

/** How many redirects one upstream fetch follows. */
export const maxUpstreamRedirects = 3;
