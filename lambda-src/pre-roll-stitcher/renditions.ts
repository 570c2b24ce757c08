import { MediaPlaylist, MultivariantPlaylist, Rendition, Variant } from '../hls';

/** Segment format of a media playlist (RFC 8216 §3): without EXT-X-MAP it is TS, packed audio or WebVTT. */
export type SegmentContainer = 'fmp4' | 'ts' | 'packed-audio' | 'webvtt';

/** Kind of a rendition the stitcher serves, and the letter of its id. */
export type RenditionKind = 'variant' | 'iframe' | 'audio' | 'subtitles';

const kindPrefix: Record<RenditionKind, string> = { variant: 'v', iframe: 'i', audio: 'a', subtitles: 's' };

/** A content rendition with the id the rewritten multivariant playlist routes it by (`v0`, `i0`, `a1`, `s0`...). */
export interface ContentRendition {
  readonly id: string;
  /** Identity of the rendition across parsed copies (see {@link renditionKey}). */
  readonly key: string;
  readonly kind: RenditionKind;
  /** Absolute URL of its media playlist. */
  readonly uri: string;
  /** The variant (for `variant` and `iframe`). */
  readonly variant?: Variant;
  /** The EXT-X-MEDIA rendition (for `audio` and `subtitles`). */
  readonly rendition?: Rendition;
}

/** The container of a media playlist's segments. */
export function containerOf(playlist: MediaPlaylist): SegmentContainer {
  const first = playlist.segments.find((segment) => segment.uri);
  return first ? containerOfSegment(!!first.map, first.uri) : 'ts';
}

/**
 * The container of a media playlist read from its text up to the first segment, without parsing the
 * rest: the same answer as {@link containerOf} on the parsed playlist, for a fraction of the work.
 */
export function containerOfText(text: string): SegmentContainer {
  let map = false;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).trim();
    start = end === -1 ? text.length : end + 1;
    if (line.startsWith('#EXT-X-MAP:')) map = true;
    else if (line !== '' && !line.startsWith('#')) return containerOfSegment(map, line);
  }
  return 'ts';
}

