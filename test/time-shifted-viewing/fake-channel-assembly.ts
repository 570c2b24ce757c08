/**
 * A loopback stand-in for a MediaTailor channel-assembly channel with time-shifted viewing, answering as the
 * MediaTailor user guide documents:
 * - time-shift-paramaters.html: `aws.mediatailor.channel.timeDelay` moves the live point back by that many seconds
 *   (0 to the channel's maximum); `aws.mediatailor.channel.startTime` (ISO 8601 or epoch seconds) gives the manifest
 *   a viewer would have got at that time;
 * - channel-assembly-time-shift.html (newer version): `start=-N` starts playback N seconds ago; a value in the future
 *   or beyond the channel's maximum delay is an error;
 * - generating-audience-specific-manifests.html: `aws.mediatailor.channel.audienceId` selects the audience's alternate
 *   media (here: its segments live under `alt-<audience>/`); an audience the channel does not have is a 404;
 * - time-shift-with-cdn.html: a start time is translated into a time delay computed when the request arrives; an HLS
 *   multivariant playlist then lists child URLs `index_hls/<n>.m3u8?aws.mediatailor.channel.timeDelay=<delay>`, and a
 *   DASH manifest request is answered `302 Found` with `Location: ./index_dash.mpd?aws.mediatailor.channel.timeDelay=<delay>`.
 *
 * The channel is a linear loop over one fixture asset's segments: segment i (of every rendition) starts at
 * `epochMs + i * segmentSeconds`, carries EXT-X-PROGRAM-DATE-TIME of that instant, and is file `i mod N` of the
 * fixture, with EXT-X-DISCONTINUITY at each wrap. A media playlist at delay D lists the `windowSegments` segments
 * that had completed `D` seconds before the request.
 */
import * as http from 'http';
import { timeShiftQuery } from '../../src/time-shifted-viewing/contract/time-shift';
import { startStaticServer, LoopbackServer } from '../harness/static-server';

/** How the fake channel behaves. */
export interface FakeChannelOptions {
  readonly channelName: string;
  /** The channel's TimeShiftConfiguration.MaxTimeDelaySeconds. */
  readonly maxTimeDelaySeconds: number;
  readonly segmentSeconds: number;
  /** Segments in a media playlist (the manifest window). */
  readonly windowSegments: number;
  /** When segment 0 started (ms since epoch). */
  readonly epochMs: number;
  /** Audiences of the channel (CfnChannel `audiences`). @default - none */
  readonly audiences?: string[];
  /** Rendition folder names of the fixture, e.g. ['360p', '180p']. */
  readonly renditions: readonly string[];
  /** Segments per rendition in the fixture (seg_000.ts ...). */
  readonly fixtureSegments: number;
  /** Base URL players fetch segments from (`<base>/<rendition>/seg_NNN.ts`). */
  readonly segmentBaseUrl: () => string;
  /** Clock (ms since epoch). @default Date.now */
  readonly clock?: () => number;
}

/** What the fake answered for one manifest request. */
export interface FakeManifestRecord {
  readonly url: string;
  readonly status: number;
  /** The time delay the response was generated for. */
  readonly timeDelay?: number;
}

/** A running fake channel. */
export interface FakeChannel extends LoopbackServer {
  /** Every manifest request, in arrival order. */
  readonly manifests: FakeManifestRecord[];
}

/** The time delay MediaTailor derives from a start time at the request, clamped to 0..max, or undefined when malformed. */
export function timeDelayForStartTime(startTime: string, requestTimeMs: number, maxTimeDelaySeconds: number): number | undefined {
  const startMs = /^\d+$/.test(startTime) ? Number(startTime) * 1000 : Date.parse(startTime);
  if (!Number.isFinite(startMs)) return undefined;
  return Math.min(Math.max(Math.floor((requestTimeMs - startMs) / 1000), 0), maxTimeDelaySeconds);
}

