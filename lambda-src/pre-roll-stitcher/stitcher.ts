import { isMediaPlaylist, MediaPlaylist, MultivariantPlaylist, Playlist, Segment, serializePlaylist, Variant } from '../hls';
import { StitchError } from './errors';
import { announceInterstitials } from './interstitials';
import { rewriteMultivariant } from './multivariant';
import { AdBreakRequest, StitchRequestSpec } from './payload';
import {
  AdRenditionCandidate, AdVariantCandidate, ContentRendition, containerOf, contentRenditions, matchAdRendition, matchAdVariant, SegmentContainer,
} from './renditions';
import { AdClip, AdPod, spliceMediaPlaylist } from './splice';
import { copyWith } from '../hls/copy';

/** Loads playlists: fetching is the caller's business (allow-list, limits, cache); URIs come back absolute. */
export interface PlaylistLoader {
  load(url: string): Promise<Playlist>;
  /** The segment container of a media playlist; loaders that can tell it without a full parse implement this. */
  containerOf?(url: string): Promise<SegmentContainer>;
}

/** Ads are spliced into the content, or announced as HLS Interstitials for the player to fetch. */
export type OutputMode = 'splice' | 'interstitials';

/** Settings of a stitcher deployment. */
export interface StitcherOptions {
  readonly mode: OutputMode;
  /** Splice mode: mark pods with EXT-X-DATERANGE as well as EXT-X-CUE-OUT/CUE-IN. */
  readonly dateRangeMarkers: boolean;
}

/** How responses point back at the stitcher (URIs relative to the request). */
export interface StitchRouting {
  /** The URI of a stitched rendition's media playlist. */
  readonly mediaUri: (renditionId: string) => string;
  /** The URI of a pod's interstitial asset list. */
  readonly assetListUri: (podIndex: number) => string;
  /** The URI of an empty WebVTT segment. */
  readonly emptyWebVttUri: string;
}

/** An ad the stitcher left out because nothing in it fits the content. */
export interface SkippedBreak {
  readonly adUri: string;
  readonly positionMs: number;
  readonly reason: string;
}

/** A playlist or asset list to send, and the breaks left out of it. */
export interface StitchedResponse {
  readonly body: string;
  readonly contentType: string;
  readonly skippedBreaks: SkippedBreak[];
}

/** HLS playlist media type. */
export const playlistContentType = 'application/vnd.apple.mpegurl';

interface AdAnalysis {
  readonly adUri: string;
  readonly variants: AdVariantCandidate[];
  readonly iframes: AdVariantCandidate[];
  readonly renditions: AdRenditionCandidate[];
  /** Why the ad cannot be spliced into this content; undefined when it can. */
  readonly unusableBecause?: string;
  readonly offersIFrames: boolean;
}

type AdCandidates = Omit<AdAnalysis, 'unusableBecause' | 'offersIFrames'>;

interface ContentAnalysis {
  readonly master: MultivariantPlaylist;
  readonly renditions: ContentRendition[];
  readonly ads: Map<string, AdAnalysis>;
  readonly skippedBreaks: SkippedBreak[];
  readonly usableBreaks: AdBreakRequest[];
  readonly offerIFrames: boolean;
  readonly videoContainer: SegmentContainer;
  readonly iframeContainer?: SegmentContainer;
}

/**
 * Answers the stitcher's three requests for one payload: the rewritten multivariant playlist, one
 * stitched media playlist, one interstitial asset list. Whether an ad is usable is decided over the
 * whole content (every variant and audio rendition must have a compatible ad rendition), so every
 * rendition gets the same pods and the same discontinuity structure.
 */
export class Stitcher {
  constructor(private readonly loader: PlaylistLoader, private readonly options: StitcherOptions) {}

