import { absolutizePlaylist, HlsParseError, isMediaPlaylist, parsePlaylist, Playlist } from '../hls';
import { StitchError } from './errors';
import { assertAllowedUpstream, OriginPolicy } from './origin-allowlist';
import { containerOf, containerOfText, SegmentContainer } from './renditions';
import { PlaylistLoader } from './stitcher';
import { httpGet, HttpGetError, HttpGetResponse } from '../shared/http-get';
import { LruCache } from '../shared/lru-cache';

/** Bounds on upstream fetches. */
export interface UpstreamLimits {
  /** Longest wait for one upstream response, in milliseconds. */
  readonly timeoutMs: number;
  /** Largest playlist accepted, in bytes. */
  readonly maxBytes: number;
  /** Redirects followed per fetch; each target is checked against the allow-list. */
  readonly maxRedirects: number;
}

/** A parsed playlist in the cache, with the size of its text. */
export interface CachedPlaylist {
  readonly playlist: Playlist;
  readonly bytes: number;
}

/** Memory a parsed playlist takes per byte of its text (measured: ~8x for a 3,600-segment VOD playlist). */
export const parsedBytesPerTextByte = 10;

/** A cache bounded by the memory its parsed playlists take (estimated from their text). */
export function playlistCache(maxMemoryBytes: number, ttlMs: number): LruCache<string, CachedPlaylist> {
  return new LruCache<string, CachedPlaylist>({ maxWeight: maxMemoryBytes, ttlMs, weightOf: (entry) => entry.bytes * parsedBytesPerTextByte });
}

/**
 * Loads playlists over HTTP for the stitcher: only allow-listed http(s) hosts (redirect targets
 * included), bounded in time and size, parsed leniently (real-world playlists bend the RFC) with
 * every URI made absolute, cached across warm invocations, one fetch per URL in flight at a time.
 */
export class HttpPlaylistLoader implements PlaylistLoader {
  private readonly inFlight = new Map<string, Promise<Playlist>>();
  private readonly containers: LruCache<string, SegmentContainer>;

  constructor(
    private readonly policy: OriginPolicy,
    private readonly limits: UpstreamLimits,
    private readonly cache: LruCache<string, CachedPlaylist>,
    private readonly get: typeof httpGet = httpGet,
  ) {
    this.containers = new LruCache({ maxWeight: 4096, ttlMs: cache.ttlMs });
  }

  /** The playlist at `url`, from the cache when fresh. */
  public load(url: string): Promise<Playlist> {
    const cached = this.cache.get(url);
    if (cached) return Promise.resolve(cached.playlist);
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.fetchPlaylist(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    return pending;
  }

  /** The container of the media playlist at `url`, from its text when it is not parsed already. */
  public async containerOf(url: string): Promise<SegmentContainer> {
    const parsed = this.cache.get(url)?.playlist ?? await this.inFlight.get(url);
    if (parsed) return isMediaPlaylist(parsed) ? containerOf(parsed) : 'ts';
    let container = this.containers.get(url);
    if (!container) {
      container = containerOfText((await this.fetchText(url)).text);
      this.containers.set(url, container);
    }
    return container;
  }

  private async fetchPlaylist(url: string): Promise<Playlist> {
    const { text, finalUrl } = await this.fetchText(url);
    let playlist: Playlist;
    try {
      playlist = absolutizePlaylist(parsePlaylist(text, { strict: false }), finalUrl, { inPlace: true }); // just parsed: nobody else holds it
    } catch (error) {
      const reason = error instanceof HlsParseError ? error.message : `cannot resolve its URIs (${(error as Error).message})`;
      throw StitchError.badGateway(`upstream ${url} is not a usable playlist: ${reason}`);
    }
    this.cache.set(url, { playlist, bytes: text.length });
    return playlist;
  }

  private async fetchText(url: string): Promise<{ text: string; finalUrl: string }> {
    let current = parseUrl(url);
    for (let redirects = 0; ; redirects++) {
      assertAllowedUpstream(current, this.policy);
      let response: HttpGetResponse;
      try {
        response = await this.get(current, { timeoutMs: this.limits.timeoutMs, maxBytes: this.limits.maxBytes, headers: { accept: 'application/vnd.apple.mpegurl, */*' } });
      } catch (error) {
        if (!(error instanceof HttpGetError)) throw error;
        if (error.reason === 'timeout') throw StitchError.gatewayTimeout(`upstream ${current.href} did not answer within ${this.limits.timeoutMs} ms`);
        if (error.reason === 'too-large') throw StitchError.badGateway(`upstream ${current.href} is ${error.message}, over the ${this.limits.maxBytes} byte limit`);
        throw StitchError.badGateway(`upstream ${current.href} is unreachable: ${error.message}`);
      }
      const location = response.headers.location;
      if (response.status >= 300 && response.status < 400 && location) {
        if (redirects >= this.limits.maxRedirects) throw StitchError.badGateway(`upstream ${url} redirected more than ${this.limits.maxRedirects} times`);
        current = parseUrl(new URL(location, current).href);
        continue;
      }
      if (response.status < 200 || response.status >= 300) throw StitchError.badGateway(`upstream ${current.href} answered ${response.status}`);
      return { text: response.body, finalUrl: current.href };
    }
  }
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw StitchError.badGateway(`upstream URL ${url} is not valid`);
  }
}
