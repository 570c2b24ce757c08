import * as fs from 'fs';
import * as path from 'path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** One rendition the encoder writes: its fixture segments and its EXT-X-STREAM-INF attributes. */
export interface LiveRendition {
  /** Folder name under each pipeline, e.g. `360p`. */
  readonly name: string;
  /** Fixture segment files played in a loop (seg_000.ts, seg_001.ts...), each `targetDurationSeconds` long. */
  readonly segmentFiles: string[];
  /** Attribute list of the rendition's EXT-X-STREAM-INF, e.g. `BANDWIDTH=...,RESOLUTION=...,CODECS="..."`. */
  readonly streamInf: string;
}

/** How to run the simulated encoder. */
export interface LiveEncoderOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefixes of the redundant pipelines, in multivariant order, e.g. `['pipeline-a', 'pipeline-b']`. */
  readonly pipelines: string[];
  readonly renditions: LiveRendition[];
  /** EXT-X-TARGETDURATION and the length of every segment. @default 2 */
  readonly targetDurationSeconds?: number;
  /** Segments in each media playlist (sliding window). @default 4 */
  readonly windowSize?: number;
  /** Key of the multivariant playlist. @default 'master.m3u8' */
  readonly multivariantKey?: string;
  /** Seed of the publish-delay jitter, for reproducible runs. @default 1 */
  readonly seed?: number;
}

/** One media playlist update an encoder pipeline made. */
export interface PlaylistWrite {
  readonly pipeline: string;
  /** Media sequence number of the newest segment in the window. */
  readonly newestSequence: number;
  /** When the playlist PUTs started and when they all completed (ms since epoch). */
  readonly startedAt: number;
  readonly finishedAt: number;
}

/**
 * Publish delay after a segment's nominal end, as a fraction of the target duration. Updates then come
 * 1 +/- 0.45 target durations apart: inside RFC 8216 §6.2.1's 0.5..1.5 with room for timer lateness.
 */
const minDelay = 0.025;
const maxDelay = 0.475;
const segmentContentType = 'video/mp2t';
const playlistContentType = 'application/vnd.apple.mpegurl';

/**
 * A simulated live HLS encoder with redundant pipelines writing to S3, in the shape of a live HLS output
 * group (e.g. MediaLive's with two pipelines): for each pipeline and rendition, one new segment per target duration (real time, with jitter on the
 * publish delay so the update interval varies between 0.5 and 1.5 target durations), then the media
 * playlist with a sliding window and no EXT-X-ENDLIST; plus a multivariant playlist listing each
 * rendition once per pipeline with the same attributes (redundant variant streams).
 *
 * All pipelines share one media clock: sequence number n holds the same fixture segment everywhere and
 * becomes due at `start + (n - windowSize + 1) x TD`, so a player can switch pipelines without a gap.
 * The fixture loops; each wrap back to its first segment is marked with EXT-X-DISCONTINUITY, and
 * EXT-X-DISCONTINUITY-SEQUENCE counts the wraps that slid out of the window.
 */
export class LiveEncoder {
  /** Writes the multivariant playlist and an initial window for every pipeline, then keeps publishing. */
  public static async start(options: LiveEncoderOptions): Promise<LiveEncoder> {
    const encoder = new LiveEncoder(options);
    await encoder.put(encoder.multivariantKey, encoder.multivariantPlaylist(), playlistContentType);
    await Promise.all(options.pipelines.map((pipeline) => encoder.startPipeline(pipeline)));
    return encoder;
  }

  /** Every media playlist update, in completion order. */
  public readonly writes: PlaylistWrite[] = [];
  /** Upload failures; a failing pipeline stops. */
  public readonly errors: Error[] = [];
  public readonly targetDurationMs: number;
  public readonly windowSize: number;
  public readonly multivariantKey: string;

