import {
  isMediaPlaylist, MediaPlaylist, MultivariantPlaylist, Playlist, playlistSafeUrl, Segment, serializedLengthAtLeast, serializePlaylist, Variant,
} from '../hls';
import { StitchError } from './errors';
import { announceInterstitials, InterstitialPod } from './interstitials';
import { rewriteMultivariant } from './multivariant';
import { assertAllowedUpstream, OriginPolicy } from './origin-allowlist';
import { AdBreakRequest, StitchRequestSpec } from './payload';
import {
  AdRenditionCandidate, AdVariantCandidate, ContentRendition, containerOf, contentRenditions, rankAdRenditions, rankAdVariants, RenditionKind,
  SegmentContainer,
} from './renditions';
import { AdClip, AdPod, spliceMediaPlaylist } from './splice';
import { stitcherHandlerLimits } from '../../src/pre-roll-stitcher/contract/defaults';
import { copyWith } from '../hls/copy';
import { mapBounded } from '../shared/bounded';

/** Loads playlists: fetching is the caller's business (allow-list, limits, cache); URIs come back absolute. */
export interface PlaylistLoader {
  /** The playlist at `url`; refused (a 502) when its text is longer than `maxBytes`, before it is parsed. */
  load(url: string, maxBytes?: number): Promise<Playlist>;
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
  /**
   * Bytes of upstream text all the ad playlists of one request may take together: each distinct ad gets an
   * equal share, half for its multivariant playlist and half split over the renditions the content could use.
   */
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

/** The ad playlist one content rendition gets. */
interface AdChoice {
  readonly uri: string;
  readonly playlist: MediaPlaylist;
  /** The ad variant it belongs to (variants and I-frames). */
  readonly variant?: Variant;
  /** Subtitles without an ad rendition: the ad's time is filled with empty WebVTT segments of this playlist's durations. */
  readonly gap?: boolean;
}

/** What the analysis found out about one ad of the payload. */
interface AdAnalysis {
  readonly adUri: string;
  /** The ad playlist each content rendition the request asked about gets, by content rendition id. */
  readonly choices: Map<string, AdChoice>;
  /** Why the ad cannot be spliced into this content; undefined when it can. */
  readonly unusableBecause?: string;
  /** True when the ad failed (load, allow-list, validation, size) rather than not fitting. */
  readonly failed: boolean;
  /** Whether every content I-frame rendition has a usable ad I-frame playlist (only known when I-frames were asked about). */
  readonly offersIFrames: boolean;
}

/** The segment containers of the content's renditions, by kind (one rendition of a kind speaks for all, see {@link Stitcher.analyze}). */
interface ContentContainers {
  readonly variant: SegmentContainer;
  readonly audio?: SegmentContainer;
  readonly subtitles?: SegmentContainer;
  readonly iframe?: SegmentContainer;
}

/** What every ad of one request is analysed against. */
interface AdScope {
  readonly renditions: ContentRendition[];
  /** Known once the first content rendition of each kind is loaded: ad playlists start loading before. */
  readonly containers: Promise<ContentContainers>;
  /** The content renditions whose ad playlists this response needs, in this order. */
  readonly resolve: ContentRendition[];
  /** Whether this response needs to know if I-frame renditions can be offered. */
  readonly withIFrames: boolean;
  /** Bytes of upstream text each ad may take (see {@link StitcherOptions.adBytesPerRequest}). */
  readonly adShare: number;
}

interface ContentAnalysis {
  readonly master: MultivariantPlaylist;
  readonly renditions: ContentRendition[];
  readonly ads: Map<string, AdAnalysis>;
  readonly skippedBreaks: SkippedBreak[];
  readonly usableBreaks: AdBreakRequest[];
  readonly offerIFrames: boolean;
}

/** Why one ad playlist cannot be used. */
interface AdPlaylistProblem {
  readonly reason: string;
  /** True when it failed (load, validation, size), false when it merely does not fit (another container). */
  readonly failed: boolean;
}

/**
 * Answers the stitcher's three requests for one payload: the rewritten multivariant playlist, one
 * stitched media playlist, one interstitial asset list. An ad never fails a request: a failed ad is
 * skipped like an incompatible one; only the content's failures are errors. Every rendition must get
 * the same pods, yet a media-playlist response loads only the ad playlists it needs, so whether an ad
 * is spliced is decided from what every response sees alike (see {@link Stitcher.analyzeAd}).
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
    const renditions = contentRenditions(master);
    // renditions first, ads after: what one request holds at once stays within three playlists (see stitcherMemoryBudget)
    await this.validateRenditions(renditions);
    const offered = renditions.filter((r) => r.kind === 'variant' || r.kind === 'iframe');
    const analysis = await this.analyze(spec, master, { resolve: offered, withIFrames: true });
    const peaks = new Map<string, number>();
    for (const rendition of offered.filter((r) => r.kind === 'variant' || analysis.offerIFrames)) {
      let peak = 0;
      for (const adBreak of analysis.usableBreaks) {
        peak = Math.max(peak, analysis.ads.get(adBreak.adUri)!.choices.get(rendition.id)?.variant?.bandwidth ?? 0);
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
    const contentMaster = this.loadMultivariant(spec.contentUri); // asked for first: the content's playlists are the longest chain
    const adMasters = this.loadAdMasters(spec); // ads load while the content does
    const master = await contentMaster;
    const target = findRendition(contentRenditions(master), renditionId);
    const [content, analysis] = await Promise.all([
      this.loadVod(target),
      this.analyze(spec, master, { resolve: [target], withIFrames: target.kind === 'iframe' }, adMasters),
    ]);
    if (target.kind === 'iframe' && !analysis.offerIFrames) {
      throw StitchError.notFound(`rendition ${target.id} is not offered: an ad of this payload has no compatible I-frame rendition`);
    }
    const pods: AdPod[] = groupPods(analysis.usableBreaks).map((pod) => ({
      positionMs: pod[0].positionMs,
      ads: pod.map((adBreak) => this.clipFor(target, analysis.ads.get(adBreak.adUri)!, routing)),
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
    const share = this.adShare(distinctAdUris({ ...spec, breaks: pod }).length);
    const skippedBreaks: SkippedBreak[] = [];
    const assets: Array<{ URI: string; DURATION: number }> = [];
    for (const adBreak of pod) {
      const uri = this.writableAdUri(adBreak, skippedBreaks);
      if (uri === undefined) continue;
      try {
        const ad = await this.loader.load(adBreak.adUri, share / 2);
        const media = isMediaPlaylist(ad) ? this.checkedMedia(ad, adBreak.adUri, 'ad') : await this.loadMedia(firstVariant(ad, adBreak.adUri).uri, 'ad', share / 2);
        assets.push({ URI: uri, DURATION: Math.round(totalDuration(media.segments) * 1000) / 1000 });
      } catch (error) {
        skippedBreaks.push(failedBreak(adBreak, error));
      }
    }
    return { body: JSON.stringify({ ASSETS: assets }), contentType: 'application/json', skippedBreaks };
  }

  /** Bytes of upstream text each of `distinctAds` ads may take: an equal share, so what fits never depends on load order. */
  private adShare(distinctAds: number): number {
    return Math.floor(this.options.adBytesPerRequest / Math.max(1, distinctAds));
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

  /** Starts loading the multivariant playlist of every distinct ad of the payload, up to `adLoadConcurrency` at once; a failure is that ad's reason. */
  private loadAdMasters(spec: StitchRequestSpec): Map<string, Promise<Playlist | AdPlaylistProblem>> {
    const adUris = distinctAdUris(spec);
    const share = this.adShare(adUris.length);
    const loads = new Map<string, Promise<Playlist | AdPlaylistProblem>>();
    const lanes: Array<Promise<unknown>> = new Array(stitcherHandlerLimits.adLoadConcurrency).fill(Promise.resolve());
    adUris.forEach((adUri, index) => {
      const lane = index % lanes.length;
      const load = lanes[lane].then(() => this.loader.load(adUri, share / 2))
        .catch((error: unknown): AdPlaylistProblem => ({ reason: reasonOf(error), failed: true }));
      lanes[lane] = load;
      loads.set(adUri, load);
    });
    return loads;
  }

  private async analyze(
    spec: StitchRequestSpec, master: MultivariantPlaylist, request: Pick<AdScope, 'resolve' | 'withIFrames'>,
    adMasters = this.loadAdMasters(spec),
  ): Promise<ContentAnalysis> {
    const renditions = contentRenditions(master);
    const variants = renditions.filter((r) => r.kind === 'variant');
    if (variants.length === 0) throw StitchError.badGateway(`content ${spec.contentUri} has no variant streams`);
    // Renditions of one kind share a container (HLS authoring practice, checked on the multivariant route): one speaks
    // for all, the one this response splices when it is of that kind (it is loaded anyway), else the first.
    const firstOf = (kind: RenditionKind) => request.resolve.find((r) => r.kind === kind) ?? renditions.find((r) => r.kind === kind);
    const containers = Promise.all([
      this.containerAt(firstOf('variant')!),
      this.containerOfFirst(firstOf('audio')),
      this.containerOfFirst(firstOf('subtitles')),
      request.withIFrames ? this.containerOfFirst(firstOf('iframe')) : undefined,
    ]).then(([variant, audio, subtitles, iframe]): ContentContainers => ({ variant, audio, subtitles, iframe }));
    const scope: AdScope = { ...request, renditions, containers, adShare: this.adShare(adMasters.size) };
    const adUris = [...adMasters.keys()];
    // a content failure fails the request even when no ad waits for the containers
    const [, analysed] = await Promise.all([containers, mapBounded(adUris, stitcherHandlerLimits.adLoadConcurrency,
      async (adUri) => this.analyzeAd(adUri, await adMasters.get(adUri)!, scope))]);
    const ads = new Map(analysed.map((ad) => [ad.adUri, ad]));
    const skippedBreaks = spec.breaks.filter((b) => ads.get(b.adUri)!.unusableBecause).map((b) => {
      const ad = ads.get(b.adUri)!;
      return { adUri: b.adUri, positionMs: b.positionMs, reason: ad.unusableBecause!, failed: ad.failed };
    });
    const usableBreaks = spec.breaks.filter((b) => !ads.get(b.adUri)!.unusableBecause);
    const offerIFrames = request.withIFrames && firstOf('iframe') !== undefined && usableBreaks.every((b) => ads.get(b.adUri)!.offersIFrames);
    return { master, renditions, ads, skippedBreaks, usableBreaks, offerIFrames };
  }

  /**
   * Decides whether an ad is spliced, and picks the ad playlist of each content rendition the response
   * needs, loading no more of the ad than that. The content renditions of a kind that accept the same ad
   * renditions form a group: the ad playlists matched to its members. The ad is spliced when every content
   * variant and audio rendition has a compatible ad rendition (known from the multivariant playlists) and
   * every group has one playlist that loads, is valid, fits the ad's share and uses the content's container.
   * Neither depends on which rendition is asked for, so every rendition splices the same ads. A rendition
   * gets its best match, or when that one failed, the nearest of its group that works.
   */
  private async analyzeAd(adUri: string, loaded: Playlist | AdPlaylistProblem, scope: AdScope): Promise<AdAnalysis> {
    if ('reason' in loaded) return unusableAd(adUri, loaded.reason, loaded.failed);
    let offer: AdOffer;
    try {
      offer = adOffer(adUri, loaded, (ad) => this.checkedMedia(ad, adUri, 'ad'));
    } catch (error) {
      return unusableAd(adUri, reasonOf(error));
    }
    // A multivariant ad's renditions are ranked without containers (theirs are not known before they load), so its
    // playlists can start loading while the content's are; a media-playlist ad is loaded already, its container known.
    const rankingContainers = offer.media ? await scope.containers : undefined;
    // every rendition, I-frames included whether asked about or not: what may load, and each playlist's share, is the same for all
    const ranked = new Map(scope.renditions.map((rendition) => [rendition.id, rankedAdUris(rendition, rankingContainers, offer)]));
    const ofKind = (kind: RenditionKind) => scope.renditions.filter((r) => r.kind === kind);
    const unfitVariant = ofKind('variant').find((v) => ranked.get(v.id)!.length === 0);
    if (unfitVariant) return unusableAd(adUri, unfitReason(unfitVariant, await scope.containers), false);
    const unfitAudio = ofKind('audio').find((a) => ranked.get(a.id)!.length === 0);
    if (unfitAudio) return unusableAd(adUri, unfitReason(unfitAudio, await scope.containers), false);
    const iframesFit = ofKind('iframe').every((i) => ranked.get(i.id)!.length > 0);

    // The ad playlists some rendition is matched to: at most these load, each within an equal part of half the ad's share.
    const matched = (kinds: RenditionKind[]) => new Set(scope.renditions
      .filter((r) => kinds.includes(r.kind) && ranked.get(r.id)!.length > 0)
      .map((r) => ranked.get(r.id)![0]));
    const needed = matched(['variant', 'audio', 'subtitles']);
    const neededIFrames = iframesFit ? matched(['iframe']) : new Set<string>();
    const playlistShare = Math.floor(scope.adShare / 2 / Math.max(1, needed.size + neededIFrames.size));
    const loads = new Map<string, Promise<MediaPlaylist | AdPlaylistProblem>>();
    const load = (uri: string) => {
      let pending = loads.get(uri);
      if (!pending) {
        pending = this.adPlaylist(adUri, uri, offer, playlistShare);
        loads.set(uri, pending);
      }
      return pending;
    };
    /** A rendition's group: the ad playlists matched to some rendition of its kind that it accepts too, in its order of preference. */
    const groupOf = (rendition: ContentRendition) => ranked.get(rendition.id)!.filter((uri) => (rendition.kind === 'iframe' ? neededIFrames : needed).has(uri));
    /** The content rendition whose ad playlist a rendition of this response splices (subtitles the ad has none of: the first variant's). */
    const variants = ofKind('variant');
    const spliced = (rendition: ContentRendition) => (rendition.kind === 'subtitles' && ranked.get(rendition.id)!.length === 0 ? variants[0] : rendition);
    // the first choice of each rendition this response splices loads now, while the content's containers are found out
    for (const rendition of scope.resolve.filter((r) => r.kind !== 'iframe')) {
      const first = groupOf(spliced(rendition))[0];
      if (first !== undefined) load(first).catch(() => undefined); // awaited below, unless the content fails first
    }
    const containers = await scope.containers;
    const attempt = async (uri: string, kind: RenditionKind): Promise<MediaPlaylist | AdPlaylistProblem> => {
      const outcome = await load(uri);
      if ('reason' in outcome) return outcome;
      const offered = containerOf(outcome);
      return offered === containerOfKind(containers, kind) ? outcome : { reason: `${uri} uses ${offered} segments`, failed: false };
    };
    const worked = new Set<string>();
    /** The first playlist of a rendition's group that can be used, or every problem met. */
    const choose = async (rendition: ContentRendition): Promise<AdChoice | AdPlaylistProblem[]> => {
      const problems: AdPlaylistProblem[] = [];
      for (const uri of groupOf(rendition)) {
        const outcome = await attempt(uri, rendition.kind);
        if (!('reason' in outcome)) {
          worked.add(`${rendition.kind} ${uri}`);
          return { uri, playlist: outcome, variant: offer.variantsByUri.get(uri) };
        }
        problems.push(outcome);
      }
      return problems;
    };
    const usable = (outcome: AdChoice | AdPlaylistProblem[]): outcome is AdChoice => !Array.isArray(outcome);

    // first the playlists this response splices, in each rendition's order of preference
    const choices = new Map<string, AdChoice>();
    for (const rendition of scope.resolve.filter((r) => r.kind !== 'iframe')) {
      // subtitles the ad has none of are filled with empty segments timed like the ad's playlist for the first content variant
      const source = spliced(rendition);
      const outcome = await choose(source);
      if (!usable(outcome)) return groupUnusable(adUri, source, outcome, containers);
      choices.set(rendition.id, { ...outcome, gap: source !== rendition });
    }
    // then the decision every response makes alike: each group has a playlist that works (one already found settles it)
    for (const rendition of [...variants, ...ofKind('audio'), ...ofKind('subtitles').filter((s) => ranked.get(s.id)!.length > 0)]) {
      if (groupOf(rendition).some((uri) => worked.has(`${rendition.kind} ${uri}`))) continue;
      const outcome = await choose(rendition);
      if (!usable(outcome)) return groupUnusable(adUri, rendition, outcome, containers);
    }
    // after the renditions the ad needs, so that whether it is spliced never depends on its I-frames
    let offersIFrames = iframesFit && scope.withIFrames;
    for (const rendition of scope.withIFrames ? ofKind('iframe') : []) {
      if (!offersIFrames) break;
      const outcome = await choose(rendition);
      if (usable(outcome)) choices.set(rendition.id, outcome);
      else offersIFrames = false; // without them the ad still plays; the I-frame renditions are not offered
    }
    return { adUri, choices, failed: false, offersIFrames };
  }

  /** One ad media playlist, loaded within `maxBytes`, or why it failed. */
  private async adPlaylist(adUri: string, uri: string, offer: AdOffer, maxBytes: number): Promise<MediaPlaylist | AdPlaylistProblem> {
    try {
      return offer.media ?? await this.loadMedia(uri, `ad ${adUri}`, maxBytes);
    } catch (error) {
      return { reason: reasonOf(error), failed: true };
    }
  }

  /** The ad's playlist for one content rendition, as the analysis chose it. */
  private clipFor(target: ContentRendition, ad: AdAnalysis, routing: StitchRouting): AdClip {
    const choice = ad.choices.get(target.id)!;
    return { adUri: ad.adUri, playlist: choice.gap ? gapPlaylist(choice.playlist, routing.emptyWebVttUri) : choice.playlist };
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

  private async containerOfFirst(rendition: ContentRendition | undefined): Promise<SegmentContainer | undefined> {
    return rendition ? this.containerAt(rendition) : undefined;
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

  private async loadMedia(url: string, what: string, maxBytes?: number): Promise<MediaPlaylist> {
    const playlist = await this.loader.load(url, maxBytes).catch((error: unknown) => {
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
  return { adUri, choices: new Map(), unusableBecause: reason, failed, offersIFrames: false };
}

/** What an ad offers: its renditions, known from its multivariant playlist alone. */
interface AdOffer {
  readonly variants: AdVariantCandidate[];
  readonly iframes: AdVariantCandidate[];
  readonly renditions: AdRenditionCandidate[];
  readonly variantsByUri: Map<string, Variant>;
  /** A media-playlist ad: its one playlist, already loaded. */
  readonly media?: MediaPlaylist;
}

/** The renditions of an ad; a media-playlist ad is one variant of unknown codecs, whose container is known. */
function adOffer(adUri: string, ad: Playlist, checked: (media: MediaPlaylist) => MediaPlaylist): AdOffer {
  if (isMediaPlaylist(ad)) {
    const variant = new Variant({ uri: adUri, bandwidth: 0 });
    const container = containerOf(checked(ad));
    return { variants: [{ variant, container }], iframes: [], renditions: [], variantsByUri: new Map([[adUri, variant]]), media: ad };
  }
  const variants = ad.variants.filter((v) => !v.isIFrameOnly);
  if (variants.length === 0) throw StitchError.badGateway(`ad ${adUri} has no variant streams`);
  const renditions = [...new Map(ad.variants.flatMap((v) => [...v.audio, ...v.subtitles]).filter((r) => r.uri).map((r) => [r.uri!, r])).values()];
  return {
    variants: variants.map((variant) => ({ variant })),
    iframes: ad.variants.filter((v) => v.isIFrameOnly).map((variant) => ({ variant })),
    renditions: renditions.map((rendition) => ({ rendition })),
    variantsByUri: new Map(ad.variants.map((variant) => [variant.uri, variant])),
  };
}

/** The URIs of the ad playlists that fit a content rendition, best first. */
function rankedAdUris(rendition: ContentRendition, containers: ContentContainers | undefined, offer: AdOffer): string[] {
  // I-frames: known only when asked about; no containers: not held against any candidate
  const container = containers && (rendition.kind === 'variant' ? containers.variant : containers[rendition.kind]);
  if (rendition.kind === 'variant' || rendition.kind === 'iframe') {
    return rankAdVariants(rendition.variant!, container, rendition.kind === 'iframe' ? offer.iframes : offer.variants).map((variant) => variant.uri);
  }
  return rankAdRenditions(rendition.rendition!, container, offer.renditions).map((match) => match.uri!);
}

function containerOfKind(containers: ContentContainers, kind: RenditionKind): SegmentContainer {
  return kind === 'variant' ? containers.variant : containers[kind]!;
}

function unfitReason(rendition: ContentRendition, containers: ContentContainers): string {
  const container = containerOfKind(containers, rendition.kind);
  return rendition.kind === 'variant'
    ? `no ${container} rendition with codecs compatible with content ${rendition.id} (${rendition.variant!.codecs ?? 'no CODECS'})`
    : `no ${container} ${rendition.kind} rendition for content ${rendition.id}`;
}

/** An ad none of whose playlists in a rendition's group can be used: failed with the first failure met, else a misfit. */
function groupUnusable(adUri: string, rendition: ContentRendition, problems: AdPlaylistProblem[], containers: ContentContainers): AdAnalysis {
  const failure = problems.find((problem) => problem.failed);
  return failure ? unusableAd(adUri, failure.reason) : unusableAd(adUri, `${unfitReason(rendition, containers)}: ad ${adUri}: ${problems[0].reason}`, false);
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
