/**
 * Model of one live channel for the StalePlaylistGuard benchmark: an encoder writing HLS playlists to S3,
 * viewers reloading them through a CloudFront cache, and three ways of turning a playlist that stopped
 * updating into a 404. Everything runs on a virtual clock in integer milliseconds (0 = start of the measured
 * hour), driven by a seeded PRNG: a run is deterministic and never waits.
 */
import { classifyPlaylist, isStale, staleAfterMs } from '../../src/stale-playlist-guard/contract/staleness';
import { mulberry32 } from '../shared/seeded-random';


/** The simulated channel and its surroundings. */
export interface ChannelModel {
  /** EXT-X-TARGETDURATION of every media playlist, in seconds. */
  readonly targetDurationSeconds: number;
  readonly renditions: number;
  /** Redundant encoder pipelines, each writing its own copy of every playlist. */
  readonly pipelines: number;
  /** Length of the measured hour. */
  readonly hourMs: number;
  /** How long encoder and viewers run before the measured hour, so caches and queues start in steady state. */
  readonly warmUpMs: number;
  /** Viewers of the channel, spread evenly over the media playlists of all pipelines. */
  readonly viewers: number;
  /** Range of the delay from a PUT to its S3 event notification reaching Lambda or SQS. */
  readonly s3EventDelayMs: readonly [number, number];
  /** Round trip of one S3 GET, HEAD or DELETE from Lambda. */
  readonly s3RequestMs: number;
  /** Largest difference, either sign, between the edge's clock and the clock S3 stamps Last-Modified with. */
  readonly edgeClockSkewMs: number;
  /** Range of the time at which pipeline A stops, in the stall scenario. */
  readonly stallWindowMs: readonly [number, number];
  /** Longest wait for a 404 after a playlist's last write before its detection counts as missed. */
  readonly detectionHorizonMs: number;
  /** Interval between two updates of a media playlist, drawn uniformly in this range, in target durations. */
  readonly updateIntervalTargetDurations: readonly [number, number];
}

/** The benchmark's channel: TD 6 s, 5 renditions, 2 pipelines, 1 h, 1,000 viewers. */
export const benchChannel: ChannelModel = {
  targetDurationSeconds: 6,
  renditions: 5,
  pipelines: 2,
  hourMs: 3_600_000,
  warmUpMs: 60_000,
  viewers: 1000,
  s3EventDelayMs: [200, 1200],
  s3RequestMs: 20,
  edgeClockSkewMs: 500,
  stallWindowMs: [10 * 60_000, 50 * 60_000],
  detectionHorizonMs: 120_000,
  updateIntervalTargetDurations: [0.5, 1.5],
};

/** Jitter models of the encoder: the whole window RFC 8216 §6.2.1 allows, and what real encoders do. */
export const jitterModels: ReadonlyArray<{ readonly name: string; readonly updateIntervalTargetDurations: readonly [number, number] }> = [
  { name: 'RFC window: intervals uniform over [0.5, 1.5] x TD', updateIntervalTargetDurations: [0.5, 1.5] },
  { name: 'realistic: intervals uniform over [0.9, 1.1] x TD', updateIntervalTargetDurations: [0.9, 1.1] },
];

/** One PUT of a playlist by the encoder. */
export interface PlaylistUpload {
  /** When the PUT completed (S3's clock). */
  readonly atMs: number;
  /** S3 Last-Modified: `atMs` truncated to whole seconds. */
  readonly lastModifiedMs: number;
  readonly etag: string;
  /** Delay of this PUT's S3 event notification. */
  readonly eventDelayMs: number;
  readonly text: string;
}

/** One playlist object of the channel with everything the encoder ever writes to it. */
export interface ChannelPlaylist {
  readonly key: string;
  readonly pipeline: number;
  readonly kind: 'multivariant' | 'media';
  readonly uploads: readonly PlaylistUpload[];
  /** Sorted reload phases (within one target duration) of the viewers watching it; empty for multivariant playlists. */
  readonly viewerPhasesMs: readonly number[];
}

/** One seeded run of the channel. */
export interface SimulatedChannel {
  readonly model: ChannelModel;
  readonly seed: number;
  readonly playlists: readonly ChannelPlaylist[];
  /** When pipeline A stops in the stall scenario (drawn for every seed so both scenarios share all other draws). */
  readonly stallAtMs: number;
  /** The edge clock minus S3's clock, for this run. */
  readonly edgeClockSkewMs: number;
}

