import {
  isMediaPlaylist, MediaPlaylist, MultivariantPlaylist, Playlist, playlistSafeUrl, Segment, serializedLengthAtLeast, serializePlaylist, Variant,
} from '../hls';
import { StitchError } from './errors';
import { announceInterstitials, InterstitialPod } from './interstitials';
import { rewriteMultivariant } from './multivariant';
import { assertAllowedUpstream, OriginPolicy } from './origin-allowlist';
import { AdBreakRequest, StitchRequestSpec } from './payload';
import {
  AdRenditionCandidate, AdVariantCandidate, ContentRendition, containerOf, contentRenditions, matchAdRendition, matchAdVariant, SegmentContainer,
} from './renditions';
import { AdClip, AdPod, spliceMediaPlaylist } from './splice';
import { stitcherHandlerLimits } from '../../src/pre-roll-stitcher/contract/defaults';
import { copyWith } from '../hls/copy';
import { mapBounded } from '../shared/bounded';

/** A share of memory, in bytes of upstream text, that a group of loads (the ads of one request) may take together. */
export class ByteBudget {
  private readonly charged = new Map<string, number>();
  private spent = 0;
  private contested = false;

  /** @param what names the budget in the refusal, e.g. "the ads of this payload" */
  constructor(private readonly what: string, private readonly bytes: number) {}

  /** Charges `bytes` for the playlist at `url` (once per URL); throws 502 when the budget would be exceeded. */
  public charge(url: string, bytes: number): void {
    if (this.charged.has(url)) return;
    if (this.spent + bytes > this.bytes) {
      this.contested = true;
      throw StitchError.badGateway(`${url} is ${bytes} bytes, over what is left (${this.bytes - this.spent} of ${this.bytes}) for ${this.what}`);
    }
    this.charged.set(url, bytes);
    this.spent += bytes;
  }

  /**
   * Runs the loads of one ad at once, all or nothing: when one fails, every load settles and whatever they
   * charged is given back, so what is left for the next ad does not depend on the order the loads finished in.
   */
  public async allOrNothing<T>(loads: Array<() => Promise<T>>): Promise<T[]> {
    const before = new Set(this.charged.keys());
    const settled = await Promise.allSettled(loads.map((load) => load()));
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (!failure) return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
    for (const [url, bytes] of this.charged) {
      if (before.has(url)) continue;
      this.charged.delete(url);
      this.spent -= bytes;
      this.contested = true;
    }
    throw failure.reason;
  }

  /**
   * False while no charge was refused and none given back: every charge made is then still held and all
   * fit together, so the same loads in any order (payload order included) would have charged the same and
   * refused nothing. True once the order the loads finished in may have decided something.
   */
  public get orderMayHaveMattered(): boolean {
    return this.contested;
  }
}