  /** The content's multivariant playlist with every rendition routed through the stitcher. */
  public async multivariant(spec: StitchRequestSpec, routing: StitchRouting): Promise<StitchedResponse> {
    if (this.options.mode === 'interstitials') {
      const master = await this.loadMultivariant(spec.contentUri, 'content');
      const renditions = contentRenditions(master);
      const rewritten = rewriteMultivariant(master, renditions, { routeTo: routing.mediaUri, peakBandwidth: () => undefined, offerIFrames: true });
      return playlistResponse(rewritten, []);
    }
    const ads = this.loadAds(spec);
    const master = await this.loadMultivariant(spec.contentUri, 'content');
    const analysis = await this.analyze(spec, master, ads);
    const peaks = new Map<string, number>();
    for (const rendition of analysis.renditions.filter((r) => r.kind === 'variant' || (r.kind === 'iframe' && analysis.offerIFrames))) {
      const iframe = rendition.kind === 'iframe';
      const adBandwidths = analysis.usableBreaks.map((adBreak) => analysis.ads.get(adBreak.adUri)!).map((ad) => matchAdVariant(
        rendition.variant!, iframe ? analysis.iframeContainer! : analysis.videoContainer, iframe ? ad.iframes : ad.variants)?.bandwidth ?? 0);
      peaks.set(rendition.id, Math.max(0, ...adBandwidths));
    }
    const rewritten = rewriteMultivariant(analysis.master, analysis.renditions, {
      routeTo: routing.mediaUri,
      peakBandwidth: (id) => peaks.get(id),
      offerIFrames: analysis.offerIFrames,
    });
    return playlistResponse(rewritten, analysis.skippedBreaks);
  }

  /** The media playlist of one content rendition with the ads spliced in (or announced). */
  public async media(spec: StitchRequestSpec, renditionId: string | undefined, routing: StitchRouting): Promise<StitchedResponse> {
    if (this.options.mode === 'interstitials') {
      const master = await this.loadMultivariant(spec.contentUri, 'content');
      const target = findRendition(contentRenditions(master), renditionId);
      const content = await this.loadVod(target);
      const announced = announceInterstitials(content, groupPods(spec.breaks).map((pod, podIndex) => pod.length === 1
        ? { positionMs: pod[0].positionMs, assetUri: pod[0].adUri }
        : { positionMs: pod[0].positionMs, assetListUri: routing.assetListUri(podIndex) }));
      return playlistResponse(announced, []);
    }
    const ads = this.loadAds(spec); // ads load while the content does
    const master = await this.loadMultivariant(spec.contentUri, 'content');
    const target = findRendition(contentRenditions(master), renditionId);
    const [content, analysis] = await Promise.all([this.loadVod(target), this.analyze(spec, master, ads)]);
    const container = containerOf(content);
    if (target.kind === 'iframe' && !analysis.offerIFrames) {
      throw StitchError.notFound(`rendition ${target.id} is not offered: an ad of this payload has no compatible I-frame rendition`);
    }
    const pods: AdPod[] = await Promise.all(groupPods(analysis.usableBreaks).map(async (pod) => ({
      positionMs: pod[0].positionMs,
      ads: await Promise.all(pod.map((adBreak) => this.clipFor(target, container, analysis.ads.get(adBreak.adUri)!, routing))),
    })));
    const { playlist } = spliceMediaPlaylist(content, pods, { dateRanges: this.options.dateRangeMarkers });
    return playlistResponse(playlist, analysis.skippedBreaks);
  }

  /** The HLS Interstitials asset list (`{"ASSETS":[{"URI","DURATION"}]}`) of one pod. */
  public async assetList(spec: StitchRequestSpec, podIndex: number): Promise<StitchedResponse> {
    const pods = groupPods(spec.breaks);
    const pod = pods[podIndex];
    if (!pod) throw StitchError.notFound(`pod ${podIndex} does not exist: this payload has ${pods.length} pod(s)`);
    const assets = await Promise.all(pod.map(async (adBreak) => {
      const ad = await this.loader.load(adBreak.adUri);
      const media = isMediaPlaylist(ad) ? ad : await this.loadMedia(firstVariant(ad, adBreak.adUri).uri, `ad ${adBreak.adUri}`);
      return { URI: adBreak.adUri, DURATION: Math.round(totalDuration(media.segments) * 1000) / 1000 };
    }));
    return { body: JSON.stringify({ ASSETS: assets }), contentType: 'application/json', skippedBreaks: [] };
  }

  /** Starts loading every ad of the payload; a failure surfaces where the result is awaited. */
  private loadAds(spec: StitchRequestSpec): Promise<AdCandidates[]> {
    const loading = Promise.all([...new Set(spec.breaks.map((adBreak) => adBreak.adUri))].map((adUri) => this.candidatesOf(adUri)));
    loading.catch(() => undefined); // not unhandled if the content fails first
    return loading;
  }