/** Target duration in milliseconds. */
export function targetDurationMs(model: ChannelModel): number {
  return model.targetDurationSeconds * 1000;
}

/**
 * The encoder of a healthy hour: every media playlist (per rendition and pipeline) is written at intervals
 * drawn uniformly in the model's range (at most the [0.5, 1.5] x TD of RFC 8216 §6.2.1), each pipeline's
 * multivariant playlist once.
 */
export function generateChannel(model: ChannelModel, seed: number): SimulatedChannel {
  const random = mulberry32(seed);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const tdMs = targetDurationMs(model);
  const stallAtMs = between(model.stallWindowMs[0], model.stallWindowMs[1]);
  const edgeClockSkewMs = between(-model.edgeClockSkewMs, model.edgeClockSkewMs);
  const upload = (key: string, atMs: number, text: string): PlaylistUpload => ({
    atMs,
    lastModifiedMs: Math.floor(atMs / 1000) * 1000,
    etag: `${key}@${atMs}`,
    eventDelayMs: between(model.s3EventDelayMs[0], model.s3EventDelayMs[1]),
    text,
  });
  const playlists: ChannelPlaylist[] = [];
  const mediaPhases: number[][] = [];
  for (let pipeline = 0; pipeline < model.pipelines; pipeline++) {
    const multivariantKey = `pipeline-${pipeline}/index.m3u8`;
    playlists.push({
      key: multivariantKey,
      pipeline,
      kind: 'multivariant',
      uploads: [upload(multivariantKey, -model.warmUpMs, multivariantText(model))],
      viewerPhasesMs: [],
    });
    for (let rendition = 0; rendition < model.renditions; rendition++) {
      const key = `pipeline-${pipeline}/rendition-${rendition}.m3u8`;
      const uploads: PlaylistUpload[] = [];
      for (let atMs = -model.warmUpMs + between(0, tdMs - 1), sequence = 0; atMs < model.hourMs; sequence++) {
        uploads.push(upload(key, atMs, mediaPlaylistText(model, sequence)));
        atMs += between(tdMs * model.updateIntervalTargetDurations[0], tdMs * model.updateIntervalTargetDurations[1]);
      }
      const viewerPhasesMs: number[] = [];
      mediaPhases.push(viewerPhasesMs);
      playlists.push({ key, pipeline, kind: 'media', uploads, viewerPhasesMs });
    }
  }
  for (let viewer = 0; viewer < model.viewers; viewer++) mediaPhases[viewer % mediaPhases.length].push(between(0, tdMs - 1));
  mediaPhases.forEach((phases) => phases.sort((a, b) => a - b));
  return { model, seed, playlists, stallAtMs, edgeClockSkewMs };
}

/** The same run with `pipeline`'s media playlists no longer written from `channel.stallAtMs` on. */
export function stallPipeline(channel: SimulatedChannel, pipeline: number): SimulatedChannel {
  return {
    ...channel,
    playlists: channel.playlists.map((playlist) => playlist.kind === 'media' && playlist.pipeline === pipeline
      ? { ...playlist, uploads: playlist.uploads.filter((upload) => upload.atMs < channel.stallAtMs) }
      : playlist),
  };
}

function multivariantText(model: ChannelModel): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (let rendition = 0; rendition < model.renditions; rendition++) {
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${(rendition + 1) * 1_000_000}`, `rendition-${rendition}.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}

function mediaPlaylistText(model: ChannelModel, sequence: number): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${model.targetDurationSeconds}`, `#EXT-X-MEDIA-SEQUENCE:${sequence}`];
  for (let segment = sequence; segment < sequence + 3; segment++) lines.push(`#EXTINF:${model.targetDurationSeconds}.000,`, `segment-${segment}.ts`);
  return `${lines.join('\n')}\n`;
}

/** Index of the last element <= `value` in ascending `sorted`, or -1. */
function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (sorted[middle] <= value) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** An S3 playlist object over time: the encoder's uploads plus the deletions a strategy makes, in time order. */
export class PlaylistObject {
  private readonly uploadTimesMs: number[];
  private readonly deletionTimesMs: number[] = [];

  constructor(private readonly uploads: readonly PlaylistUpload[]) {
    this.uploadTimesMs = uploads.map((upload) => upload.atMs);
  }

  /** What a GET or HEAD at `atMs` returns: the current version, or undefined for a 404. */
  at(atMs: number): PlaylistUpload | undefined {
    const upload = lastAtOrBefore(this.uploadTimesMs, atMs);
    if (upload < 0) return undefined;
    const deletion = lastAtOrBefore(this.deletionTimesMs, atMs);
    if (deletion >= 0 && this.deletionTimesMs[deletion] >= this.uploadTimesMs[upload]) return undefined;
    return this.uploads[upload];
  }

