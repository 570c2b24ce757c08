import { absolutizePlaylist, HlsParseError, parsePlaylist, Playlist } from '../hls';
import { StitchError } from './errors';
import { assertAllowedUpstream, OriginPolicy } from './origin-allowlist';
import { PlaylistLoader } from './stitcher';
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

/** A parsed playlist in the cache, weighed by the size of its text. */
export interface CachedPlaylist {
  readonly playlist: Playlist;
  readonly bytes: number;
}

/** A cache sized for a Lambda function's memory: parsed playlists take several times their text size. */
export function playlistCache(maxTextBytes: number, ttlMs: number): LruCache<string, CachedPlaylist> {
  return new LruCache<string, CachedPlaylist>({ maxWeight: maxTextBytes, ttlMs, weightOf: (entry) => entry.bytes });
}

/**
 * Loads playlists over HTTP for the stitcher: only allow-listed http(s) hosts (redirect targets
 * included), bounded in time and size, parsed leniently (real-world playlists bend the RFC) with
 * every URI made absolute, cached across warm invocations, one fetch per URL in flight at a time.
 */
export class HttpPlaylistLoader implements PlaylistLoader {
  private readonly inFlight = new Map<string, Promise<Playlist>>();

  constructor(
    private readonly policy: OriginPolicy,
    private readonly limits: UpstreamLimits,
    private readonly cache: LruCache<string, CachedPlaylist>,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

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

  private async fetchPlaylist(url: string): Promise<Playlist> {
    const { text, finalUrl } = await this.fetchText(url);
    let playlist: Playlist;
    try {
      playlist = absolutizePlaylist(parsePlaylist(text, { strict: false }), finalUrl);
    } catch (error) {
      const reason = error instanceof HlsParseError ? error.message : `cannot resolve its URIs (${(error as Error).message})`;
      throw StitchError.badGateway(`upstream ${url} is not a usable playlist: ${reason}`);
    }
    this.cache.set(url, { playlist, bytes: text.length });
    return playlist;
  }

  private async fetchText(url: string): Promise<{ text: string; finalUrl: string }> {
    let current = parseUrl(url);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.limits.timeoutMs);
    try {
      for (let redirects = 0; ; redirects++) {
        assertAllowedUpstream(current, this.policy);
        const response = await this.fetchImpl(current, { redirect: 'manual', signal: controller.signal, headers: { accept: 'application/vnd.apple.mpegurl, */*' } });
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          if (redirects >= this.limits.maxRedirects) throw StitchError.badGateway(`upstream ${url} redirected more than ${this.limits.maxRedirects} times`);
          current = parseUrl(new URL(location, current).href);
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw StitchError.badGateway(`upstream ${current.href} answered ${response.status}`);
        }
        return { text: await this.readBounded(response, current.href), finalUrl: current.href };
      }
    } catch (error) {
      if (error instanceof StitchError) throw error;
      if (controller.signal.aborted) throw StitchError.gatewayTimeout(`upstream ${current.href} did not answer within ${this.limits.timeoutMs} ms`);
      throw StitchError.badGateway(`upstream ${current.href} is unreachable: ${causeOf(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async readBounded(response: Response, url: string): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > this.limits.maxBytes) {
      await response.body?.cancel();
      throw StitchError.badGateway(`upstream ${url} is ${declared} bytes, over the ${this.limits.maxBytes} byte limit`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > this.limits.maxBytes) throw StitchError.badGateway(`upstream ${url} is over the ${this.limits.maxBytes} byte limit`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw StitchError.badGateway(`upstream URL ${url} is not valid`);
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
