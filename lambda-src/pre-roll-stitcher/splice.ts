import { DateRange, MediaPlaylist, requiredVersion, Segment, SpliceInfo, targetDurationFor } from '../hls';
import { BreakPlacement, postRollPosition } from './payload';
import { copyWith } from '../hls/copy';

/** One ad of a pod, as the media playlist of the ad rendition matched to the one being stitched. */
export interface AdClip {
  readonly adUri: string;
  /** The ad's media playlist with absolute URIs. */
  readonly playlist: MediaPlaylist;
}

/** Ads that play back to back at one content position. */
export interface AdPod {
  /** Milliseconds of content time, or -1 for a post-roll. */
  readonly positionMs: number;
  readonly ads: AdClip[];
}

/** How ad pods are signalled in the stitched playlist. */
export interface SpliceOptions {
  /**
   * Also mark each pod with an EXT-X-DATERANGE (ID, START-DATE, DURATION). The playlist then carries
   * one EXT-X-PROGRAM-DATE-TIME, on its first segment (the content's own, or the Unix epoch).
   */
  readonly dateRanges: boolean;
}

/** Where a pod landed. */
export interface PlacedPod {
  readonly placement: BreakPlacement;
  /** Index of the content segment the pod plays before (the segment count for a post-roll). */
  readonly contentSegmentIndex: number;
  /** Content time of that boundary, seconds. */
  readonly contentTimeSeconds: number;
  /** Start on the stitched timeline, seconds. */
  readonly stitchedStartSeconds: number;
  readonly durationSeconds: number;
  readonly adCount: number;
}

/** A stitched media playlist and where its pods landed. */
export interface SpliceResult {
  readonly playlist: MediaPlaylist;
  readonly pods: PlacedPod[];
}

/** Start of the synthetic timeline when the content has no EXT-X-PROGRAM-DATE-TIME. */
export const syntheticTimelineStart = new Date(0);

// Position arithmetic tolerates float EXTINF sums (2.000000 x 3600) without moving a boundary.
const boundaryToleranceMs = 0.5;

/**
 * The content segment index a pod plays before: 0 for position 0 (pre-roll), the segment count for
 * -1 or any position at or past the end (post-roll), otherwise the first segment boundary at or
 * after the position: an ad never starts before the time it was asked for.
 */
export function insertionIndex(segments: ReadonlyArray<Pick<Segment, 'duration'>>, positionMs: number): number {
  if (positionMs === postRollPosition) return segments.length;
  let startMs = 0;
  for (let index = 0; index < segments.length; index++) {
    if (startMs >= positionMs - boundaryToleranceMs) return index;
    startMs += segments[index].duration * 1000;
  }
  return segments.length;
}

/**
 * Splices ad pods into a content media playlist: EXT-X-DISCONTINUITY before and after every ad
 * (none before a pre-roll at the very start), EXT-X-CUE-OUT with the pod duration on its first ad
 * segment and EXT-X-CUE-IN on the content segment after it, the content's own segments untouched
 * otherwise. TARGETDURATION and VERSION are recomputed from what the result uses. Pods that land on
 * the same boundary play back to back as one pod. Pure: the inputs are not modified.
 */
export function spliceMediaPlaylist(content: MediaPlaylist, pods: AdPod[], options: SpliceOptions): SpliceResult {
  const contentSegments = content.segments;
  const podsAt = new Map<number, AdClip[]>();
  for (const pod of pods) {
    if (pod.ads.length === 0) continue;
    const index = insertionIndex(contentSegments, pod.positionMs);
    podsAt.set(index, [...(podsAt.get(index) ?? []), ...pod.ads]);
  }

  const timelineStart = options.dateRanges ? contentSegments[0]?.programDateTime ?? syntheticTimelineStart : undefined;
  const output: Segment[] = [];
  const placed: PlacedPod[] = [];
  let contentTime = 0;
  let stitchedTime = 0;
  for (let index = 0; index <= contentSegments.length; index++) {
    const ads = podsAt.get(index);
    if (ads) {
      const pod = placePod(index, contentSegments.length, contentTime, stitchedTime, ads);
      const podNumber = placed.length;
      ads.forEach((ad, adIndex) => ad.playlist.segments.forEach((segment, segmentIndex) => {
        const podOpening = adIndex === 0 && segmentIndex === 0;
        if (segmentIndex > 0 && segment.markers.length === 0 && !segment.programDateTime && !segment.dateRange) {
          output.push(segment); // nothing to change: ads can be as long as content, copies would double them
          return;
        }
        output.push(copyWith(segment, {
          discontinuity: segmentIndex === 0 ? output.length > 0 : segment.discontinuity,
          markers: podOpening ? [new SpliceInfo({ type: 'OUT', duration: roundDuration(pod.durationSeconds) })] : [],
          programDateTime: undefined,
          dateRange: podOpening && timelineStart
            ? new DateRange({
              id: `stitched-ad-pod-${podNumber}`,
              start: new Date(timelineStart.getTime() + Math.round(stitchedTime * 1000)),
              duration: roundDuration(pod.durationSeconds),
              attributes: {},
            })
            : undefined,
        }));
      }));
      placed.push(pod);
      stitchedTime += pod.durationSeconds;
    }
    if (index === contentSegments.length) break;
    const segment = contentSegments[index];
    const retimed = timelineStart !== undefined && (index === 0 || segment.programDateTime !== undefined);
    if (!ads && !retimed) {
      output.push(segment); // most content segments: unchanged, not copied
    } else {
      const changes: Partial<Segment> = {};
      if (ads) {
        changes.discontinuity = true;
        changes.markers = [...segment.markers, new SpliceInfo({ type: 'IN' })];
      }
      if (retimed) changes.programDateTime = output.length === 0 ? timelineStart : undefined; // one timeline: the stitched one
      output.push(copyWith(segment, changes));
    }
    contentTime += segment.duration;
    stitchedTime += segment.duration;
  }
  if (timelineStart && output.length > 0 && !output[0].programDateTime) {
    output[0] = copyWith(output[0], { programDateTime: timelineStart });
  }

  // a stitched VOD is declared one, which also makes the serializer close a post-roll's EXT-X-CUE-OUT
  const playlistType = content.endlist ? 'VOD' : content.playlistType;
  const stitched = copyWith(content, { segments: output, targetDuration: targetDurationFor(output), playlistType });
  return { playlist: copyWith(stitched, { version: requiredVersion(stitched) }), pods: placed };
}

function placePod(index: number, segmentCount: number, contentTime: number, stitchedTime: number, ads: AdClip[]): PlacedPod {
  const durationSeconds = ads.reduce((total, ad) => total + ad.playlist.segments.reduce((sum, s) => sum + s.duration, 0), 0);
  return {
    placement: index === 0 ? 'pre-roll' : index === segmentCount ? 'post-roll' : 'mid-roll',
    contentSegmentIndex: index,
    contentTimeSeconds: contentTime,
    stitchedStartSeconds: stitchedTime,
    durationSeconds,
    adCount: ads.length,
  };
}

// EXT-X-CUE-OUT and DATERANGE durations: milliseconds are enough, float noise is not wanted.
function roundDuration(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
