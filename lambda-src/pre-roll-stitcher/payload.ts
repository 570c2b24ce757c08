import { StitchError } from './errors';

/** Where an ad pod goes. */
export type BreakPlacement = 'pre-roll' | 'mid-roll' | 'post-roll';

/** One ad of a decoded payload. */
export interface AdBreakRequest {
  /** Milliseconds of content time; -1 means post-roll. */
  readonly positionMs: number;
  readonly adUri: string;
}

/** A decoded, validated payload. */
export interface StitchRequestSpec {
  readonly contentUri: string;
  /** Sorted by position (stable: ads at the same position keep the payload order). */
  readonly breaks: AdBreakRequest[];
}

/** Bounds on what a payload may ask for. */
export interface PayloadLimits {
  /** Longest accepted `payload` query value, in characters. */
  readonly maxPayloadLength: number;
  /** Most ads one payload may insert. */
  readonly maxBreaks: number;
}

/** Position meaning "after the last content segment", as in the seed's payloads. */
export const postRollPosition = -1;

/**
 * Decodes the `payload` query value (base64url, or standard base64 as the seed minted it, of
 * `{ "uri": ..., "breaks": [{ "pos": ms, "uri": ... }] }`) and validates its shape.
 */
export function decodePayload(encoded: string | undefined, limits: PayloadLimits): StitchRequestSpec {
  if (!encoded) throw StitchError.badRequest('missing payload query parameter');
  if (encoded.length > limits.maxPayloadLength) {
    throw StitchError.badRequest(`payload is ${encoded.length} characters, the limit is ${limits.maxPayloadLength}`);
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw StitchError.badRequest('payload is not base64url');
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    throw StitchError.badRequest('payload is not base64url-encoded JSON');
  }
  if (!isObject(wire)) throw StitchError.badRequest('payload must be a JSON object with "uri" and "breaks"');
  const contentUri = requireUrl(wire.uri, 'payload "uri"');
  const rawBreaks = wire.breaks ?? [];
  if (!Array.isArray(rawBreaks)) throw StitchError.badRequest('payload "breaks" must be an array');
  if (rawBreaks.length > limits.maxBreaks) {
    throw StitchError.badRequest(`payload has ${rawBreaks.length} breaks, the limit is ${limits.maxBreaks}`);
  }
  const breaks = rawBreaks.map((raw: unknown, index): AdBreakRequest => {
    if (!isObject(raw)) throw StitchError.badRequest(`payload breaks[${index}] must be an object with "pos" and "uri"`);
    const pos = raw.pos;
    if (typeof pos !== 'number' || !Number.isFinite(pos) || (pos < 0 && pos !== postRollPosition)) {
      throw StitchError.badRequest(`payload breaks[${index}].pos must be milliseconds >= 0 or -1 (post-roll), got ${JSON.stringify(pos)}`);
    }
    return { positionMs: pos, adUri: requireUrl(raw.uri, `payload breaks[${index}].uri`) };
  });
  return { contentUri, breaks: sortBreaks(breaks) };
}

/** Sorts by position with post-rolls last; stable, so same-position ads keep their order. */
export function sortBreaks(breaks: AdBreakRequest[]): AdBreakRequest[] {
  const key = (adBreak: AdBreakRequest) => adBreak.positionMs === postRollPosition ? Number.POSITIVE_INFINITY : adBreak.positionMs;
  return breaks.map((adBreak, index) => ({ adBreak, index }))
    .sort((a, b) => key(a.adBreak) - key(b.adBreak) || a.index - b.index)
    .map(({ adBreak }) => adBreak);
}

function requireUrl(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw StitchError.badRequest(`${what} must be a URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw StitchError.badRequest(`${what} is not an absolute URL: ${truncate(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw StitchError.badRequest(`${what} must be http(s), got ${url.protocol}`);
  }
  if (url.href.includes('"')) throw StitchError.badRequest(`${what} has a double quote in its host: ${truncate(value)}`);
  return url.href; // normalized and serialized: what the stitcher fetches and writes is this, never the raw text
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
