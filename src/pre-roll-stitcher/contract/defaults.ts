/**
 * The stitcher's defaults and limits, written once: the construct documents and applies them, the handler falls
 * back to them and enforces the same minimums. Free of aws-cdk-lib (handler-importable).
 */

const mebibyte = 1024 * 1024;

/** The stitching function's size and time unless `functionOptions` overrides them. */
export const stitcherFunctionDefaults = {
  memoryMiB: 512,
  timeoutSeconds: 10,
} as const;

/**
 * Time kept back from the function timeout for answering, in milliseconds: the request-wide deadline
 * is the function timeout minus this, so a slow upstream ends in a 504 instead of a Lambda timeout.
 */
export const deadlineMarginMs = 1000;

/** The request-wide deadline (ms) of a function with this timeout: every fetch and redirect hop of a request ends by then. */
export function requestDeadlineMs(functionTimeoutMs: number): number {
  return Math.max(100, functionTimeoutMs - deadlineMarginMs);
}

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
  /** Time one request may take from arrival to answer, in milliseconds; the construct sets it from the function timeout. */
  requestDeadlineMs: { default: requestDeadlineMs(stitcherFunctionDefaults.timeoutSeconds * 1000), minimum: 100 },
} as const;

/** How many redirects one upstream fetch follows. */
export const maxUpstreamRedirects = 3;

/** Fixed bounds of the handler: not configurable, documented in the README. */
export const stitcherHandlerLimits = {
  /** Longest EXTINF accepted in an upstream playlist, in seconds: one day (RFC 8216 sets no bound; players choke far below). */
  maxSegmentDurationSeconds: 86_400,
  /** Content media playlists fetched and validated at once when a multivariant playlist is served. */
  variantValidationConcurrency: 2,
  /**
   * Ads of one payload loaded and analysed at once, each with its playlists: as many as a payload of the default
   * `maxBreaks` holds, so its ads cost one upstream round trip per step, not one per few ads. Each has an equal
   * share of one byte budget, so this bounds the fetches in flight, not the memory.
   */
  adLoadConcurrency: stitcherLimits.maxBreaks.default,
  /** Longest response, in bytes: a Lambda function's synchronous response is at most 6 MB, so longer playlists are a 502 before they are built. */
  maxResponseBytes: 6_000_000,
  /** Cache-Control max-age (s) of a playlist from which an ad was skipped because it failed: it may work again soon. */
  failedAdMaxAgeSeconds: 30,
} as const;

/**
 * Heap a parsed, absolutized media playlist takes per byte of its text, measured on the worst shape
 * (one-character segment URIs, `#EXTINF:1,`: 13 bytes of text, ~235-260 bytes of segment objects, the
 * text itself kept by the parser); typical playlists take 3-8.
 */
export const parsedBytesPerTextByte = 24;

/** Heap of the loaded handler before any request, in bytes (measured ~20 MiB; the rest is room for the SDK and buffers). */
export const baselineHeapBytes = 48 * mebibyte;

/** Share of the function's memory the Node.js heap may use (the rest: code, buffers, the runtime). */
export const heapShareOfMemory = 7 / 8;

/** The inputs of {@link stitcherMemoryBudget}, in bytes. */
export interface StitcherMemoryInputs {
  /** Largest upstream playlist accepted, bytes of text. */
  readonly maxUpstreamBytes: number;
  /** Memory the playlist cache may take, bytes (already in parsed terms). */
  readonly upstreamCacheBytes: number;
}

/** What the worst accepted request needs. */
export interface StitcherMemoryBudget {
  /** Heap the worst request needs, in bytes. */
  readonly heapBytes: number;
  /** Smallest function memory size, in MiB, whose heap share holds `heapBytes`. */
  readonly minimumMemorySizeMiB: number;
  /** The arithmetic, for error messages and docs. */
  readonly explanation: string;
}

/**
 * Upstream playlists one request holds parsed at once, at most: the content's multivariant playlist and
 * one content media playlist (or the variants being validated, a few at a time, before any ad loads),
 * and every ad playlist of the payload together, which share one playlist's size, each ad an equal part (an ad
 * playlist past its part is not used).
 */
export const playlistsHeldPerRequest = 3;

/**
 * The memory rule: the worst accepted request (every upstream playlist at its size limit, in the shape
 * that parses largest) plus a full playlist cache must fit the Node.js heap of the function.
 */
export function stitcherMemoryBudget(inputs: StitcherMemoryInputs): StitcherMemoryBudget {
  const heapBytes = baselineHeapBytes + inputs.upstreamCacheBytes + playlistsHeldPerRequest * inputs.maxUpstreamBytes * parsedBytesPerTextByte;
  const minimumMemorySizeMiB = Math.ceil(heapBytes / heapShareOfMemory / mebibyte);
  const mib = (bytes: number) => `${Math.round(bytes / mebibyte * 10) / 10} MiB`;
  const explanation = `${mib(baselineHeapBytes)} baseline + ${mib(inputs.upstreamCacheBytes)} upstreamCacheSize`
    + ` + ${playlistsHeldPerRequest} playlists x ${mib(inputs.maxUpstreamBytes)} maxUpstreamPlaylistSize x ${parsedBytesPerTextByte} bytes parsed per byte`
    + ` = ${mib(heapBytes)} of heap, which needs memorySize >= ${minimumMemorySizeMiB} MiB (heap is ${heapShareOfMemory * 100}% of it)`;
  return { heapBytes, minimumMemorySizeMiB, explanation };
}

/** The Node.js heap limit (MiB) of a function with this memory size, as the memory test runs it. */
export function heapLimitMiB(memorySizeMiB: number): number {
  return Math.floor(memorySizeMiB * heapShareOfMemory);
}