/** Loads playlists: fetching is the caller's business (allow-list, limits, cache); URIs come back absolute. */
export interface PlaylistLoader {
  /** The playlist at `url`; its text is charged to `budget` before it is parsed. */
  load(url: string, budget?: ByteBudget): Promise<Playlist>;
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
  /** Hosts whose URIs may be written into a playlist the stitcher makes up (Interstitials ad URIs). */
  readonly originPolicy: OriginPolicy;
  /** Bytes of upstream text all the ad playlists of one request may take together. */
  readonly adBytesPerRequest: number;
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

/** An ad the stitcher left out: nothing in it fits the content, or it could not be used. */
export interface SkippedBreak {
  readonly adUri: string;
  readonly positionMs: number;
  readonly reason: string;
  /** True when the ad failed (unreachable, refused, invalid, over budget), false when it merely does not fit. */
  readonly failed: boolean;
}

/** A playlist or asset list to send, and the breaks left out of it. */
export interface StitchedResponse {
  readonly body: string;
  readonly contentType: string;
  readonly skippedBreaks: SkippedBreak[];
}

/** HLS playlist media type. */
export const playlistContentType = 'application/vnd.apple.mpegurl';

/** What the analysis found out about one ad of the payload. */
interface AdAnalysis {
  readonly adUri: string;
  readonly variants: AdVariantCandidate[];
  readonly iframes: AdVariantCandidate[];
  readonly renditions: AdRenditionCandidate[];
  /** Every ad media playlist some content rendition is matched with, loaded and validated. */
  readonly media: Map<string, MediaPlaylist>;
  /** Why the ad cannot be spliced into this content; undefined when it can. */
  readonly unusableBecause?: string;
  /** True when the ad failed (load, allow-list, validation, budget) rather than not fitting. */
  readonly failed: boolean;
  readonly offersIFrames: boolean;
}

type AdCandidates = Pick<AdAnalysis, 'adUri' | 'variants' | 'iframes' | 'renditions'>;

/** The segment containers of the content's renditions, by kind (the first rendition of a kind speaks for all). */
interface ContentContainers {
  readonly variant: SegmentContainer;
  readonly audio?: SegmentContainer;
  readonly subtitles?: SegmentContainer;
  readonly iframe?: SegmentContainer;
}

/** The content's renditions, by kind. */
type ContentByKind = Record<'variants' | 'audio' | 'subtitles' | 'iframes', ContentRendition[]>;

interface ContentAnalysis {
  readonly master: MultivariantPlaylist;
  readonly renditions: ContentRendition[];
  readonly ads: Map<string, AdAnalysis>;
  readonly skippedBreaks: SkippedBreak[];
  readonly usableBreaks: AdBreakRequest[];
  readonly offerIFrames: boolean;
  readonly containers: ContentContainers;
}

/**
 * Answers the stitcher's three requests for one payload: the rewritten multivariant playlist, one
 * stitched media playlist, one interstitial asset list. Whether an ad is usable is decided over the
 * whole content (every variant and audio rendition must have a compatible ad rendition, and every ad
 * playlist any of them would get must load and be valid), so every rendition gets the same pods and
 * the same discontinuity structure. An ad never fails a request: a failed ad is skipped like an
 * incompatible one. Only the content's failures are errors.
 */
export class Stitcher {
  constructor(private readonly loader: PlaylistLoader, private readonly options: StitcherOptions) {}

