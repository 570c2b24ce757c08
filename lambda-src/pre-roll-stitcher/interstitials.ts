import { DateRange, MediaPlaylist } from '../hls';
import { BreakPlacement } from './payload';
import { insertionIndex, syntheticTimelineStart } from './splice';
import { copyWith } from '../hls/copy';

/** An ad pod to announce as an HLS interstitial. */
export interface InterstitialPod {
  /** Milliseconds of content time, or -1 for a post-roll. */
  readonly positionMs: number;
  /** The ad's multivariant playlist when the pod is one ad (X-ASSET-URI). */
  readonly assetUri?: string;
  /** The stitcher's asset list of the pod when it is several ads (X-ASSET-LIST). */
  readonly assetListUri?: string;
}

/** The interstitial class of RFC 8216bis Appendix D. */
export const interstitialClass = 'com.apple.hls.interstitial';

/**
 * Announces ad pods as HLS Interstitials instead of splicing them: one EXT-X-DATERANGE per pod with
 * CLASS="com.apple.hls.interstitial", the asset, X-RESUME-OFFSET=0 (the content resumes where it
 * paused), X-RESTRICT="SKIP,JUMP" (ads cannot be skipped), CUE="PRE"/"POST" for pre- and post-rolls.
 * Mid-rolls start at the same segment boundary the splice mode would use. The content segments are
 * untouched; the first one carries the EXT-X-PROGRAM-DATE-TIME that START-DATE is measured from.
 */
export function announceInterstitials(content: MediaPlaylist, pods: InterstitialPod[]): MediaPlaylist {
  const segments = content.segments;
  const first = segments[0];
  if (!first) return content;
  const timelineStart = first.programDateTime ?? syntheticTimelineStart;
  const boundaries = [0];
  segments.forEach((segment) => boundaries.push(boundaries[boundaries.length - 1] + segment.duration));
  const dateRanges = pods.map((pod, podNumber) => {
    const index = insertionIndex(segments, pod.positionMs);
    const placement: BreakPlacement = index === 0 ? 'pre-roll' : index === segments.length ? 'post-roll' : 'mid-roll';
    const asset: Record<string, string | number> = pod.assetUri
      ? { 'X-ASSET-URI': quotedString(pod.assetUri) }
      : { 'X-ASSET-LIST': quotedString(pod.assetListUri ?? '') };
    return new DateRange({
      id: `ad-pod-${podNumber}`,
      classId: interstitialClass,
      start: new Date(timelineStart.getTime() + Math.round(boundaries[index] * 1000)),
      cue: placement === 'pre-roll' ? 'PRE' : placement === 'post-roll' ? 'POST' : undefined,
      attributes: { ...asset, 'X-RESUME-OFFSET': 0, 'X-RESTRICT': 'SKIP,JUMP' },
    });
  });
  return copyWith(content, {
    dateRanges: [...content.dateRanges, ...dateRanges],
    segments: first.programDateTime ? segments : [copyWith(first, { programDateTime: timelineStart }), ...segments.slice(1)],
  });
}

/** A value for an RFC 8216 quoted-string attribute: it may hold no double quote, CR or LF (4.2). */
function quotedString(value: string): string {
  if (/["\r\n]/.test(value)) throw new Error(`an interstitial asset URI cannot be written into a quoted-string: ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}
