// How CloudFront's caching and origin timeouts follow from the segment length.

/** Manifest TTL: half a segment, rounded up, at least one second (MediaPackage sets the same max-age). */
export function manifestTtlSeconds(segmentLengthSeconds: number): number {
  return Math.max(1, Math.ceil(segmentLengthSeconds / 2));
}

/**
 * Origin timeouts from the segment length (as AWS's Live Event Framework derives them): connect and read within half a
 * segment, keep connections one second longer than a segment, within CloudFront's limits (connect 1-10 s, read and
 * keep-alive 1-60 s).
 */
export function originTimeouts(segmentLengthSeconds: number): { connectionSeconds: number; readSeconds: number; keepaliveSeconds: number } {
  const half = Math.max(1, Math.ceil(segmentLengthSeconds / 2));
  return { connectionSeconds: Math.min(half, 10), readSeconds: Math.min(half, 60), keepaliveSeconds: Math.min(segmentLengthSeconds + 1, 60) };
}