  private readonly epoch = Date.now();
  private readonly segmentBodies: Map<string, Buffer[]>;
  private readonly running = new Map<string, { timer?: NodeJS.Timeout; inFlight?: Promise<void> }>();
  private readonly writeListeners: Array<(write: PlaylistWrite) => void> = [];
  private randomState: number;

  private constructor(private readonly options: LiveEncoderOptions) {
    this.targetDurationMs = (options.targetDurationSeconds ?? 2) * 1000;
    this.windowSize = options.windowSize ?? 4;
    this.multivariantKey = options.multivariantKey ?? 'master.m3u8';
    this.randomState = Math.max(1, Math.floor(options.seed ?? 1) % 2147483647);
    this.segmentBodies = new Map(options.renditions.map((r) => [r.name, r.segmentFiles.map((file) => fs.readFileSync(file))]));
  }

  /** Key of a pipeline's media playlist for a rendition, e.g. `pipeline-a/360p/index.m3u8`. */
  public mediaPlaylistKey(pipeline: string, rendition: string): string {
    return `${pipeline}/${rendition}/index.m3u8`;
  }

  /** True while a pipeline publishes. */
  public isRunning(pipeline: string): boolean {
    return this.running.has(pipeline);
  }

  /** The last playlist update of a pipeline. */
  public lastWrite(pipeline: string): PlaylistWrite | undefined {
    return [...this.writes].reverse().find((write) => write.pipeline === pipeline);
  }

  /** Resolves with the next playlist update of `pipeline`. */
  public nextWrite(pipeline: string): Promise<PlaylistWrite> {
    return new Promise((resolve) => {
      const listener = (write: PlaylistWrite) => {
        if (write.pipeline !== pipeline) return;
        this.writeListeners.splice(this.writeListeners.indexOf(listener), 1);
        resolve(write);
      };
      this.writeListeners.push(listener);
    });
  }

  /**
   * Starts (or restarts) a pipeline: it writes the window that ends at the newest segment due now, like an
   * encoder that rejoins the shared clock, and resolves once that write completed.
   */
  public async startPipeline(pipeline: string): Promise<void> {
    if (this.running.has(pipeline)) throw new Error(`${pipeline} is already running`);
    const state: { timer?: NodeJS.Timeout; inFlight?: Promise<void> } = {};
    this.running.set(pipeline, state);
    const newest = this.windowSize - 1 + Math.floor((Date.now() - this.epoch) / this.targetDurationMs);
    const startedAt = Date.now();
    state.inFlight = this.publish(pipeline, newest);
    try {
      await state.inFlight;
    } catch (error) {
      this.running.delete(pipeline);
      throw error;
    }
    // keep at least half a target duration between this update and the next (RFC 8216 §6.2.1)
    this.schedule(pipeline, newest + 1, startedAt + this.targetDurationMs / 2);
  }

  /** Stops a pipeline as a failed encoder would: no further writes. Resolves once an update in flight landed. */
  public async stopPipeline(pipeline: string): Promise<void> {
    const state = this.running.get(pipeline);
    if (!state) return;
    this.running.delete(pipeline);
    clearTimeout(state.timer);
    await state.inFlight;
  }

  /** Stops every pipeline. */
  public async stop(): Promise<void> {
    await Promise.all([...this.running.keys()].map((pipeline) => this.stopPipeline(pipeline)));
  }