  /** DeleteObject at `atMs`, whatever version is there; true when it removed one. */
  delete(atMs: number): boolean {
    const lastDeletionMs = this.deletionTimesMs[this.deletionTimesMs.length - 1];
    if (lastDeletionMs !== undefined && atMs < lastDeletionMs) throw new Error('deletions must be made in time order');
    if (!this.at(atMs)) return false;
    this.deletionTimesMs.push(atMs);
    return true;
  }

  /** DeleteObject with If-Match: removes the object only while its ETag is still `etag`. */
  deleteIfMatch(atMs: number, etag: string): boolean {
    return this.at(atMs)?.etag === etag && this.delete(atMs);
  }

  /** Deletions that removed a version in [fromMs, untilMs). */
  deletionsBetween(fromMs: number, untilMs: number): number {
    return this.deletionTimesMs.filter((atMs) => atMs >= fromMs && atMs < untilMs).length;
  }
}

/** The requests of the viewers of one media playlist: each reloads it every target duration at its own phase. */
export class ViewerSchedule {
  constructor(private readonly phasesMs: readonly number[], private readonly periodMs: number, private readonly firstCycleMs: number) {}

  /** Time of the request with `index` (requests numbered in time order). */
  timeOf(index: number): number {
    const viewers = this.phasesMs.length;
    return this.firstCycleMs + Math.floor(index / viewers) * this.periodMs + this.phasesMs[index % viewers];
  }

  /** Index of the first request at or after `atMs`. */
  firstAtOrAfter(atMs: number): number {
    const viewers = this.phasesMs.length;
    if (viewers === 0 || atMs <= this.firstCycleMs) return 0;
    const cycle = Math.floor((atMs - this.firstCycleMs) / this.periodMs);
    const offsetMs = atMs - this.firstCycleMs - cycle * this.periodMs;
    return cycle * viewers + lastAtOrBefore(this.phasesMs, offsetMs - 1) + 1;
  }

  /** Requests in [fromMs, untilMs). */
  count(fromMs: number, untilMs: number): number {
    return this.phasesMs.length === 0 ? 0 : this.firstAtOrAfter(untilMs) - this.firstAtOrAfter(fromMs);
  }
}

/** How the CDN caches a playlist behavior. */
export interface CdnPolicy {
  /** TTL of a 200 playlist response. */
  readonly playlistTtlMs: number;
  /** TTL of a 404 from the origin (error caching). */
  readonly notFoundTtlMs: number;
}

/** An edge function at viewer-response: true when it answers 404 instead of the (possibly cached) 200. */
export type EdgeRule = (response: PlaylistUpload, viewerMs: number) => boolean;

/** A stretch during which viewers of one playlist get 404s: from the first 404 to the next 200 (or the end of the walk). */
export interface NotFoundEpisode {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Serves a playlist's viewers through one CDN cache from `fromMs` to `untilMs`: a request that finds the cached
 * response expired (age >= TTL) fetches from the origin; every response then passes the edge rule, if any.
 */
export function serveViewers(
  object: PlaylistObject, schedule: ViewerSchedule, cdn: CdnPolicy, fromMs: number, untilMs: number, edgeRule?: EdgeRule,
): NotFoundEpisode[] {
  const episodes: NotFoundEpisode[] = [];
  let openSinceMs: number | undefined;
  const close = (atMs: number) => {
    if (openSinceMs !== undefined) episodes.push({ startMs: openSinceMs, endMs: atMs });
    openSinceMs = undefined;
  };
  const end = schedule.firstAtOrAfter(untilMs);
  for (let index = schedule.firstAtOrAfter(fromMs); index < end;) {
    const fetchedMs = schedule.timeOf(index);
    const response = object.at(fetchedMs);
    const ttlMs = response ? cdn.playlistTtlMs : cdn.notFoundTtlMs;
    const next = Math.min(end, ttlMs > 0 ? schedule.firstAtOrAfter(fetchedMs + ttlMs) : index + 1);
    if (!response) {
      openSinceMs ??= fetchedMs;
    } else if (!edgeRule) {
      close(fetchedMs);
    } else {
      // within one cached response staleness only grows with time: binary-search the first request the edge turns into a 404
      let low = index;
      let high = next;
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        if (edgeRule(response, schedule.timeOf(middle))) high = middle;
        else low = middle + 1;
      }
      if (low > index) close(fetchedMs);
      if (low < next) openSinceMs ??= schedule.timeOf(low);
    }
    index = next;
  }
  close(untilMs);
  return episodes;
}

