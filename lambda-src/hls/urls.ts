import { copyWith } from './copy';
import {
  isMediaPlaylist,
  Key,
  MediaInitializationSection,
  MediaPlaylist,
  MultivariantPlaylist,
  PartialSegment,
  Playlist,
  PrefetchSegment,
  Rendition,
  Segment,
  Variant,
} from './playlist';

const HTTP_SCHEMES = new Set(['http:', 'https:']);
const ABSOLUTE_HTTP_URI = /^https?:\/\//i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Resolves a playlist URI against the playlist's own URL (RFC 3986); only http(s) results are allowed. */
export function resolveUri(uri: string, baseUrl: string): string {
  return new BaseUrl(baseUrl).resolve(uri);
}

/**
 * Relative references that resolve by appending them to the base URL's folder: path segments of
 * unreserved characters that do not start with a dot (so no `.`/`..`), and an optional query of
 * characters WHATWG URL leaves as they are. Anything else goes through the full URL parser.
 */
const PLAIN_RELATIVE = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*(\?[A-Za-z0-9._~=&-]*)?$/;

/** A base URL parsed once and reused for every URI of a playlist (thousands of segments). */
class BaseUrl {
  private readonly parsed: URL;
  private readonly folder: string;

  constructor(baseUrl: string) {
    this.parsed = httpUrl(baseUrl, 'base URL');
    const withoutQuery = this.parsed.href.slice(0, this.parsed.href.length - this.parsed.search.length - this.parsed.hash.length);
    this.folder = withoutQuery.slice(0, withoutQuery.lastIndexOf('/') + 1);
  }

  resolve(uri: string): string {
    // the fast path appends characters WHATWG URL leaves as they are to an already serialized folder
    return PLAIN_RELATIVE.test(uri) ? this.folder + uri : httpUrl(uri, 'URI', this.parsed).href;
  }
}

/**
 * Returns a copy of the playlist in which every URI is absolute, resolved against `baseUrl` (the playlist's own URL).
 * Key URIs of METHOD=NONE and of non-http schemes (skd://, data:) stay as written, as do
 * EXT-X-RENDITION-REPORT URIs, which RFC 8216bis requires to be relative. The input is not modified.
 */
export function absolutizePlaylist<T extends Playlist>(p: T, baseUrl: string, options?: AbsolutizeOptions): T;
export function absolutizePlaylist(p: Playlist, baseUrl: string, options: AbsolutizeOptions = {}): Playlist {
  const resolver = new UriResolver(baseUrl, options.inPlace ? Object.assign : copyWith);
  return isMediaPlaylist(p) ? resolver.mediaPlaylist(p) : resolver.multivariantPlaylist(p);
}

/** Options of {@link absolutizePlaylist}. */
export interface AbsolutizeOptions {
  /**
   * Rewrite the playlist's own objects instead of copying them: for a playlist nobody else holds yet
   * (just parsed), where copying thousands of segments would only make garbage.
   */
  readonly inPlace?: boolean;
}

type Update = <T extends object>(target: T, changes: Partial<T>) => T;

/** Resolves the URIs of one playlist; shared objects (a key used by many segments) are updated once. */
class UriResolver {
  private readonly copies = new Map<object, object>();
  private readonly base: BaseUrl;

  constructor(baseUrl: string, private readonly update: Update) {
    this.base = new BaseUrl(baseUrl);
  }

  mediaPlaylist(p: MediaPlaylist): MediaPlaylist {
    return this.update(p, {
      segments: p.segments.map((segment) => this.segment(segment)),
      prefetchSegments: p.prefetchSegments.map((prefetch) => this.prefetchSegment(prefetch)),
    });
  }

  multivariantPlaylist(p: MultivariantPlaylist): MultivariantPlaylist {
    return this.update(p, {
      variants: p.variants.map((variant) => this.variant(variant)),
      sessionKeyList: p.sessionKeyList.map((key) => this.key(key)),
      sessionDataList: p.sessionDataList.map((data) => this.update(data, { uri: this.optionalUri(data.uri) })),
      ...(p.contentSteering && {
        contentSteering: this.update(p.contentSteering, { serverUri: this.resolve(p.contentSteering.serverUri) }),
      }),
    });
  }

  private segment(segment: Segment): Segment {
    return this.update(segment, {
      uri: this.optionalUri(segment.uri),
      key: segment.key && this.key(segment.key),
      map: segment.map && this.map(segment.map),
      parts: segment.parts.length === 0 ? segment.parts : segment.parts.map((part) => this.part(part)),
    });
  }

  private prefetchSegment(prefetch: PrefetchSegment): PrefetchSegment {
    return this.update(prefetch, { uri: this.resolve(prefetch.uri), key: prefetch.key && this.key(prefetch.key) });
  }

  private part(part: PartialSegment): PartialSegment {
    return this.update(part, { uri: this.resolve(part.uri) });
  }

  private map(map: MediaInitializationSection): MediaInitializationSection {
    return this.once(map, () => this.update(map, { uri: this.resolve(map.uri) }));
  }

  private key(key: Key): Key {
    // Key servers may use non-http schemes (FairPlay skd://) that only the player understands.
    if (key.method === 'NONE' || !key.uri || (ANY_SCHEME.test(key.uri) && !ABSOLUTE_HTTP_URI.test(key.uri))) {
      return key;
    }
    return this.once(key, () => this.update(key, { uri: this.resolve(key.uri!) }));
  }

  private variant(variant: Variant): Variant {
    return this.update(variant, {
      uri: this.resolve(variant.uri),
      audio: variant.audio.map((rendition) => this.rendition(rendition)),
      video: variant.video.map((rendition) => this.rendition(rendition)),
      subtitles: variant.subtitles.map((rendition) => this.rendition(rendition)),
      closedCaptions: variant.closedCaptions.map((rendition) => this.rendition(rendition)),
    });
  }

  private rendition<R extends Rendition>(rendition: R): R {
    return this.once(rendition, () => this.update(rendition, { uri: this.optionalUri(rendition.uri) } as Partial<R>));
  }

  private once<T extends object>(original: T, copy: () => T): T {
    const known = this.copies.get(original);
    if (known) {
      return known as T;
    }
    const made = copy();
    this.copies.set(original, made);
    return made;
  }

  // An empty or missing URI stays as is so that validation can still report it.
  private optionalUri<U extends string | undefined>(uri: U): U {
    return (uri ? this.resolve(uri) : uri) as U;
  }

  private resolve(uri: string): string {
    return this.base.resolve(uri);
  }
}

/**
 * The normalized, serialized form (WHATWG `URL.href`) of an absolute http(s) URL, safe to write into
 * an RFC 8216 quoted-string or a URI line: throws when it is not a URL, not http(s), or its
 * serialization still holds a double quote (a host may) or a line break.
 */
export function playlistSafeUrl(uri: string): string {
  return httpUrl(uri, 'URI').href;
}

function httpUrl(uri: string, what: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(uri, base);
  } catch {
    throw new Error(`cannot resolve ${what} "${shorten(uri)}"${base ? ` against "${shorten(base.href)}"` : ''}`);
  }
  if (!HTTP_SCHEMES.has(url.protocol)) {
    throw new Error(`unsupported scheme "${url.protocol}" in ${what} "${shorten(uri)}": only http and https are allowed`);
  }
  if (/["\r\n]/.test(url.href)) {
    throw new Error(`${what} "${shorten(uri)}" cannot be written into a playlist: its host holds a double quote`);
  }
  return url;
}

// data: URIs can be megabytes long; error messages keep only their start.
function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