  private async analyze(spec: StitchRequestSpec, master: MultivariantPlaylist, adsLoading: Promise<AdCandidates[]>): Promise<ContentAnalysis> {
    const renditions = contentRenditions(master);
    const variants = renditions.filter((r) => r.kind === 'variant');
    if (variants.length === 0) throw StitchError.badGateway(`content ${spec.contentUri} has no variant streams`);
    const audio = renditions.filter((r) => r.kind === 'audio');
    const iframes = renditions.filter((r) => r.kind === 'iframe');
    // Variants of one content share a container (HLS authoring practice): the first one speaks for all.
    const [videoContainer, audioContainer, iframeContainer] = await Promise.all([
      this.containerAt(variants[0]),
      audio.length > 0 ? this.containerAt(audio[0]) : undefined,
      iframes.length > 0 ? this.containerAt(iframes[0]) : undefined,
    ]);
    const analyses = (await adsLoading).map((ad) => {
      const unfitVariant = variants.find((v) => !matchAdVariant(v.variant!, videoContainer, ad.variants));
      const unfitAudio = audio.find((a) => !matchAdRendition(a.rendition!, audioContainer!, ad.renditions));
      const unusableBecause = unfitVariant
        ? `no ${videoContainer} rendition with codecs compatible with content ${unfitVariant.id} (${unfitVariant.variant!.codecs ?? 'no CODECS'})`
        : unfitAudio ? `no ${audioContainer} audio rendition for content ${unfitAudio.id}` : undefined;
      const offersIFrames = iframes.every((i) => !!matchAdVariant(i.variant!, iframeContainer!, ad.iframes));
      return { ...ad, unusableBecause, offersIFrames };
    });
    const ads = new Map(analyses.map((ad) => [ad.adUri, ad]));
    const skippedBreaks = spec.breaks.filter((b) => ads.get(b.adUri)!.unusableBecause)
      .map((b) => ({ adUri: b.adUri, positionMs: b.positionMs, reason: ads.get(b.adUri)!.unusableBecause! }));
    const usableBreaks = spec.breaks.filter((b) => !ads.get(b.adUri)!.unusableBecause);
    const offerIFrames = iframes.length > 0 && usableBreaks.every((b) => ads.get(b.adUri)!.offersIFrames);
    return { master, renditions, ads, skippedBreaks, usableBreaks, offerIFrames, videoContainer, iframeContainer };
  }

  /**
   * Every rendition of an ad with its segment container; a media-playlist ad is one variant of unknown
   * codecs. Like the content's, an ad's variants share a container, so one playlist of each kind tells it.
   */
  private async candidatesOf(adUri: string): Promise<AdCandidates> {
    const ad = await this.loader.load(adUri);
    if (isMediaPlaylist(ad)) {
      return { adUri, variants: [{ variant: new Variant({ uri: adUri, bandwidth: 0 }), container: containerOf(ad) }], iframes: [], renditions: [] };
    }
    // parsed, not sniffed (unlike the content's reference): ad playlists are small and usually the ones spliced next
    const sharedContainer = async (uris: string[]) => uris.length > 0 ? containerOf(await this.loadMedia(uris[0], `ad ${adUri}`)) : undefined;
    const variants = ad.variants.filter((v) => !v.isIFrameOnly);
    const iframes = ad.variants.filter((v) => v.isIFrameOnly);
    const renditions = [...new Map(ad.variants.flatMap((v) => [...v.audio, ...v.subtitles]).filter((r) => r.uri).map((r) => [r.uri!, r])).values()];
    const audio = renditions.filter((r) => r.type === 'AUDIO');
    const subtitles = renditions.filter((r) => r.type === 'SUBTITLES');
    const [variantContainer, iframeContainer, audioContainer, subtitlesContainer] = await Promise.all([
      sharedContainer(variants.map((v) => v.uri)),
      sharedContainer(iframes.map((v) => v.uri)),
      sharedContainer(audio.map((r) => r.uri!)),
      sharedContainer(subtitles.map((r) => r.uri!)),
    ]);
    return {
      adUri,
      variants: variants.map((variant) => ({ variant, container: variantContainer! })),
      iframes: iframes.map((variant) => ({ variant, container: iframeContainer! })),
      renditions: [
        ...audio.map((rendition) => ({ rendition, container: audioContainer! })),
        ...subtitles.map((rendition) => ({ rendition, container: subtitlesContainer! })),
      ],
    };
  }