/** Starts the fake channel on a loopback port; manifests live under `/v1/channel/<channelName>/`. */
export async function startFakeChannel(options: FakeChannelOptions): Promise<FakeChannel> {
  const clock = options.clock ?? Date.now;
  const manifests: FakeManifestRecord[] = [];
  const prefix = `/v1/channel/${options.channelName}/`;

  const route = (request: http.IncomingMessage, response: http.ServerResponse): boolean => {
    const url = new URL(request.url ?? '/', 'http://channel');
    if (!url.pathname.startsWith(prefix)) return false;
    const now = clock();
    const answer = (status: number, headers: Record<string, string>, body: string, timeDelay?: number) => {
      manifests.push({ url: request.url ?? '', status, timeDelay });
      response.writeHead(status, headers).end(body);
      return true;
    };
    const delay = requestedDelay(url.searchParams, now, options.maxTimeDelaySeconds);
    if (typeof delay === 'string') return answer(400, { 'content-type': 'text/plain' }, `${delay}\n`);
    const resource = url.pathname.slice(prefix.length);
    const audience = url.searchParams.get(timeShiftQuery.audienceId);
    if (audience !== null && !(options.audiences ?? []).includes(audience)) {
      return answer(404, { 'content-type': 'text/plain' }, `no audience '${audience}' on this channel\n`);
    }
    const carried = new URLSearchParams();
    const shifted = [timeShiftQuery.startTime, timeShiftQuery.relativeStart, timeShiftQuery.timeDelay].some((name) => url.searchParams.has(name));
    if (shifted) {
      carried.set(timeShiftQuery.timeDelay, String(delay));
    }
    if (audience !== null) carried.set(timeShiftQuery.audienceId, audience);
    const suffix = carried.size > 0 ? `?${carried}` : '';

    if (resource === 'index_hls.m3u8') {
      const variants = options.renditions.map((rendition, index) =>
        `#EXT-X-STREAM-INF:BANDWIDTH=${800_000 / (index + 1)}\nindex_hls/${rendition}.m3u8${suffix}`);
      return answer(200, { 'content-type': 'application/vnd.apple.mpegurl' }, `#EXTM3U\n#EXT-X-VERSION:6\n${variants.join('\n')}\n`, delay);
    }
    const child = /^index_hls\/([^/]+)\.m3u8$/.exec(resource);
    if (child && options.renditions.includes(child[1])) {
      return answer(200, { 'content-type': 'application/vnd.apple.mpegurl' }, mediaPlaylist(options, child[1], now - delay * 1000, audience), delay);
    }
    if (resource === 'index_dash.mpd') {
      if (url.searchParams.has(timeShiftQuery.startTime) || url.searchParams.has(timeShiftQuery.relativeStart)) {
        return answer(302, { location: `./index_dash.mpd${suffix}` }, '', delay);
      }
      return answer(200, { 'content-type': 'application/dash+xml' }, dashManifest(options, now - delay * 1000), delay);
    }
    return answer(404, { 'content-type': 'text/plain' }, `no such output '${resource}'\n`);
  };

  const server = await startStaticServer({ routes: [route] });
  return { ...server, manifests };
}

/** The delay a request asks for: from timeDelay, else from startTime at `now` or start, else 0; a string names what was wrong. */
function requestedDelay(query: URLSearchParams, now: number, maxTimeDelaySeconds: number): number | string {
  const relativeStart = query.get(timeShiftQuery.relativeStart);
  if (relativeStart !== null) {
    if (!/^-\d+$/.test(relativeStart) && relativeStart !== '0') return `${timeShiftQuery.relativeStart} must be 0 or negative seconds, got '${relativeStart}'`;
    const delay = -Number(relativeStart);
    return delay <= maxTimeDelaySeconds ? delay : `${timeShiftQuery.relativeStart} is outside the channel's time-shift window, got '${relativeStart}'`;
  }
  const startTime = query.get(timeShiftQuery.startTime);
  if (startTime !== null) {
    return timeDelayForStartTime(startTime, now, maxTimeDelaySeconds) ?? `${timeShiftQuery.startTime} must be ISO 8601 or epoch seconds, got '${startTime}'`;
  }
  const timeDelay = query.get(timeShiftQuery.timeDelay);
  if (timeDelay === null) return 0;
  if (!/^\d+$/.test(timeDelay) || Number(timeDelay) > maxTimeDelaySeconds) {
    return `${timeShiftQuery.timeDelay} must be whole seconds from 0 to ${maxTimeDelaySeconds}, got '${timeDelay}'`;
  }
  return Number(timeDelay);
}

/** The sliding-window media playlist as it stood at `livePointMs`. */
function mediaPlaylist(options: FakeChannelOptions, rendition: string, livePointMs: number, audience: string | null): string {
  const folder = audience === null ? rendition : `alt-${audience}/${rendition}`;
  const completed = Math.floor((livePointMs - options.epochMs) / 1000 / options.segmentSeconds);
  const first = Math.max(0, completed - options.windowSegments);
  const lines = [
    '#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${options.segmentSeconds}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`, `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(first / options.fixtureSegments)}`,
  ];
  for (let sequence = first; sequence < completed; sequence++) {
    const file = sequence % options.fixtureSegments;
    if (file === 0 && sequence > first) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(options.epochMs + sequence * options.segmentSeconds * 1000).toISOString()}`);
    lines.push(`#EXTINF:${options.segmentSeconds.toFixed(3)},`);
    lines.push(`${options.segmentBaseUrl()}/${folder}/seg_${String(file).padStart(3, '0')}.ts`);
  }
  return `${lines.join('\n')}\n`;
}

/** A dynamic MPD whose publishTime is the live point it was generated for. */
function dashManifest(options: FakeChannelOptions, livePointMs: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" profiles="urn:mpeg:dash:profile:isoff-live:2011" availabilityStartTime="${new Date(options.epochMs).toISOString()}" publishTime="${new Date(livePointMs).toISOString()}" minimumUpdatePeriod="PT${options.segmentSeconds}S" timeShiftBufferDepth="PT${options.segmentSeconds * options.windowSegments}S">
</MPD>
`;
}
