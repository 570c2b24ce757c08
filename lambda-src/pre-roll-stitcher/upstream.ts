import { LRUCache } from 'lru-cache';
import { absolutizePlaylist, HlsParseError, isMediaPlaylist, parsePlaylist, Playlist } from '../hls';
import { StitchError } from './errors';
import { assertAllowedUpstream, OriginPolicy } from './origin-allowlist';
import { containerOf, containerOfText, SegmentContainer } from './renditions';
import { PlaylistLoader } from './stitcher';
import { parsedBytesPerTextByte, stitcherHandlerLimits } from '../../src/pre-roll-stitcher/contract/defaults';
import { httpGet, HttpGetError, HttpGetResponse } from '../shared/http-get';

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

/** Parsed playlists kept across warm invocations, by URL. */
export interface PlaylistCache {
  get(url: string): CachedPlaylist | undefined;
  set(url: string, entry: CachedPlaylist): void;
}

/**
 * A least-recently-used cache bounded by the memory its parsed playlists take (estimated from their
 * text), entries expiring after `ttlMs`; a budget or TTL of 0 turns it off.
 */
export function playlistCache(maxMemoryBytes: number, ttlMs: number): PlaylistCache {
  if (maxMemoryBytes <= 0 || ttlMs <= 0) return { get: () => undefined, set: () => undefined };
  return new LRUCache<string, CachedPlaylist>({
    maxSize: maxMemoryBytes,
    sizeCalculation: (entry) => Math.max(1, entry.bytes * parsedBytesPerTextByte),
    ttl: ttlMs,
  });
}

/**
 * Loads playlists over HTTP for the stitcher: only allow-listed http(s) hosts (redirect targets
 * included), bounded in size and, per request, in time; parsed leniently (real-world playlists bend
 * the RFC) with every URI made absolute, cached across warm invocations, one fetch per URL in flight.
 */
export class HttpPlaylistLoader {
  private readonly inFlight = new Map<string, Promise<CachedPlaylist>>();
  private readonly containers: LRUCache<string, SegmentContainer>;

  constructor(
    private readonly policy: OriginPolicy,
    private readonly limits: UpstreamLimits,
    private readonly cache: PlaylistCache,
    private readonly get: typeof httpGet = httpGet,
    private readonly now: () => number = Date.now,
  ) {
    this.containers = new LRUCache({ max: 4096 });
  }

  /**
   * A loader for one request: every fetch and redirect hop must finish by `deadline` (epoch
   * milliseconds), or the request gets a 504 naming the upstream it was waiting for.
   */
  public forRequest(deadline: number): PlaylistLoader {
    return {
      load: async (url, maxBytes) => {
        const cached = this.cache.get(url);
        if (cached) assertWithin(url, cached.bytes, maxBytes);
        return (cached ?? await this.fetchPlaylist(url, deadline, maxBytes)).playlist;
      },
      containerOf: (url) => this.containerOf(url, deadline),
    };
  }

  private fetchPlaylist(url: string, deadline: number, maxBytes: number | undefined): Promise<CachedPlaylist> {
    // keyed by the limit too: a load allowed less must never fail one allowed more (an ad playlist that is also content)
    const key = `${maxBytes ?? ''} ${url}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchAndParse(url, deadline, maxBytes).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async fetchAndParse(url: string, deadline: number, maxBytes: number | undefined): Promise<CachedPlaylist> {
    const { text, finalUrl } = await this.fetchText(url, deadline);
    assertWithin(url, text.length, maxBytes); // before parsing: the parsed form is what takes the memory
    let playlist: Playlist;
    try {
      const parsed = parsePlaylist(text, { strict: false, maxSegmentDurationSeconds: stitcherHandlerLimits.maxSegmentDurationSeconds });
      playlist = absolutizePlaylist(parsed, finalUrl, { inPlace: true }); // just parsed: nobody else holds it
    } catch (error) {
      const reason = error instanceof HlsParseError ? error.message : `cannot resolve its URIs (${(error as Error).message})`;
      throw StitchError.badGateway(`upstream ${url} is not a usable playlist: ${reason}`);
    }
    const entry = { playlist, bytes: text.length };
    this.cache.set(url, entry);
    return entry;
  }

  /** The container of the media playlist at `url`, from its text when it is not parsed already. */
  private async containerOf(url: string, deadline: number): Promise<SegmentContainer> {
    const parsed = this.cache.get(url)?.playlist ?? (await this.inFlight.get(` ${url}`))?.playlist;
    if (parsed) return isMediaPlaylist(parsed) ? containerOf(parsed) : 'ts';
    let container = this.containers.get(url);
    if (!container) {
      container = containerOfText((await this.fetchText(url, deadline)).text);
      this.containers.set(url, container);
    }
    return container;
  }

  private async fetchText(url: string, deadline: number): Promise<{ text: string; finalUrl: string }> {
    let current = parseUrl(url);
    for (let redirects = 0; ; redirects++) {
      assertAllowedUpstream(current, this.policy);
      const remainingMs = deadline - this.now();
      if (remainingMs <= 0) throw deadlineExceeded(current);
      const timeoutMs = Math.min(this.limits.timeoutMs, remainingMs);
      let response: HttpGetResponse;
      try {
        response = await this.get(current, { timeoutMs, maxBytes: this.limits.maxBytes, headers: { accept: 'application/vnd.apple.mpegurl, */*' } });
      } catch (error) {
        if (!(error instanceof HttpGetError)) throw error;
        if (error.reason === 'timeout' && timeoutMs < this.limits.timeoutMs) throw deadlineExceeded(current);
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

/** Refuses a playlist longer than what its load allows (an ad's share of the request's ad bytes). */
function assertWithin(url: string, bytes: number, maxBytes: number | undefined): void {
  if (maxBytes !== undefined && bytes > maxBytes) {
    throw StitchError.badGateway(`upstream ${url} is ${bytes} bytes, over the ${Math.floor(maxBytes)} bytes this request allows it`);
  }
}

function deadlineExceeded(url: URL): StitchError {
  return StitchError.gatewayTimeout(`the request ran out of time waiting for upstream ${url.href}: the stitcher answers before the function times out`);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw StitchError.badGateway(`upstream URL ${url} is not valid`);
  }
}