  /** The redundant multivariant playlist: each rendition once per pipeline, pipelines in order. */
  public multivariantPlaylist(): string {
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
    for (const rendition of this.options.renditions) {
      for (const pipeline of this.options.pipelines) {
        lines.push(`#EXT-X-STREAM-INF:${rendition.streamInf}`, this.mediaPlaylistKey(pipeline, rendition.name));
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** The media playlist whose newest segment is `newest`. */
  public mediaPlaylist(newest: number): string {
    const first = Math.max(0, newest - this.windowSize + 1);
    const loop = this.loopLength();
    const lines = [
      '#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${this.targetDurationMs / 1000}`,
      `#EXT-X-MEDIA-SEQUENCE:${first}`, `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(first / loop)}`,
    ];
    for (let sequence = first; sequence <= newest; sequence++) {
      if (sequence !== first && sequence % loop === 0) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXTINF:${(this.targetDurationMs / 1000).toFixed(3)},`, this.segmentName(sequence));
    }
    return `${lines.join('\n')}\n`;
  }

  /** When segment `sequence` is due on the shared clock (ms since epoch). */
  public dueAt(sequence: number): number {
    return this.epoch + (sequence - this.windowSize + 1) * this.targetDurationMs;
  }

  private loopLength(): number {
    return Math.min(...this.options.renditions.map((r) => r.segmentFiles.length));
  }

  private segmentName(sequence: number): string {
    return `segment_${String(sequence).padStart(6, '0')}.ts`;
  }

  private schedule(pipeline: string, sequence: number, notBefore: number): void {
    const state = this.running.get(pipeline);
    if (!state) return;
    const delay = minDelay + (maxDelay - minDelay) * this.random();
    const at = Math.max(this.dueAt(sequence) + delay * this.targetDurationMs, notBefore);
    state.timer = setTimeout(() => {
      if (this.running.get(pipeline) !== state) return;
      state.inFlight = this.publish(pipeline, sequence).then(
        () => this.schedule(pipeline, sequence + 1, 0),
        (error: Error) => {
          this.errors.push(error);
          this.running.delete(pipeline);
        },
      );
    }, Math.max(0, at - Date.now()));
  }

  /** Uploads the segments a window ending at `newest` needs (all of them on a (re)start), then the playlists. */
  private async publish(pipeline: string, newest: number): Promise<void> {
    const previous = this.lastWrite(pipeline)?.newestSequence ?? -1;
    const first = Math.max(0, newest - this.windowSize + 1, previous + 1);
    const loop = this.loopLength();
    await Promise.all(this.options.renditions.flatMap((rendition) => {
      const bodies = this.segmentBodies.get(rendition.name)!;
      const uploads: Array<Promise<void>> = [];
      for (let sequence = first; sequence <= newest; sequence++) {
        const key = `${pipeline}/${rendition.name}/${this.segmentName(sequence)}`;
        uploads.push(this.put(key, bodies[sequence % loop], segmentContentType));
      }
      return uploads;
    }));
    const startedAt = Date.now();
    await Promise.all(this.options.renditions.map((rendition) =>
      this.put(this.mediaPlaylistKey(pipeline, rendition.name), this.mediaPlaylist(newest), playlistContentType)));
    const write = { pipeline, newestSequence: newest, startedAt, finishedAt: Date.now() };
    this.writes.push(write);
    [...this.writeListeners].forEach((listener) => listener(write));
  }

  /** One upload; retried twice, as a live encoder retries a failed PUT (only a persistent failure stops its pipeline). */
  private async put(key: string, body: string | Buffer, contentType: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body, ContentType: contentType }));
        return;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }

  /** Park-Miller minimal standard generator: a small seeded PRNG in [0, 1). */
  private random(): number {
    this.randomState = (this.randomState * 48271) % 2147483647;
    return (this.randomState - 1) / 2147483646;
  }
}

/** Reads a fixture multivariant playlist's EXT-X-STREAM-INF attributes by rendition folder name. */
export function streamInfByRendition(multivariantFile: string): Record<string, string> {
  const lines = fs.readFileSync(multivariantFile, 'utf8').split('\n').map((line) => line.trim());
  const attributes: Record<string, string> = {};
  lines.forEach((line, index) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const uri = lines.slice(index + 1).find((next) => next !== '' && !next.startsWith('#'));
    if (uri) attributes[path.dirname(uri)] = line.slice('#EXT-X-STREAM-INF:'.length);
  });
  return attributes;
}