  /**
   * The content's multivariant playlist with every rendition routed through the stitcher. Every media
   * playlist it hands out is loaded and validated first: a rendition that could not be stitched is a
   * 502 naming it, never a cacheable playlist that fails later.
   */
  public async multivariant(spec: StitchRequestSpec, routing: StitchRouting): Promise<StitchedResponse> {
    if (this.options.mode === 'interstitials') {
      const master = await this.loadMultivariant(spec.contentUri);
      const renditions = contentRenditions(master);
      await this.validateRenditions(renditions);
      const rewritten = rewriteMultivariant(master, renditions, { routeTo: routing.mediaUri, peakBandwidth: () => undefined, offerIFrames: true });
      return playlistResponse(rewritten, []);
    }
    const master = await this.loadMultivariant(spec.contentUri);
    // renditions first, ads after: what one request holds at once stays within three playlists (see stitcherMemoryBudget)
    await this.validateRenditions(contentRenditions(master));
    const budget = this.adBudget();
    const analysis = await this.analyze(spec, master, this.loadAds(spec, budget), budget);
    const peaks = new Map<string, number>();
    for (const rendition of analysis.renditions.filter((r) => r.kind === 'variant' || (r.kind === 'iframe' && analysis.offerIFrames))) {
      const iframe = rendition.kind === 'iframe';
      let peak = 0;
      for (const adBreak of analysis.usableBreaks) {
        const ad = analysis.ads.get(adBreak.adUri)!;
        const container = iframe ? analysis.containers.iframe! : analysis.containers.variant;
        peak = Math.max(peak, matchAdVariant(rendition.variant!, container, iframe ? ad.iframes : ad.variants)?.bandwidth ?? 0);
      }
      peaks.set(rendition.id, peak);
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
      const master = await this.loadMultivariant(spec.contentUri);
      const target = findRendition(contentRenditions(master), renditionId);
      const content = await this.loadVod(target);
      const skippedBreaks: SkippedBreak[] = [];
      const pods = groupPods(spec.breaks).flatMap((pod, podIndex): InterstitialPod[] => {
        const allowed = pod.filter((adBreak) => this.writableAdUri(adBreak, skippedBreaks) !== undefined);
        if (allowed.length === 0) return [];
        return allowed.length === 1
          ? [{ positionMs: pod[0].positionMs, assetUri: this.writableAdUri(allowed[0], [])! }]
          : [{ positionMs: pod[0].positionMs, assetListUri: routing.assetListUri(podIndex) }];
      });
      return playlistResponse(announceInterstitials(content, pods), skippedBreaks);
    }
    const budget = this.adBudget();
    const ads = this.loadAds(spec, budget); // ads load while the content does
    const master = await this.loadMultivariant(spec.contentUri);
    const target = findRendition(contentRenditions(master), renditionId);
    const [content, analysis] = await Promise.all([this.loadVod(target), this.analyze(spec, master, ads, budget)]);
    if (target.kind === 'iframe' && !analysis.offerIFrames) {
      throw StitchError.notFound(`rendition ${target.id} is not offered: an ad of this payload has no compatible I-frame rendition`);
    }
    const container = containerOf(content);
    const pods: AdPod[] = groupPods(analysis.usableBreaks).map((pod) => ({
      positionMs: pod[0].positionMs,
      ads: pod.map((adBreak) => this.clipFor(target, container, analysis, analysis.ads.get(adBreak.adUri)!, routing)),
    }));
    let length = serializedLengthAtLeast(content);
    for (const pod of pods) for (const ad of pod.ads) length += serializedLengthAtLeast(ad.playlist);
    assertResponseFits(length, `content rendition ${target.id} with its ads`);
    const { playlist } = spliceMediaPlaylist(content, pods, { dateRanges: this.options.dateRangeMarkers });
    return playlistResponse(playlist, analysis.skippedBreaks);
  }

  /**
   * The HLS Interstitials asset list (`{"ASSETS":[{"URI","DURATION"}]}`) of one pod. An ad that is
   * refused, fails to load or is invalid is left out (and counted), never the whole list.
   */
  public async assetList(spec: StitchRequestSpec, podIndex: number): Promise<StitchedResponse> {
    const pods = groupPods(spec.breaks);
    const pod = pods[podIndex];
    if (!pod) throw StitchError.notFound(`pod ${podIndex} does not exist: this payload has ${pods.length} pod(s)`);
    const budget = this.adBudget();
    const skippedBreaks: SkippedBreak[] = [];
    const assets: Array<{ URI: string; DURATION: number }> = [];
    for (const adBreak of pod) { // in payload order: the budget is spent the same way on every request
      const uri = this.writableAdUri(adBreak, skippedBreaks);
      if (uri === undefined) continue;
      try {
        const ad = await this.loader.load(adBreak.adUri, budget);
        const media = isMediaPlaylist(ad) ? this.checkedMedia(ad, adBreak.adUri, 'ad') : await this.loadMedia(firstVariant(ad, adBreak.adUri).uri, 'ad', budget);
        assets.push({ URI: uri, DURATION: Math.round(totalDuration(media.segments) * 1000) / 1000 });
      } catch (error) {
        skippedBreaks.push(failedBreak(adBreak, error));
      }
    }
    return { body: JSON.stringify({ ASSETS: assets }), contentType: 'application/json', skippedBreaks };
  }

  private adBudget(): ByteBudget {
    return new ByteBudget('the ads of this payload', this.options.adBytesPerRequest);
  }