  private async clipFor(target: ContentRendition, container: SegmentContainer, ad: AdAnalysis, routing: StitchRouting): Promise<AdClip> {
    const mismatch = () => StitchError.badGateway(
      `content rendition ${target.id} uses ${container} segments unlike the content's first rendition: all variants must share one container`);
    if (target.kind === 'variant' || target.kind === 'iframe') {
      const match = matchAdVariant(target.variant!, container, target.kind === 'iframe' ? ad.iframes : ad.variants);
      if (!match) throw mismatch();
      return { adUri: ad.adUri, playlist: await this.loadMedia(match.uri, `ad ${ad.adUri}`) };
    }
    const match = matchAdRendition(target.rendition!, container, ad.renditions);
    if (match) return { adUri: ad.adUri, playlist: await this.loadMedia(match.uri!, `ad ${ad.adUri}`) };
    if (target.kind === 'audio') throw mismatch();
    // Subtitles: ads rarely carry any, so the ad's time is filled with empty WebVTT segments.
    const reference = await this.loadMedia(ad.variants[0].variant.uri, `ad ${ad.adUri}`);
    return { adUri: ad.adUri, playlist: gapPlaylist(reference, routing.emptyWebVttUri) };
  }

  private async containerAt(rendition: ContentRendition): Promise<SegmentContainer> {
    return this.loader.containerOf
      ? this.loader.containerOf(rendition.uri)
      : containerOf(await this.loadMedia(rendition.uri, `content rendition ${rendition.id}`));
  }

  /** A content rendition's media playlist; live playlists (no EXT-X-ENDLIST) are refused: positions need a fixed timeline. */
  private async loadVod(target: ContentRendition): Promise<MediaPlaylist> {
    const content = await this.loadMedia(target.uri, `content rendition ${target.id}`);
    if (!content.endlist) {
      throw StitchError.badGateway(`content rendition ${target.id} (${target.uri}) is a live playlist without EXT-X-ENDLIST: only VOD can be stitched`);
    }
    return content;
  }

  private async loadMultivariant(url: string, what: string): Promise<MultivariantPlaylist> {
    const playlist = await this.loader.load(url);
    if (isMediaPlaylist(playlist)) throw StitchError.badGateway(`${what} ${url} is a media playlist; a multivariant playlist is required`);
    return playlist;
  }

  private async loadMedia(url: string, what: string): Promise<MediaPlaylist> {
    const playlist = await this.loader.load(url);
    if (!isMediaPlaylist(playlist)) throw StitchError.badGateway(`${what}: ${url} is a multivariant playlist where a media playlist was expected`);
    return playlist;
  }
}

/** Breaks at the same position form one pod, in payload order (breaks arrive sorted). */
export function groupPods(breaks: AdBreakRequest[]): AdBreakRequest[][] {
  const pods: AdBreakRequest[][] = [];
  for (const adBreak of breaks) {
    const last = pods[pods.length - 1];
    if (last && last[0].positionMs === adBreak.positionMs) last.push(adBreak);
    else pods.push([adBreak]);
  }
  return pods;
}

function findRendition(renditions: ContentRendition[], id: string | undefined): ContentRendition {
  const target = renditions.find((rendition) => rendition.id === id);
  if (!target) {
    throw StitchError.notFound(`${id === undefined ? 'missing rendition' : `unknown rendition ${id}`}: valid renditions are ${renditions.map((r) => r.id).join(', ')}`);
  }
  return target;
}

function gapPlaylist(reference: MediaPlaylist, emptyWebVttUri: string): MediaPlaylist {
  return copyWith(reference, { segments: reference.segments.map((segment) => new Segment({ uri: emptyWebVttUri, duration: segment.duration })) });
}

function firstVariant(master: MultivariantPlaylist, uri: string): Variant {
  const variant = master.variants.find((v) => !v.isIFrameOnly);
  if (!variant) throw StitchError.badGateway(`ad ${uri} has no variant streams`);
  return variant;
}

function totalDuration(segments: Segment[]): number {
  return segments.reduce((sum, segment) => sum + segment.duration, 0);
}

function playlistResponse(playlist: Playlist, skippedBreaks: SkippedBreak[]): StitchedResponse {
  return { body: serializePlaylist(playlist), contentType: playlistContentType, skippedBreaks };
}