/** What a strategy costs over one channel-hour. */
export interface HourlyCost {
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  sqsRequests: number;
  /** GET and HEAD requests (DELETE is free). */
  s3Requests: number;
  /** CopyObject requests (priced as PUT). */
  s3Copies: number;
  cloudFrontFunctionInvocations: number;
  /** CloudFront KeyValueStore API calls (edge mode's pipeline heartbeats, one PutKey each). */
  keyValueStoreWrites: number;
}

/** A zero cost. */
export function noCost(): HourlyCost {
  return {
    lambdaInvocations: 0, lambdaGbSeconds: 0, sqsRequests: 0, s3Requests: 0, s3Copies: 0, cloudFrontFunctionInvocations: 0, keyValueStoreWrites: 0,
  };
}

/** What a strategy did to one run of the channel. */
export interface StrategyRun {
  /** The playlist objects after the strategy's deletions, aligned with `channel.playlists`. */
  readonly objects: readonly PlaylistObject[];
  readonly cost: HourlyCost;
  readonly edgeRule?: EdgeRule;
}

/** One way of turning stale playlists into 404s. */
export interface StalePlaylistStrategy {
  readonly name: string;
  readonly cdn: CdnPolicy;
  run(channel: SimulatedChannel): StrategyRun;
}

/** The viewers' requests for `playlist` (they start half the warm-up before the measured hour). */
export function viewerSchedule(channel: SimulatedChannel, playlist: ChannelPlaylist): ViewerSchedule {
  return new ViewerSchedule(playlist.viewerPhasesMs, targetDurationMs(channel.model), -channel.model.warmUpMs / 2);
}

function inHour(channel: SimulatedChannel, atMs: number): boolean {
  return atMs >= 0 && atMs < channel.model.hourMs;
}

/** Options of the seed model. */
export interface SeedDetectorOptions {
  readonly name: string;
  /** Lambda memory. */
  readonly memoryMb: number;
  /** The seed's TARGET_DURATION_MULTIPLE. */
  readonly staleAfterTargetDurations: number;
  /** Sleep a whole number of seconds counted from the current whole second, rather than exactly until the stale time. */
  readonly wholeSecondSleep: boolean;
  readonly cdn: CdnPolicy;
}

/**
 * Model of the seed (aws-samples): one Lambda invocation per playlist upload GETs and parses the playlist, skips
 * multivariant ones, sleeps until Last-Modified + 1.5 x TD, HEADs the object and, unless the new Last-Modified is
 * strictly greater (whole seconds), deletes it unconditionally. Billed for the whole wall time, sleep included.
 */
export function seedDetector(options: SeedDetectorOptions): StalePlaylistStrategy {
  return {
    name: options.name,
    cdn: options.cdn,
    run: (channel) => {
      const { s3RequestMs } = channel.model;
      const cost = noCost();
      const objects = channel.playlists.map((playlist) => new PlaylistObject(playlist.uploads));
      channel.playlists.forEach((playlist, index) => {
        for (const upload of playlist.uploads) {
          const startMs = upload.atMs + upload.eventDelayMs;
          let endMs = startMs + s3RequestMs;
          let s3Requests = 1;
          if (playlist.kind === 'media') {
            const staleAtMs = upload.lastModifiedMs + options.staleAfterTargetDurations * targetDurationMs(channel.model);
            const wakeMs = options.wholeSecondSleep
              ? endMs + 1000 * Math.max(0, staleAtMs / 1000 - Math.floor(endMs / 1000))
              : Math.max(endMs, staleAtMs);
            const head = objects[index].at(wakeMs);
            endMs = wakeMs + s3RequestMs;
            s3Requests++;
            if (head && !(head.lastModifiedMs > upload.lastModifiedMs)) {
              objects[index].delete(endMs);
              endMs += s3RequestMs;
            }
          }
          if (!inHour(channel, startMs)) continue;
          cost.lambdaInvocations++;
          cost.lambdaGbSeconds += ((endMs - startMs) / 1000) * (options.memoryMb / 1024);
          cost.s3Requests += s3Requests;
        }
      });
      return { objects, cost };
    },
  };
}