  /**
   * The ad URI as it may be written into a playlist or asset list: normalized, quoted-string safe and
   * on an allowed origin; undefined (and the break recorded as skipped) otherwise.
   */
  private writableAdUri(adBreak: AdBreakRequest, skipped: SkippedBreak[]): string | undefined {
    let url: URL;
    try {
      url = new URL(playlistSafeUrl(adBreak.adUri));
    } catch (error) {
      skipped.push({ adUri: adBreak.adUri, positionMs: adBreak.positionMs, reason: (error as Error).message, failed: true });
      return undefined;
    }
    try {
      assertAllowedUpstream(url, this.options.originPolicy);
    } catch (error) {
      skipped.push(failedBreak(adBreak, error));
      return undefined;
    }
    return url.href;
  }

  /**
   * Starts loading every distinct ad of the payload, a few at a time, all charged to `budget`; a failure
   * makes that ad unusable, nothing else. {@link analyzeAds} makes what fits the budget the same as if the
   * ads had loaded one after the other in payload order.
   */
  private loadAds(spec: StitchRequestSpec, budget: ByteBudget): Promise<Array<AdCandidates | AdAnalysis>> {
    return mapBounded(distinctAdUris(spec), stitcherHandlerLimits.adLoadConcurrency, (adUri) => this.loadAd(adUri, budget));
  }

  private loadAd(adUri: string, budget: ByteBudget): Promise<AdCandidates | AdAnalysis> {
    return this.candidatesOf(adUri, budget).catch((error: unknown) => unusableAd(adUri, reasonOf(error)));
  }

  /**
   * Analyses the loaded ads, a few at a time. When the budget shows that the order the loads finished in
   * may have decided something (a charge refused, or a failed ad's charges given back), the ads are
   * loaded again (from the playlist cache where they can), then analysed again, each step one ad after the
   * other in payload order, with a fresh budget: what fits is always what payload order decides, whatever
   * the network did.
   */
  private async analyzeAds(
    spec: StitchRequestSpec, adsLoading: Promise<Array<AdCandidates | AdAnalysis>>,
    content: ContentByKind, containers: ContentContainers, budget: ByteBudget,
  ): Promise<Map<string, AdAnalysis>> {
    const analyzeOne = async (ad: AdCandidates | AdAnalysis, adBudget: ByteBudget): Promise<AdAnalysis> =>
      'failed' in ad ? ad : this.analyzeAd(ad, content, containers, adBudget);
    const loaded = await adsLoading;
    const analysed = await mapBounded(loaded, stitcherHandlerLimits.adLoadConcurrency, (ad) => analyzeOne(ad, budget));
    if (!budget.orderMayHaveMattered) return new Map(analysed.map((ad) => [ad.adUri, ad]));
    const inPayloadOrder = this.adBudget();
    const candidates: Array<AdCandidates | AdAnalysis> = [];
    for (const adUri of distinctAdUris(spec)) candidates.push(await this.loadAd(adUri, inPayloadOrder));
    const ads = new Map<string, AdAnalysis>();
    for (const ad of candidates) ads.set(ad.adUri, await analyzeOne(ad, inPayloadOrder));
    return ads;
  }

