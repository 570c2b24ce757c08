import { createHmac, timingSafeEqual } from 'crypto';
import { stitcherPaths, stitcherQuery } from './protocol';

/** One ad to insert into the content. */
export interface AdInsertion {
  /**
   * Where the ad plays, in milliseconds of content time. 0 is a pre-roll; a position at or past the end of the
   * content, or -1, is a post-roll; anything else is a mid-roll at the first content segment boundary at or
   * after this position. Ads with the same position play back to back in the order given.
   */
  readonly positionMs: number;
  /** URL of the ad's HLS multivariant playlist. */
  readonly adUri: string;
}

/** What to stitch: the content and its ads. */
export interface StitchPayload {
  /** URL of the content's HLS multivariant playlist. */
  readonly contentUri: string;
  /** The ads, in any order: the stitcher sorts them by position. */
  readonly breaks: AdInsertion[];
}

/** Options to mint a playback URL. */
export interface PlaybackUrlOptions {
  /** Base URL of the stitcher, e.g. `https://d111111abcdef8.cloudfront.net` (the construct's `playbackUrlBase`). */
  readonly baseUrl: string;
  /** The content and the ads. */
  readonly payload: StitchPayload;
  /** The signing secret (the value of the construct's secret); leave undefined when signing is disabled. */
  readonly signingSecret?: string;
}

/** The payload as it travels in the URL: `{ uri, breaks: [{ pos, uri }] }`, JSON, base64url. */
interface WirePayload {
  uri: string;
  breaks: Array<{ pos: number; uri: string }>;
}

/**
 * Mints and checks stitcher playback URLs. A backend calls {@link PlaybackUrl.sign} with the secret
 * it reads from Secrets Manager; the stitching function verifies the signature before fetching anything.
 */
export class PlaybackUrl {
  /**
   * Returns `<baseUrl>/master.m3u8?payload=<base64url JSON>&sig=<base64url HMAC-SHA256>`.
   */
  public static sign(options: PlaybackUrlOptions): string {
    const payload = PlaybackUrl.encodePayload(options.payload);
    // concatenated, not resolved: a base with a path prefix (https://cdn.example.com/stitch) keeps it
    const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}${stitcherPaths.multivariant}`);
    url.searchParams.set(stitcherQuery.payload, payload);
    if (options.signingSecret !== undefined) {
      url.searchParams.set(stitcherQuery.signature, PlaybackUrl.signatureOf(payload, options.signingSecret));
    }
    return url.toString();
  }

  /** The `payload` query value for a stitch payload (base64url of the wire JSON). */
  public static encodePayload(payload: StitchPayload): string {
    const wire: WirePayload = {
      uri: payload.contentUri,
      breaks: payload.breaks.map((adBreak) => ({ pos: adBreak.positionMs, uri: adBreak.adUri })),
    };
    return Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  }

  /** The `sig` query value: base64url HMAC-SHA256 of the exact `payload` query value. */
  public static signatureOf(encodedPayload: string, signingSecret: string): string {
    return createHmac('sha256', signingSecret).update(encodedPayload, 'utf8').digest('base64url');
  }

  /** True when `signature` is the signature of `encodedPayload` under `signingSecret` (constant time). */
  public static isValidSignature(encodedPayload: string, signature: string, signingSecret: string): boolean {
    const expected = Buffer.from(PlaybackUrl.signatureOf(encodedPayload, signingSecret), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
