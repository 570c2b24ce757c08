/**
 * The edge-mode marker: a CloudFront Function cannot read a playlist, so this reads each new one (its first
 * bytes, and its last bytes when it is larger) and marks multivariant and ended playlists with S3 user
 * metadata through a conditional copy in place. The edge function lets marked playlists through. I/O goes
 * through a {@link MarkerStore}; nothing here knows about the AWS SDK or Lambda.
 */
import { bareEtag, locatePipeline, PipelineLocation, PlaylistUpload } from './check';
import { isExemptPlaylistType, isPlaylistKey, markerReadLimits, PlaylistMark } from '../../src/stale-playlist-guard/contract/playlist-marks';
import { playlistMarks, playlistTypeMetadataName } from '../../src/stale-playlist-guard/contract/protocol';
import { classifyPlaylist } from '../../src/stale-playlist-guard/contract/staleness';

/** What a copy in place must carry over so the object stays what the encoder wrote (a REPLACE copy drops the rest). */
export interface ObjectAttributes {
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly contentEncoding?: string;
  readonly contentDisposition?: string;
  readonly contentLanguage?: string;
  readonly expires?: Date;
  /** User metadata, without the `x-amz-meta-` prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A byte range of the current version of an object, with what describes the whole object. */
export interface PlaylistRange {
  /** The bytes read, as UTF-8 (empty for an empty object). */
  readonly text: string;
  /** Bare or quoted; compared with {@link bareEtag}. */
  readonly etag: string;
  /** Size of the whole object in bytes. */
  readonly size: number;
  readonly attributes: ObjectAttributes;
}

/** Outcome of a conditional copy in place. */
export type ConditionalCopyResult = 'copied' | 'precondition-failed' | 'gone';

/** The storage the marker reads and marks playlists in; errors other than the outcomes below are thrown. */
export interface MarkerStore {
  /**
   * Bytes `start`..`end` (inclusive, clipped to the object) of the current version, or of exactly version `etag`
   * when given. Undefined when there is no such object (or it is another version now).
   */
  readRange(bucket: string, key: string, start: number, end: number, etag?: string): Promise<PlaylistRange | undefined>;
  /** Copies the object onto itself with `attributes` (metadata REPLACE), only while its ETag is `etag`, atomically. */
  copyInPlaceIfMatch(bucket: string, key: string, etag: string, attributes: ObjectAttributes): Promise<ConditionalCopyResult>;
}

/** Why a playlist was left unmarked. */
export type MarkSkipReason =
  | 'not-object-created' | 'not-a-playlist' | 'outside-pipelines' | 'gone' | 'updated' | 'already-marked' | 'live' | 'unclassified'
  | 're-uploaded';

/** The decision about one upload. */
export type MarkDecision =
  | { readonly decision: 'marked'; readonly mark: PlaylistMark; readonly bytesRead: number }
  | { readonly decision: 'skipped'; readonly reason: MarkSkipReason; readonly bytesRead: number };

/** What the marker needs besides the upload. */
export interface MarkContext {
  readonly store: MarkerStore;
  readonly pipelines: readonly PipelineLocation[];
}

/**
 * Marks one upload when it is a multivariant or ended playlist. A copy in place raises another ObjectCreated
 * event (`ObjectCreated:Copy`); for it the object is already marked and nothing is written, so there is no loop.
 * A playlist re-uploaded meanwhile is never overwritten: the copy names the version read (`x-amz-copy-source-if-match`),
 * and the newer upload's own event marks it.
 */
export async function markPlaylistUpload(upload: PlaylistUpload, context: MarkContext): Promise<MarkDecision> {
  const { store } = context;
  let bytesRead = 0;
  const skip = (reason: MarkSkipReason): MarkDecision => ({ decision: 'skipped', reason, bytesRead });
  if (!upload.eventName.startsWith('ObjectCreated:')) return skip('not-object-created');
  if (!isPlaylistKey(upload.key)) return skip('not-a-playlist');
  if (!locatePipeline(context.pipelines, upload.bucket, upload.key)) return skip('outside-pipelines');

  const head = await store.readRange(upload.bucket, upload.key, 0, markerReadLimits.headBytes - 1);
  if (!head) return skip('gone');
  bytesRead += Buffer.byteLength(head.text);
  if (upload.etag !== '' && bareEtag(head.etag) !== upload.etag) return skip('updated');
  if (isExemptPlaylistType(head.attributes.metadata[playlistTypeMetadataName])) return skip('already-marked');
  let text = head.text;
  if (head.size > markerReadLimits.headBytes) {
    const tailStart = Math.max(markerReadLimits.headBytes, head.size - markerReadLimits.tailBytes);
    const tail = await store.readRange(upload.bucket, upload.key, tailStart, head.size - 1, head.etag);
    if (!tail) return skip('updated');
    bytesRead += Buffer.byteLength(tail.text);
    text = `${head.text}\n${tail.text}`;
  }

  const kind = classifyPlaylist(text).kind;
  if (kind === 'live') return skip('live');
  if (kind === 'no-target-duration') return skip('unclassified');
  const mark = kind === 'multivariant' ? playlistMarks.multivariant : playlistMarks.ended;
  const attributes = { ...head.attributes, metadata: { ...head.attributes.metadata, [playlistTypeMetadataName]: mark } };
  const result = await store.copyInPlaceIfMatch(upload.bucket, upload.key, head.etag, attributes);
  if (result === 'precondition-failed') return skip('re-uploaded');
  if (result === 'gone') return skip('gone');
  return { decision: 'marked', mark, bytesRead };
}