  private async analyze(
    spec: StitchRequestSpec, master: MultivariantPlaylist, adsLoading: Promise<Array<AdCandidates | AdAnalysis>>, budget: ByteBudget,
  ): Promise<ContentAnalysis> {
    const renditions = contentRenditions(master);
    const variants = renditions.filter((r) => r.kind === 'variant');
    if (variants.length === 0) throw StitchError.badGateway(`content ${spec.contentUri} has no variant streams`);
    const audio = renditions.filter((r) => r.kind === 'audio');
    const subtitles = renditions.filter((r) => r.kind === 'subtitles');
    const iframes = renditions.filter((r) => r.kind === 'iframe');
    // Variants of one content share a container (HLS authoring practice): the first one speaks for all.
    const [variant, audioContainer, subtitlesContainer, iframe] = await Promise.all([
      this.containerAt(variants[0]),
      audio.length > 0 ? this.containerAt(audio[0]) : undefined,
      subtitles.length > 0 ? this.containerAt(subtitles[0]) : undefined,
      iframes.length > 0 ? this.containerAt(iframes[0]) : undefined,
    ]);
    const containers: ContentContainers = { variant, audio: audioContainer, subtitles: subtitlesContainer, iframe };
    const ads = await this.analyzeAds(spec, adsLoading, { variants, audio, subtitles, iframes }, containers, budget);
    const skippedBreaks = spec.breaks.filter((b) => ads.get(b.adUri)!.unusableBecause).map((b) => {
      const ad = ads.get(b.adUri)!;
      return { adUri: b.adUri, positionMs: b.positionMs, reason: ad.unusableBecause!, failed: ad.failed };
    });
    const usableBreaks = spec.breaks.filter((b) => !ads.get(b.adUri)!.unusableBecause);
    const offerIFrames = iframes.length > 0 && usableBreaks.every((b) => ads.get(b.adUri)!.offersIFrames);
    return { master, renditions, ads, skippedBreaks, usableBreaks, offerIFrames, containers };
  }

  /**
   * Matches the ad against every content rendition and loads every ad media playlist a rendition would
   * get; the ad is unusable when a rendition has no match, or when one of those playlists fails.
   */
  private async analyzeAd(ad: AdCandidates, content: ContentByKind, containers: ContentContainers, budget: ByteBudget): Promise<AdAnalysis> {
    const unfitVariant = content.variants.find((v) => !matchAdVariant(v.variant!, containers.variant, ad.variants));
    if (unfitVariant) {
      return unusableAd(ad.adUri, `no ${containers.variant} rendition with codecs compatible with content ${unfitVariant.id} (${unfitVariant.variant!.codecs ?? 'no CODECS'})`, false);
    }
    const unfitAudio = content.audio.find((a) => !matchAdRendition(a.rendition!, containers.audio!, ad.renditions));
    if (unfitAudio) return unusableAd(ad.adUri, `no ${containers.audio} audio rendition for content ${unfitAudio.id}`, false);
    const needed = new Set<string>([
      ...content.variants.map((v) => matchAdVariant(v.variant!, containers.variant, ad.variants)!.uri),
      ...content.audio.map((a) => matchAdRendition(a.rendition!, containers.audio!, ad.renditions)!.uri!),
      ...content.subtitles.map((s) => matchAdRendition(s.rendition!, containers.subtitles!, ad.renditions)?.uri ?? ad.variants[0].variant.uri),
    ]);
    const media = new Map<string, MediaPlaylist>();
    const load = (uris: Set<string>) => budget.allOrNothing([...uris].map((uri) => async () => {
      media.set(uri, await this.loadMedia(uri, `ad ${ad.adUri}`, budget));
    }));
    try {
      await load(needed);
    } catch (error) {
      return unusableAd(ad.adUri, reasonOf(error));
    }
    let offersIFrames = content.iframes.length === 0;
    if (!offersIFrames && content.iframes.every((i) => matchAdVariant(i.variant!, containers.iframe!, ad.iframes))) {
      // after the renditions the ad needs, so that whether it fits never depends on its I-frames
      offersIFrames = await load(new Set(content.iframes.map((i) => matchAdVariant(i.variant!, containers.iframe!, ad.iframes)!.uri)))
        .then(() => true, () => false); // without them the ad still plays; the I-frame renditions are not offered
    }
    return { ...ad, media, failed: false, offersIFrames };
  }