/** Options of the origin mode. */
export interface OriginGuardOptions {
  readonly name: string;
  readonly memoryMb: number;
  /** Queue DelaySeconds, in target durations (also the guard's stale threshold). */
  readonly staleAfterTargetDurations: number;
  /** Handler time per SQS record (HEAD, maybe GET and conditional DELETE). */
  readonly recordMs: number;
  readonly batchSize: number;
  /** The event source mapping's MaximumBatchingWindowInSeconds, in ms (0: invoke as soon as a long poll returns). */
  readonly maximumBatchingWindowMs: number;
  /** From a message becoming visible to the long poll returning it to the Lambda poller. */
  readonly pollResponseMs: number;
  readonly cdn: CdnPolicy;
}

/**
 * Model of our origin mode: S3 event -> SQS (DelaySeconds = threshold) -> Lambda, batch size up to 10. Per record the
 * handler HEADs the object; if the ETag is still the event's, nothing was written since, so it GETs the text,
 * classifies it (`classifyPlaylist`) and deletes a live media playlist with If-Match on that ETag.
 */
export function originGuard(options: OriginGuardOptions): StalePlaylistStrategy {
  return {
    name: options.name,
    cdn: options.cdn,
    run: (channel) => {
      const { s3RequestMs } = channel.model;
      const delaySeconds = Math.ceil(staleAfterMs(channel.model.targetDurationSeconds, options.staleAfterTargetDurations) / 1000);
      const cost = noCost();
      const objects = channel.playlists.map((playlist) => new PlaylistObject(playlist.uploads));
      const messages = channel.playlists
        .flatMap((playlist, index) => playlist.uploads.map((upload) => {
          const sentMs = upload.atMs + upload.eventDelayMs;
          return { index, upload, sentMs, visibleMs: sentMs + delaySeconds * 1000 };
        }))
        .sort((a, b) => a.visibleMs - b.visibleMs || a.index - b.index);
      cost.sqsRequests += messages.filter((message) => inHour(channel, message.sentMs)).length; // S3's SendMessage
      for (let first = 0; first < messages.length;) {
        const closesMs = messages[first].visibleMs + options.maximumBatchingWindowMs;
        let size = 1;
        while (size < options.batchSize && first + size < messages.length && messages[first + size].visibleMs <= closesMs) size++;
        const full = size === options.batchSize;
        const startMs = (full ? messages[first + size - 1].visibleMs : closesMs) + options.pollResponseMs;
        for (let record = 0; record < size; record++) {
          const { index, upload } = messages[first + record];
          const headMs = startMs + record * options.recordMs + s3RequestMs;
          const head = objects[index].at(headMs);
          let s3Requests = 1;
          if (head?.etag === upload.etag) {
            s3Requests++;
            if (classifyPlaylist(head.text).kind === 'live') objects[index].deleteIfMatch(headMs + 2 * s3RequestMs, upload.etag);
          }
          if (inHour(channel, startMs)) cost.s3Requests += s3Requests;
        }
        if (inHour(channel, startMs)) {
          cost.lambdaInvocations++;
          cost.lambdaGbSeconds += ((size * options.recordMs) / 1000) * (options.memoryMb / 1024);
          cost.sqsRequests += 2; // the poller's ReceiveMessage and DeleteMessageBatch
        }
        first += size;
      }
      return { objects, cost };
    },
  };
}

/** Options of the edge mode. */
export interface EdgeGuardOptions {
  readonly name: string;
  readonly staleAfterTargetDurations: number;
  readonly cdn: CdnPolicy;
  /** The marker function (one invocation per playlist upload, one ranged GET each, one copy per marked playlist). */
  readonly marker: { readonly memoryMb: number; readonly invocationMs: number };
  /** Least time between two heartbeats of one pipeline (one warm marker instance); heartbeats need two or more pipelines. */
  readonly heartbeatIntervalMs: number;
}

/**
 * Model of our edge mode: a CloudFront Function at viewer-response answers 404 (not cached) for a 200 whose
 * Last-Modified is older than the threshold by the edge's clock (`isStale`). Nothing is deleted; the marker
 * reads each upload (its cost is counted; marked playlists are never judged, as multivariant ones are not here).
 */
