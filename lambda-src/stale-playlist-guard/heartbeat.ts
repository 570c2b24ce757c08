/**
 * Edge mode with two or more pipelines: pipeline heartbeats. Every playlist an encoder uploads shows its pipeline is
 * running; the marker publishes the upload's time under the pipeline's key in a CloudFront KeyValueStore, and the edge
 * function reads it to decide whether a stale playlist may become a 404 (another pipeline is healthy) or must be served
 * (none is). KeyValueStore writes are priced per API call, so each pipeline's heartbeat is written at most once per
 * interval from one marker instance. I/O goes through a {@link HeartbeatStore}; nothing here knows about the AWS SDK.
 */
import { locatePipeline, PipelineLocation, PlaylistUpload } from './check';
import { isPlaylistKey } from '../../src/stale-playlist-guard/contract/playlist-marks';
import { pipelineHeartbeatKey } from '../../src/stale-playlist-guard/contract/protocol';

/** Where heartbeats go; errors are thrown. */
export interface HeartbeatStore {
  /** Creates or replaces `key` with `value`. */
  put(key: string, value: string): Promise<void>;
}

/** The outcome of one upload. */
export type HeartbeatOutcome =
  | { readonly heartbeat: 'written'; readonly pipeline: number; readonly atMs: number }
  | { readonly heartbeat: 'coalesced'; readonly pipeline: number }
  /** Not an encoder's playlist upload in a pipeline (the marker's own copies included). */
  | { readonly heartbeat: 'none' };

/** S3 raises this for the marker's copies in place: they show nothing about the encoder. */
const markerCopyEvent = 'ObjectCreated:Copy';

/** Publishes pipeline heartbeats, at most one per pipeline per interval (of upload time). Keeps one number per pipeline. */
export class HeartbeatPublisher {
  private readonly lastWrittenMs = new Map<number, number>();

  constructor(
    private readonly store: HeartbeatStore,
    private readonly pipelines: readonly PipelineLocation[],
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes the pipeline's heartbeat for an encoder's playlist upload unless one less than an interval older was written. */
  public async beat(upload: PlaylistUpload): Promise<HeartbeatOutcome> {
    if (!upload.eventName.startsWith('ObjectCreated:') || upload.eventName === markerCopyEvent || !isPlaylistKey(upload.key)) return { heartbeat: 'none' };
    const match = locatePipeline(this.pipelines, upload.bucket, upload.key);
    if (!match) return { heartbeat: 'none' };
    const pipeline = match.index;
    const atMs = upload.eventTimeMs ?? this.now();
    const last = this.lastWrittenMs.get(pipeline);
    if (last !== undefined && atMs - last < this.intervalMs) return { heartbeat: 'coalesced', pipeline };
    await this.store.put(pipelineHeartbeatKey(pipeline), String(atMs));
    this.lastWrittenMs.set(pipeline, atMs);
    return { heartbeat: 'written', pipeline, atMs };
  }
}