  /**
   * Every rendition of an ad with its segment container; a media-playlist ad is one variant of unknown
   * codecs. Like the content's, an ad's variants share a container, so one playlist of each kind tells it.
   */
  private async candidatesOf(adUri: string, budget: ByteBudget): Promise<AdCandidates> {
    const ad = await this.loader.load(adUri, budget);
    if (isMediaPlaylist(ad)) {
      this.checkedMedia(ad, adUri, 'ad');
      return { adUri, variants: [{ variant: new Variant({ uri: adUri, bandwidth: 0 }), container: containerOf(ad) }], iframes: [], renditions: [] };
    }
    // parsed, not sniffed (unlike the content's reference): ad playlists are small and usually the ones spliced next
    const sharedContainer = async (uris: string[]) => uris.length > 0 ? containerOf(await this.loadMedia(uris[0], `ad ${adUri}`, budget)) : undefined;
    const variants = ad.variants.filter((v) => !v.isIFrameOnly);
    if (variants.length === 0) throw StitchError.badGateway(`ad ${adUri} has no variant streams`);
    const iframes = ad.variants.filter((v) => v.isIFrameOnly);
    const renditions = [...new Map(ad.variants.flatMap((v) => [...v.audio, ...v.subtitles]).filter((r) => r.uri).map((r) => [r.uri!, r])).values()];
    const audio = renditions.filter((r) => r.type === 'AUDIO');
    const subtitles = renditions.filter((r) => r.type === 'SUBTITLES');
    const [variantContainer, audioContainer, subtitlesContainer] = await budget.allOrNothing([
      () => sharedContainer(variants.map((v) => v.uri)),
      () => sharedContainer(audio.map((r) => r.uri!)),
      () => sharedContainer(subtitles.map((r) => r.uri!)),
    ]);
    // after the others, so that whether the ad fits never depends on its I-frames; no I-frames is not a failure
    const iframeContainer = await budget.allOrNothing([() => sharedContainer(iframes.map((v) => v.uri))])
      .then(([container]) => container, () => undefined);
    return {
      adUri,
      variants: variants.map((variant) => ({ variant, container: variantContainer! })),
      iframes: iframeContainer ? iframes.map((variant) => ({ variant, container: iframeContainer })) : [],
      renditions: [
        ...audio.map((rendition) => ({ rendition, container: audioContainer! })),
        ...subtitles.map((rendition) => ({ rendition, container: subtitlesContainer! })),
      ],
    };
  }

  /** The ad's playlist for one content rendition, from those the analysis loaded: nothing can fail here but the content. */
  private clipFor(target: ContentRendition, container: SegmentContainer, analysis: ContentAnalysis, ad: AdAnalysis, routing: StitchRouting): AdClip {
    const expected = target.kind === 'variant' ? analysis.containers.variant : analysis.containers[target.kind];
    if (container !== expected) {
      throw StitchError.badGateway(`content rendition ${target.id} uses ${container} segments unlike the content's first ${target.kind} rendition`
        + ` (${expected}): all renditions of a kind must share one container`);
    }
    const clip = (uri: string | undefined) => ({ adUri: ad.adUri, playlist: ad.media.get(uri ?? '')! });
    if (target.kind === 'variant' || target.kind === 'iframe') {
      return clip(matchAdVariant(target.variant!, container, target.kind === 'iframe' ? ad.iframes : ad.variants)?.uri);
    }
    const match = matchAdRendition(target.rendition!, container, ad.renditions);
    if (match || target.kind === 'audio') return clip(match?.uri);
    // Subtitles: ads rarely carry any, so the ad's time is filled with empty WebVTT segments.
    return { adUri: ad.adUri, playlist: gapPlaylist(ad.media.get(ad.variants[0].variant.uri)!, routing.emptyWebVttUri) };
  }

