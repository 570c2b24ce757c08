/**
 * PreRollStitcher's defaults, limits and the memory rule, written once for the construct (props,
 * synth-time checks), the handler (fallbacks, bounds) and the tests. Imports nothing: handler-importable.
 */

const mebibyte = 1024 * 1024;

/** What the construct deploys when a prop is not given; every number carries its unit in its name. */
export const stitcherDefaults = {
  maxPayloadLength: 4096,
  maxBreaks: 16,
  upstreamTimeoutMs: 3000,
  maxUpstreamPlaylistBytes: 4 * mebibyte,
  upstreamCacheTtlSeconds: 300,
  upstreamCacheBytes: 32 * mebibyte,
  responseMaxAgeSeconds: 86_400,
  functionMemorySizeMiB: 512,
  functionTimeoutSeconds: 10,
} as const;

/** Bounds the construct and the handler both enforce, and fixed limits of the handler. */
export const stitcherLimits = {
  /** Smallest `maxPayloadLength` accepted (characters): below it no real payload fits. */
  minMaxPayloadLength: 64,
  minMaxBreaks: 0,
  /** Smallest `upstreamTimeout` accepted (ms). */
  minUpstreamTimeoutMs: 100,
  /** Smallest `maxUpstreamPlaylistSize` accepted (bytes). */
  minMaxUpstreamPlaylistBytes: 1024,
  /** Redirects followed per upstream fetch; every target is checked against the allow-list. */
  maxRedirects: 3,
  /**
   * Time kept back from the function timeout for answering (ms): the request-wide deadline is the
   * function timeout minus this, so a slow upstream ends in a 504 instead of a Lambda timeout.
   */
  deadlineMarginMs: 1000,
  /** Longest EXTINF accepted in an upstream playlist (s): one day; RFC 8216 sets no bound, players choke far below. */
  maxSegmentDurationSeconds: 86_400,
  /** Content media playlists fetched and validated at once when a multivariant playlist is served. */
  variantValidationConcurrency: 2,
  /** Longest response (bytes): a Lambda function's synchronous response payload is at most 6 MB, so longer playlists are a 502 before they are built. */
  maxResponseBytes: 6_000_000,
  /** Cache-Control max-age (s) of a playlist from which an ad was skipped because it failed (it may work again soon). */
  failedAdMaxAgeSeconds: 30,
} as const;

/**
 * Heap a parsed, absolutized media playlist takes per byte of its text, measured on the worst shape
 * (one-character segment URIs, `#EXTINF:1,`: 13 bytes of text, ~260 bytes of segment objects); typical
 * playlists take 3-8.
 */
export const parsedBytesPerTextByte = 24;

/** Heap of the loaded handler before any request (bytes, measured: ~20 MiB, with room for the SDK). */
export const baselineHeapBytes = 48 * mebibyte;

/** Share of the function's memory the Node.js heap may use (the rest: code, buffers, the runtime). */
export const heapShareOfMemory = 7 / 8;

/** The inputs of {@link stitcherMemoryBudget}. */
export interface StitcherMemoryInputs {
  /** Largest upstream playlist accepted, bytes of text. */
  readonly maxUpstreamPlaylistBytes: number;
  /** Memory the playlist cache may take, bytes (already in parsed terms). */
  readonly upstreamCacheBytes: number;
}

/** What the worst accepted request may hold at once, and the memory size it needs. */
export interface StitcherMemoryBudget {
  /** Upstream text one request may hold parsed at once (bytes): see {@link upstreamBytesPerRequest}. */
  readonly requestUpstreamBytes: number;
  /** Heap the worst request needs (bytes): baseline + cache + requestUpstreamBytes x parsedBytesPerTextByte. */
  readonly heapBytes: number;
  /** Smallest function memory size (MiB) whose heap share holds `heapBytes`. */
  readonly minimumMemorySizeMiB: number;
  /** The arithmetic, for error messages and docs. */
  readonly explanation: string;
}

/**
 * Upstream text one request holds parsed at once, at most: the content's multivariant playlist, one
 * content media playlist, and every ad playlist of the payload together, which share one playlist's
 * budget (an ad that would exceed it is skipped, never the content). Multivariant validation fetches
 * {@link stitcherLimits.variantValidationConcurrency} variants at once and holds nothing after.
 */
export function upstreamBytesPerRequest(maxUpstreamPlaylistBytes: number): number {
  return Math.max(3, 1 + stitcherLimits.variantValidationConcurrency) * maxUpstreamPlaylistBytes;
}

/**
 * The memory rule: the worst accepted request (every upstream playlist at its size limit, in the
 * shape that parses largest) plus a full playlist cache must fit the Node.js heap of the function.
 */
export function stitcherMemoryBudget(inputs: StitcherMemoryInputs): StitcherMemoryBudget {
  const requestUpstreamBytes = upstreamBytesPerRequest(inputs.maxUpstreamPlaylistBytes);
  const heapBytes = baselineHeapBytes + inputs.upstreamCacheBytes + requestUpstreamBytes * parsedBytesPerTextByte;
  const minimumMemorySizeMiB = Math.ceil(heapBytes / heapShareOfMemory / mebibyte);
  const mib = (bytes: number) => `${Math.round(bytes / mebibyte * 10) / 10} MiB`;
  const explanation = `${mib(baselineHeapBytes)} baseline + ${mib(inputs.upstreamCacheBytes)} upstreamCacheSize`
    + ` + 3 playlists x ${mib(inputs.maxUpstreamPlaylistBytes)} maxUpstreamPlaylistSize x ${parsedBytesPerTextByte} bytes parsed per byte`
    + ` = ${mib(heapBytes)} of heap, which needs memorySize >= ${minimumMemorySizeMiB} MiB (heap is ${heapShareOfMemory * 100}% of it)`;
  return { requestUpstreamBytes, heapBytes, minimumMemorySizeMiB, explanation };
}

/** The Node.js heap limit (MiB) of a function with this memory size, as the memory test runs it. */
export function heapLimitMiB(memorySizeMiB: number): number {
  return Math.floor(memorySizeMiB * heapShareOfMemory);
}

/** The request-wide deadline (ms) of a function with this timeout. */
export function requestDeadlineMs(functionTimeoutMs: number): number {
  return Math.max(stitcherLimits.minUpstreamTimeoutMs, functionTimeoutMs - stitcherLimits.deadlineMarginMs);
}