export function edgeGuard(options: EdgeGuardOptions): StalePlaylistStrategy {
  return {
    name: options.name,
    cdn: options.cdn,
    run: (channel) => {
      const threshold = staleAfterMs(channel.model.targetDurationSeconds, options.staleAfterTargetDurations);
      const cost = noCost();
      for (const playlist of channel.playlists) {
        cost.cloudFrontFunctionInvocations += viewerSchedule(channel, playlist).count(0, channel.model.hourMs);
        // the marker: every upload in the hour is one invocation and one ranged GET (playlists are under 16 KiB);
        // a multivariant playlist is also copied once, and that copy's own event is one more invocation and GET
        const uploads = playlist.uploads.filter((upload) => inHour(channel, upload.atMs)).length;
        const copies = playlist.kind === 'multivariant' ? uploads : 0;
        cost.lambdaInvocations += uploads + copies;
        cost.lambdaGbSeconds += (uploads + copies) * (options.marker.invocationMs / 1000) * (options.marker.memoryMb / 1024);
        cost.s3Requests += uploads + copies;
        cost.s3Copies += copies;
      }
      if (channel.model.pipelines > 1) cost.keyValueStoreWrites += heartbeatWrites(channel, options.heartbeatIntervalMs);
      return {
        objects: channel.playlists.map((playlist) => new PlaylistObject(playlist.uploads)),
        cost,
        edgeRule: (response, viewerMs) => isStale(response.lastModifiedMs, viewerMs + channel.edgeClockSkewMs, threshold),
      };
    },
  };
}

/** Heartbeats written in the hour: per pipeline, on the first upload (any playlist) an interval after the last write. */
function heartbeatWrites(channel: SimulatedChannel, intervalMs: number): number {
  let writes = 0;
  for (let pipeline = 0; pipeline < channel.model.pipelines; pipeline++) {
    const times = channel.playlists.filter((playlist) => playlist.pipeline === pipeline)
      .flatMap((playlist) => playlist.uploads.map((upload) => upload.atMs)).sort((a, b) => a - b);
    let lastWriteMs = -Infinity;
    for (const atMs of times) {
      if (atMs - lastWriteMs < intervalMs) continue;
      lastWriteMs = atMs;
      if (inHour(channel, atMs)) writes++;
    }
  }
  return writes;
}

/** A strategy over a healthy hour: every deletion and every 404 it causes is a false positive. */
export interface HealthyHourResult {
  readonly falseDeletions: number;
  readonly falseNotFoundEpisodes: number;
  readonly cost: HourlyCost;
}

/** Runs `strategy` over a channel whose pipelines all keep writing. */
export function measureHealthyHour(strategy: StalePlaylistStrategy, channel: SimulatedChannel): HealthyHourResult {
  const run = strategy.run(channel);
  let falseDeletions = 0;
  let falseNotFoundEpisodes = 0;
  channel.playlists.forEach((playlist, index) => {
    falseDeletions += run.objects[index].deletionsBetween(0, channel.model.hourMs);
    if (playlist.kind !== 'media') return;
    const schedule = viewerSchedule(channel, playlist);
    const episodes = serveViewers(run.objects[index], schedule, strategy.cdn, -channel.model.warmUpMs / 2, channel.model.hourMs, run.edgeRule);
    falseNotFoundEpisodes += episodes.filter((episode) => episode.startMs >= 0).length;
  });
  return { falseDeletions, falseNotFoundEpisodes, cost: run.cost };
}

/**
 * Runs `strategy` over a channel whose `pipeline` stopped and returns, per media playlist of that pipeline, the time from
 * its last write to the first 404 a viewer of it gets (Infinity when none within the detection horizon).
 */
export function measureStall(strategy: StalePlaylistStrategy, stalled: SimulatedChannel, pipeline: number): number[] {
  const run = strategy.run(stalled);
  const latenciesMs: number[] = [];
  stalled.playlists.forEach((playlist, index) => {
    if (playlist.kind !== 'media' || playlist.pipeline !== pipeline) return;
    const lastWriteMs = playlist.uploads[playlist.uploads.length - 1].atMs;
    const schedule = viewerSchedule(stalled, playlist);
    const untilMs = lastWriteMs + stalled.model.detectionHorizonMs;
    const episodes = serveViewers(run.objects[index], schedule, strategy.cdn, -stalled.model.warmUpMs / 2, untilMs, run.edgeRule);
    // a 404 already being served at the last write (a cached earlier false positive) reaches the next request after it
    const firstRequestMs = schedule.timeOf(schedule.firstAtOrAfter(lastWriteMs));
    const firstNotFoundMs = episodes
      .map((episode) => Math.max(episode.startMs, firstRequestMs))
      .find((atMs, episode) => atMs < episodes[episode].endMs);
    latenciesMs.push(firstNotFoundMs === undefined ? Infinity : firstNotFoundMs - lastWriteMs);
  });
  return latenciesMs;
}