  /** Loads and validates every content media playlist a multivariant playlist hands out, a few at a time. */
  private async validateRenditions(renditions: ContentRendition[]): Promise<void> {
    const firstOfKind = new Map<string, { id: string; container: SegmentContainer }>();
    await mapBounded(renditions, stitcherHandlerLimits.variantValidationConcurrency, async (rendition) => {
      const container = containerOf(await this.loadVod(rendition));
      const first = firstOfKind.get(rendition.kind) ?? { id: rendition.id, container };
      firstOfKind.set(rendition.kind, first);
      if (container !== first.container) {
        throw StitchError.badGateway(`content rendition ${rendition.id} (${rendition.uri}) uses ${container} segments unlike ${first.id} (${first.container}):`
          + ' all renditions of a kind must share one container');
      }
    });
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

  private async loadMultivariant(url: string): Promise<MultivariantPlaylist> {
    const playlist = await this.loader.load(url).catch((error: unknown) => {
      throw error instanceof StitchError ? StitchError.withContext(error, 'content') : error;
    });
    if (isMediaPlaylist(playlist)) throw StitchError.badGateway(`content ${url} is a media playlist; a multivariant playlist is required`);
    return playlist;
  }

  private async loadMedia(url: string, what: string, budget?: ByteBudget): Promise<MediaPlaylist> {
    const playlist = await this.loader.load(url, budget).catch((error: unknown) => {
      throw error instanceof StitchError ? StitchError.withContext(error, what) : error;
    });
    if (!isMediaPlaylist(playlist)) throw StitchError.badGateway(`${what}: ${url} is a multivariant playlist where a media playlist was expected`);
    return this.checkedMedia(playlist, url, what);
  }

  /** The playlist, once its segments are known to be stitchable (checked once per parsed playlist). */
  private checkedMedia(playlist: MediaPlaylist, url: string, what: string): MediaPlaylist {
    if (checkedPlaylists.has(playlist)) return playlist;
    const problem = stitchingProblem(playlist);
    if (problem) throw StitchError.badGateway(`${what}: playlist ${url}: ${problem}`);
    checkedPlaylists.add(playlist);
    return playlist;
  }
}

// Parsed playlists already found stitchable: the cache hands out the same objects on every request.
const checkedPlaylists = new WeakSet<MediaPlaylist>();

/** Why a parsed media playlist cannot be stitched (segment durations, URIs), or undefined. */
function stitchingProblem(playlist: MediaPlaylist): string | undefined {
  const segments = playlist.segments;
  for (let index = 0; index < segments.length; index++) {
    const { duration, uri } = segments[index];
    if (!uri) return `segment ${index} has no URI`;
    if (!(typeof duration === 'number' && duration >= 0 && duration <= stitcherHandlerLimits.maxSegmentDurationSeconds)) {
      return `segment ${index} has EXTINF ${duration}; RFC 8216 4.3.2.1 requires a non-negative decimal, and the stitcher at most ${stitcherHandlerLimits.maxSegmentDurationSeconds} s`;
    }
  }
  return undefined;
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

/** The payload's distinct ad URIs, in payload order. */
function distinctAdUris(spec: StitchRequestSpec): string[] {
  return [...new Set(spec.breaks.map((adBreak) => adBreak.adUri))];
}

function unusableAd(adUri: string, reason: string, failed = true): AdAnalysis {
  return { adUri, variants: [], iframes: [], renditions: [], media: new Map(), unusableBecause: reason, failed, offersIFrames: false };
}

function failedBreak(adBreak: AdBreakRequest, error: unknown): SkippedBreak {
  return { adUri: adBreak.adUri, positionMs: adBreak.positionMs, reason: reasonOf(error), failed: true };
}

/** The one-line reason of an ad failure; only failures the stitcher answers for (StitchError) are an ad's fault, the rest are bugs. */
function reasonOf(error: unknown): string {
  if (error instanceof StitchError) return error.message;
  throw error;
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
  assertResponseFits(serializedLengthAtLeast(playlist), 'the playlist');
  const body = serializePlaylist(playlist);
  assertResponseFits(body.length, 'the playlist');
  return { body, contentType: playlistContentType, skippedBreaks };
}

/** Refuses a response a Lambda function could not return anyway, before it is built where possible. */
function assertResponseFits(length: number, what: string): void {
  if (length > stitcherHandlerLimits.maxResponseBytes) {
    throw StitchError.badGateway(`${what} would be over ${length} bytes, more than the ${stitcherHandlerLimits.maxResponseBytes} bytes a Lambda function may answer`);
  }
}