function containerOfSegment(hasMap: boolean, uri: string): SegmentContainer {
  if (hasMap) return 'fmp4';
  const extension = /\.([a-z0-9]+)$/i.exec(uri.split(/[?#]/)[0])?.[1]?.toLowerCase();
  if (extension === 'aac' || extension === 'ac3' || extension === 'ec3' || extension === 'mp3') return 'packed-audio';
  if (extension === 'vtt' || extension === 'webvtt') return 'webvtt';
  return extension === 'mp4' || extension === 'm4s' || extension === 'cmfv' || extension === 'cmfa' ? 'fmp4' : 'ts';
}

/** Video and audio codec families named by a CODECS attribute (undefined when it names none). */
export interface CodecFamilies {
  readonly video?: string;
  readonly audio?: string;
}

const videoFamilies: Record<string, string> = {
  avc1: 'avc', avc3: 'avc', hvc1: 'hevc', hev1: 'hevc', dvh1: 'dolby-vision', dvhe: 'dolby-vision', av01: 'av1', vp09: 'vp9', vp9: 'vp9',
};
const audioFamilies: Record<string, string> = {
  'mp4a': 'aac', 'ac-3': 'ac3', 'ec-3': 'eac3', 'ac-4': 'ac4', 'opus': 'opus', 'flac': 'flac', 'fLaC': 'flac', 'mp3': 'mp3',
};

// a response ranks every ad variant for every content rendition: the few CODECS strings of a deployment are read once
const knownCodecFamilies = new Map<string, CodecFamilies>();
const knownCodecFamiliesLimit = 256;

/** Codec families of a CODECS attribute: profiles differ freely inside a family, families never mix. */
export function codecFamilies(codecs: string | undefined): CodecFamilies {
  const key = codecs ?? '';
  let families = knownCodecFamilies.get(key);
  if (!families) {
    families = readCodecFamilies(key);
    if (knownCodecFamilies.size >= knownCodecFamiliesLimit) knownCodecFamilies.clear();
    knownCodecFamilies.set(key, families);
  }
  return families;
}

function readCodecFamilies(codecs: string): CodecFamilies {
  let video: string | undefined;
  let audio: string | undefined;
  for (const codec of codecs.split(',').map((c) => c.trim()).filter((c) => c !== '')) {
    const fourcc = codec.split('.')[0];
    if (fourcc === 'mp4a' && codec.startsWith('mp4a.40.34')) audio ??= 'mp3';
    video ??= videoFamilies[fourcc];
    audio ??= audioFamilies[fourcc];
  }
  return { video, audio };
}

/** Enumerates the renditions of a content multivariant playlist with stable ids, in playlist order. */
export function contentRenditions(master: MultivariantPlaylist): ContentRendition[] {
  const renditions: ContentRendition[] = [];
  const counters: Record<RenditionKind, number> = { variant: 0, iframe: 0, audio: 0, subtitles: 0 };
  const add = (kind: RenditionKind, uri: string, key: string, fields: Partial<ContentRendition>) => {
    renditions.push({ id: `${kindPrefix[kind]}${counters[kind]++}`, key, kind, uri, ...fields });
  };
  master.variants.forEach((variant, index) => add(variant.isIFrameOnly ? 'iframe' : 'variant', variant.uri, `variant|${index}`, { variant }));
  const seenMedia = new Set<string>();
  for (const variant of master.variants) {
    for (const [kind, list] of [['audio', variant.audio], ['subtitles', variant.subtitles]] as const) {
      for (const rendition of list) {
        const key = renditionKey(rendition);
        if (!rendition.uri || seenMedia.has(key)) continue;
        seenMedia.add(key);
        add(kind, rendition.uri, key, { rendition });
      }
    }
  }
  return renditions;
}

/** Identity of an EXT-X-MEDIA rendition: hls-parser gives every variant its own copy of a group's renditions. */
export function renditionKey(rendition: Rendition): string {
  return `${rendition.type}|${rendition.groupId}|${rendition.name}|${rendition.uri ?? ''}`;
}

/** What the matcher knows about one ad variant. */
export interface AdVariantCandidate {
  readonly variant: Variant;
  /** Its segment container; undefined while its playlist is not loaded (then not held against it). */
  readonly container?: SegmentContainer;
}

/**
 * Picks the ad variant to splice into a content variant: same container and codec families (a
 * family missing from either CODECS attribute is not held against it), then the nearest in
 * resolution and bandwidth on a log scale; ties go to the lower bandwidth. Undefined when none fits.
 */
export function matchAdVariant(content: Variant, contentContainer: SegmentContainer, candidates: AdVariantCandidate[]): Variant | undefined {
  return rankAdVariants(content, contentContainer, candidates)[0];
}

/**
 * Every ad variant that fits a content variant, best first, in the order {@link matchAdVariant} prefers them;
 * an undefined `contentContainer` (not known yet) is not held against any candidate.
 */
export function rankAdVariants(content: Variant, contentContainer: SegmentContainer | undefined, candidates: AdVariantCandidate[]): Variant[] {
  const wanted = codecFamilies(content.codecs);
  const fitting: Array<{ variant: Variant; score: number }> = [];
  for (const candidate of candidates) {
    if (!sameContainer(contentContainer, candidate.container) || candidate.variant.isIFrameOnly !== content.isIFrameOnly) continue;
    const offered = codecFamilies(candidate.variant.codecs);
    if (!sameFamily(wanted.video, offered.video) || !sameFamily(wanted.audio, offered.audio)) continue;
    const score = distance(content.bandwidth, candidate.variant.bandwidth) + distance(pixels(content), pixels(candidate.variant));
    fitting.push({ variant: candidate.variant, score });
  }
  // a stable sort: playlist order breaks what score and bandwidth leave tied
  return fitting.sort((a, b) => a.score - b.score || a.variant.bandwidth - b.variant.bandwidth).map((fit) => fit.variant);
}

/** What the matcher knows about one ad EXT-X-MEDIA rendition. */
export interface AdRenditionCandidate {
  readonly rendition: Rendition;
  /** Its segment container; undefined while its playlist is not loaded (then not held against it). */
  readonly container?: SegmentContainer;
}

/**
 * Picks the ad rendition (audio or subtitles) for a content rendition: same container, then, in this
 * order of weight: same group and language, same language, same channel count, same group, DEFAULT=YES;
 * playlist order breaks ties.
 */
export function matchAdRendition(content: Rendition, contentContainer: SegmentContainer, candidates: AdRenditionCandidate[]): Rendition | undefined {
  return rankAdRenditions(content, contentContainer, candidates)[0];
}

/**
 * Every ad rendition that fits a content rendition, best first, in the order {@link matchAdRendition} prefers them;
 * an undefined `contentContainer` (not known yet) is not held against any candidate.
 */
export function rankAdRenditions(
  content: Rendition, contentContainer: SegmentContainer | undefined, candidates: AdRenditionCandidate[],
): Rendition[] {
  const score = (r: Rendition) => {
    const sameLanguage = r.language !== undefined && r.language === content.language;
    return (sameLanguage && r.groupId === content.groupId ? 16 : 0) + (sameLanguage ? 8 : 0)
      + (r.channels !== undefined && r.channels === content.channels ? 4 : 0) + (r.groupId === content.groupId ? 2 : 0) + (r.isDefault ? 1 : 0);
  };
  return candidates
    .filter((candidate) => sameContainer(contentContainer, candidate.container) && candidate.rendition.type === content.type)
    .map((candidate) => ({ rendition: candidate.rendition, score: score(candidate.rendition) }))
    .sort((a, b) => b.score - a.score) // stable: playlist order breaks ties
    .map((fit) => fit.rendition);
}

function sameContainer(wanted: SegmentContainer | undefined, offered: SegmentContainer | undefined): boolean {
  return wanted === undefined || offered === undefined || offered === wanted;
}

function sameFamily(wanted: string | undefined, offered: string | undefined): boolean {
  return wanted === undefined || offered === undefined || wanted === offered;
}

function pixels(variant: Variant): number | undefined {
  return variant.resolution ? variant.resolution.width * variant.resolution.height : undefined;
}

function distance(a: number | undefined, b: number | undefined): number {
  return a && b ? Math.abs(Math.log(a / b)) : 0;
}
