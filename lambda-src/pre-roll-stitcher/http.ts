import { StitchError } from './errors';
import { decodePayload, PayloadLimits, StitchRequestSpec } from './payload';
import { SkippedBreak, StitchedResponse, Stitcher, StitchRouting } from './stitcher';
import { stitcherHandlerLimits } from '../../src/pre-roll-stitcher/contract/defaults';
import { PlaybackUrl } from '../../src/pre-roll-stitcher/contract/playback-url';
import { skippedBreaksHeader, stitcherPaths, stitcherQuery } from '../../src/pre-roll-stitcher/contract/protocol';

/** The parts of an HTTP request the stitcher looks at. */
export interface StitchHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | undefined>;
}

/** An HTTP response to send. */
export interface StitchHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Breaks left out of this response, with the reason (for logs and metrics). */
  readonly skippedBreaks: SkippedBreak[];
}

/** What a request is answered with. */
export interface StitchHttpDependencies {
  readonly stitcher: Stitcher;
  readonly payloadLimits: PayloadLimits;
  /** The signing secret; undefined when payloads are not signed. */
  readonly signingSecret: () => Promise<string | undefined>;
  readonly responseMaxAgeSeconds: number;
}

const emptyWebVtt = 'WEBVTT\n';

/**
 * Routes one request: checks method, path, signature and payload, asks the stitcher, and turns the
 * outcome into a response. A {@link StitchError} becomes its status with a one-line reason; any
 * other failure becomes a 502 with a generic reason (the details go to the log, not the viewer).
 */
export async function handleStitchRequest(request: StitchHttpRequest, deps: StitchHttpDependencies): Promise<StitchHttpResponse> {
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw StitchError.methodNotAllowed(request.method);
    }
    if (request.path === stitcherPaths.emptyWebVtt) {
      return { status: 200, headers: headers('text/vtt', deps.responseMaxAgeSeconds), body: emptyWebVtt, skippedBreaks: [] };
    }
    const route = routes[request.path];
    if (!route) {
      throw StitchError.notFound(`unknown path ${request.path}: the stitcher serves ${Object.values(stitcherPaths).join(', ')}`);
    }
    const encodedPayload = request.query[stitcherQuery.payload];
    if (!encodedPayload) throw StitchError.badRequest(`missing ${stitcherQuery.payload} query parameter`);
    const secret = await deps.signingSecret();
    const signature = request.query[stitcherQuery.signature];
    if (secret !== undefined) {
      if (!signature) throw StitchError.forbidden(`missing ${stitcherQuery.signature} query parameter: payloads must be signed`);
      if (!PlaybackUrl.isValidSignature(encodedPayload, signature, secret)) throw StitchError.forbidden('bad payload signature');
    }
    const spec = decodePayload(encodedPayload, deps.payloadLimits);
    const routing = routingFor(encodedPayload, signature);
    const result = await route(deps.stitcher, spec, request.query, routing);
    // an ad that failed may work again soon, and other renditions may already have it: keep this answer briefly
    const adFailed = result.skippedBreaks.some((skipped) => skipped.failed);
    const maxAgeSeconds = adFailed ? Math.min(deps.responseMaxAgeSeconds, stitcherHandlerLimits.failedAdMaxAgeSeconds) : deps.responseMaxAgeSeconds;
    const responseHeaders = headers(result.contentType, maxAgeSeconds);
    if (result.skippedBreaks.length > 0) responseHeaders[skippedBreaksHeader] = String(result.skippedBreaks.length);
    return { status: 200, headers: responseHeaders, body: result.body, skippedBreaks: result.skippedBreaks };
  } catch (error) {
    if (error instanceof StitchError) {
      return errorResponse(error.status, error.message);
    }
    throw error;
  }
}

/** The stitcher path of a request path that arrived under the distribution's path prefix. */
export function stitcherPath(rawPath: string, pathPrefix: string): string {
  return pathPrefix !== '' && rawPath.startsWith(`${pathPrefix}/`) ? rawPath.slice(pathPrefix.length) : rawPath;
}

/** The response for a failure that is not a {@link StitchError}: no detail leaves the function. */
export function internalErrorResponse(): StitchHttpResponse {
  return errorResponse(502, 'the stitcher failed to build this playlist');
}

type Route = (
  stitcher: Stitcher, spec: StitchRequestSpec, query: StitchHttpRequest['query'], routing: StitchRouting,
) => Promise<StitchedResponse>;

const routes: Record<string, Route> = {
  [stitcherPaths.multivariant]: (stitcher, spec, _query, routing) => stitcher.multivariant(spec, routing),
  [stitcherPaths.media]: (stitcher, spec, query, routing) => stitcher.media(spec, query[stitcherQuery.rendition], routing),
  [stitcherPaths.assetList]: (stitcher, spec, query) => {
    const pod = Number(query[stitcherQuery.pod]);
    if (!/^\d{1,6}$/.test(query[stitcherQuery.pod] ?? '')) {
      throw StitchError.badRequest(`${stitcherQuery.pod} must be a pod index, got '${query[stitcherQuery.pod] ?? ''}'`);
    }
    return stitcher.assetList(spec, pod);
  },
};

/** Relative URIs back to the stitcher that carry the same payload and signature. */
function routingFor(encodedPayload: string, signature: string | undefined): StitchRouting {
  const query = (extra: Record<string, string>) => {
    const params = new URLSearchParams({ [stitcherQuery.payload]: encodedPayload });
    if (signature) params.set(stitcherQuery.signature, signature);
    Object.entries(extra).forEach(([name, value]) => params.set(name, value));
    return params.toString();
  };
  const relative = (path: string) => path.slice(1);
  return {
    mediaUri: (renditionId) => `${relative(stitcherPaths.media)}?${query({ [stitcherQuery.rendition]: renditionId })}`,
    assetListUri: (podIndex) => `${relative(stitcherPaths.assetList)}?${query({ [stitcherQuery.pod]: String(podIndex) })}`,
    emptyWebVttUri: relative(stitcherPaths.emptyWebVtt),
  };
}

function headers(contentType: string, maxAgeSeconds: number): Record<string, string> {
  return {
    'content-type': contentType,
    'cache-control': `public, max-age=${maxAgeSeconds}`,
    'access-control-allow-origin': '*', // playlists are public: players on any origin may read them
    'access-control-expose-headers': skippedBreaksHeader,
  };
}

function errorResponse(status: number, reason: string): StitchHttpResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'access-control-allow-origin': '*' },
    body: `${reason}\n`,
    skippedBreaks: [],
  };
}
