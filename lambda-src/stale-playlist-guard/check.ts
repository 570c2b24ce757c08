/**
 * The origin-mode decision: is the playlist an S3 event announced still the same object a threshold later,
 * is a redundant pipeline still healthy, and may it therefore be deleted. I/O goes through a
 * {@link PlaylistStore}; nothing here knows about the AWS SDK, SQS or Lambda.
 */
import { ownsKey } from '../../src/stale-playlist-guard/contract/pipeline-prefix';
import { isExemptPlaylistType, isPlaylistKey } from '../../src/stale-playlist-guard/contract/playlist-marks';
import { guardDefaults, guardEnvironment } from '../../src/stale-playlist-guard/contract/protocol';
import { classifyPlaylist, isStale, staleAfterMs } from '../../src/stale-playlist-guard/contract/staleness';

/** One encoder pipeline's output location: a bucket and the key prefix it owns, as the construct normalised it (see pipeline-prefix.ts). */
export interface PipelineLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/** What the construct configures the check with. */
export interface GuardConfig {
  /** The pipelines, in order; a key in one maps to the same relative key in the others. */
  readonly pipelines: readonly PipelineLocation[];
  /** How many target durations without an update make a live media playlist stale. */
  readonly staleAfterTargetDurations: number;
}

/** Reads the configuration the construct wrote into the environment; throws naming a bad variable. */
export function readGuardConfig(env: Record<string, string | undefined>): GuardConfig {
  const multipleText = env[guardEnvironment.staleAfterTargetDurations];
  const multiple = multipleText === undefined || multipleText === '' ? guardDefaults.staleAfterTargetDurations : Number(multipleText);
  if (!(Number.isFinite(multiple) && multiple > 0)) {
    throw new Error(`${guardEnvironment.staleAfterTargetDurations} must be a positive number, got '${multipleText}'`);
  }
  return { pipelines: readPipelines(env), staleAfterTargetDurations: multiple };
}

/** Reads the pipelines the construct wrote into the environment; throws naming the variable. */
export function readPipelines(env: Record<string, string | undefined>): PipelineLocation[] {
  const text = env[guardEnvironment.pipelines];
  const problem = `${guardEnvironment.pipelines} must be a JSON array of { "bucket": string, "prefix": string }`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    throw new Error(`${problem}, got '${text ?? ''}'`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`${problem} with at least one entry, got '${text}'`);
  return parsed.map((entry: unknown) => {
    const { bucket, prefix } = (entry ?? {}) as { bucket?: unknown; prefix?: unknown };
    if (typeof bucket !== 'string' || bucket === '' || (prefix !== undefined && typeof prefix !== 'string')) {
      throw new Error(`${problem}, got '${text}'`);
    }
    // the construct wrote each pipeline's key prefix, folders already ending in '/': used as written
    return { bucket, prefix: prefix ?? '' };
  });
}

/** Where a key sits among the pipelines. */
export interface PipelineMatch {
  /** Index of the pipeline in the configuration. */
  readonly index: number;
  /** The key after the pipeline's key prefix, e.g. `720p/index.m3u8` (folder `pipeline-a/`) or `-720p.m3u8` (key prefix `live/channel-a`). */
  readonly relativeKey: string;
}

/** The pipeline a key belongs to (the longest matching prefix in that bucket), or undefined. */
export function locatePipeline(pipelines: readonly PipelineLocation[], bucket: string, key: string): PipelineMatch | undefined {
  let match: PipelineMatch | undefined;
  let matchedPrefixLength = -1;
  pipelines.forEach((pipeline, index) => {
    if (pipeline.bucket === bucket && ownsKey(pipeline.prefix, key) && pipeline.prefix.length > matchedPrefixLength) {
      match = { index, relativeKey: key.slice(pipeline.prefix.length) };
      matchedPrefixLength = pipeline.prefix.length;
    }
  });
  return match;
}

/** An object location. */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/** The same relative key in every other pipeline: where the redundant copies of a playlist live. */
export function counterpartLocations(pipelines: readonly PipelineLocation[], match: PipelineMatch): ObjectLocation[] {
  return pipelines
    .filter((_, index) => index !== match.index)
    .map((pipeline) => ({ bucket: pipeline.bucket, key: `${pipeline.prefix}${match.relativeKey}` }));
}

/** Decodes an S3 event key: S3 URL-encodes keys in notifications, with `+` for a space. */
export function decodeS3EventKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/** An ETag without surrounding quotes (S3 events carry it bare, HeadObject quoted). */
export function bareEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** The current version of an object. */
export interface PlaylistHead {
  /** Bare or quoted; compared with {@link bareEtag}. */
  readonly etag: string;
  /** Whole seconds, as S3 keeps it. */
  readonly lastModified: Date;
  /** The `x-amz-meta-playlist-type` user metadata, when present. */
  readonly playlistType?: string;
}

/** Outcome of a conditional delete. */
export type ConditionalDeleteResult = 'deleted' | 'precondition-failed' | 'gone';

/** The storage the check reads and deletes playlists in; errors other than the outcomes below are thrown. */
export interface PlaylistStore {
  /** The current version, or undefined when there is no such object. */
  head(bucket: string, key: string): Promise<PlaylistHead | undefined>;
  /** The text of exactly the version `etag`, or undefined when the object is gone or is another version now. */
  getText(bucket: string, key: string, etag: string): Promise<string | undefined>;
  /** Deletes the object only while its ETag is `etag`, atomically. */
  deleteIfMatch(bucket: string, key: string, etag: string): Promise<ConditionalDeleteResult>;
}

/** A playlist upload an S3 ObjectCreated record announced. */
export interface PlaylistUpload {
  readonly bucket: string;
  /** Decoded. */
  readonly key: string;
  /** Bare, as in the record. */
  readonly etag: string;
  /** When S3 wrote it; undefined when the record has no usable eventTime (the object's Last-Modified is used). */
  readonly eventTimeMs?: number;
  readonly eventName: string;
}

/** One record of a queue message: an upload, or why it could not be read. */
export type ParsedRecord = { readonly upload: PlaylistUpload } | { readonly malformed: string };

/** What a queue message carries. */
export type ParsedMessage =
  | { readonly kind: 'test-event' }
  | { readonly kind: 'records'; readonly records: readonly ParsedRecord[] }
  | { readonly kind: 'unrecognised'; readonly detail: string };

/** Reads an S3-to-SQS message body: `{"Records":[...]}`, or the `s3:TestEvent` sent when the notification is set up. */
export function parseQueueMessage(body: string): ParsedMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'unrecognised', detail: 'the body is not JSON' };
  }
  const message = (parsed ?? {}) as { Event?: unknown; Records?: unknown };
  if (message.Event === 's3:TestEvent') return { kind: 'test-event' };
  if (!Array.isArray(message.Records)) return { kind: 'unrecognised', detail: 'the body has no Records array' };
  return { kind: 'records', records: message.Records.map(parseS3Record) };
}

/** Reads one S3 notification record (S3 -> SQS, or S3 -> Lambda directly). */
export function parseS3Record(record: unknown): ParsedRecord {
  const { eventName, eventTime, s3 } = (record ?? {}) as {
    eventName?: unknown; eventTime?: unknown; s3?: { bucket?: { name?: unknown }; object?: { key?: unknown; eTag?: unknown } };
  };
  const bucket = s3?.bucket?.name;
  const rawKey = s3?.object?.key;
  const etag = s3?.object?.eTag;
  if (typeof eventName !== 'string' || typeof bucket !== 'string' || typeof rawKey !== 'string') {
    return { malformed: 'the record lacks eventName, s3.bucket.name or s3.object.key' };
  }
  let key: string;
  try {
    key = decodeS3EventKey(rawKey);
  } catch {
    return { malformed: `the key '${rawKey}' is not URL-encoded` };
  }
  const eventTimeMs = typeof eventTime === 'string' ? Date.parse(eventTime) : NaN;
  return {
    upload: {
      bucket,
      key,
      eventName,
      etag: typeof etag === 'string' ? bareEtag(etag) : '',
      eventTimeMs: Number.isFinite(eventTimeMs) ? eventTimeMs : undefined,
    },
  };
}

/** Why a playlist was left alone. */
export type SkipReason =
  | 'not-object-created' | 'not-a-playlist' | 'outside-pipelines' | 'multivariant' | 'gone' | 'updated' | 'exempt'
  | 'ended' | 'no-target-duration' | 'all-pipelines-stale' | 'only-pipeline' | 're-uploaded' | 'malformed-record';

/** The decision about one upload. */
export type PlaylistDecision =
  | { readonly decision: 'deleted'; readonly reason: 'stale'; readonly staleDetected: true; readonly details: DecisionDetails }
  | { readonly decision: 'skipped'; readonly reason: SkipReason; readonly staleDetected: boolean; readonly details: DecisionDetails }
  /** Not stale yet (the playlist declares a longer target duration than the queue delay assumed): check again later. */
  | { readonly decision: 'retry'; readonly reason: 'not-yet-due'; readonly staleDetected: false; readonly details: DecisionDetails };

/** What the decision was based on, for the log line. */
export interface DecisionDetails {
  readonly targetDurationSeconds?: number;
  readonly thresholdMs?: number;
  /** Age of the upload when checked. */
  readonly ageMs?: number;
  /** When the upload becomes stale (not-yet-due). */
  readonly dueAt?: string;
  /** Counterparts that were still being updated (deleted) or that were checked (all-pipelines-stale). */
  readonly counterparts?: string[];
}

/** What the check needs besides the upload. */
export interface CheckContext {
  readonly store: PlaylistStore;
  readonly config: GuardConfig;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * Decides about one upload, deleting the playlist when it is still the uploaded version a threshold after
 * the upload and some other pipeline is healthy (never the playlist of a single configured pipeline). Store errors other than the expected outcomes propagate.
 */
export async function checkPlaylistUpload(upload: PlaylistUpload, context: CheckContext): Promise<PlaylistDecision> {
  const { store, config } = context;
  const skip = (reason: SkipReason, details: DecisionDetails = {}, staleDetected = false): PlaylistDecision =>
    ({ decision: 'skipped', reason, staleDetected, details });
  if (!upload.eventName.startsWith('ObjectCreated:')) return skip('not-object-created');
  if (!isPlaylistKey(upload.key)) return skip('not-a-playlist');
  const match = locatePipeline(config.pipelines, upload.bucket, upload.key);
  if (!match) return skip('outside-pipelines');

  const head = await store.head(upload.bucket, upload.key);
  if (!head) return skip('gone');
  if (bareEtag(head.etag) !== upload.etag) return skip('updated');
  if (isExemptPlaylistType(head.playlistType)) return skip('exempt');
  const text = await store.getText(upload.bucket, upload.key, head.etag);
  if (text === undefined) return skip('updated');
  const playlist = classifyPlaylist(text);
  if (playlist.kind === 'multivariant') return skip('multivariant');
  if (playlist.kind === 'ended') return skip('ended');
  if (playlist.kind === 'no-target-duration' || playlist.targetDurationSeconds === undefined) return skip('no-target-duration');

  const targetDurationSeconds = playlist.targetDurationSeconds;
  const thresholdMs = staleAfterMs(targetDurationSeconds, config.staleAfterTargetDurations);
  const writtenAtMs = upload.eventTimeMs ?? head.lastModified.getTime();
  const nowMs = context.now();
  const details: DecisionDetails = { targetDurationSeconds, thresholdMs, ageMs: nowMs - writtenAtMs };
  if (!isStale(writtenAtMs, nowMs, thresholdMs)) {
    const dueAt = new Date(writtenAtMs + thresholdMs).toISOString();
    return { decision: 'retry', reason: 'not-yet-due', staleDetected: false, details: { ...details, dueAt } };
  }

  // a stale playlist is kept unless another pipeline is healthy: stale playback beats a total outage (one pipeline: always kept)
  const counterparts = counterpartLocations(config.pipelines, match);
  if (counterparts.length === 0) return skip('only-pipeline', details, true);
  const heads = await Promise.all(counterparts.map((counterpart) => store.head(counterpart.bucket, counterpart.key)));
  const healthy = counterparts.filter((_, index) => {
    const counterpartHead = heads[index];
    return counterpartHead !== undefined && !isStale(counterpartHead.lastModified.getTime(), nowMs, thresholdMs);
  }).map(describe);
  if (healthy.length === 0) return skip('all-pipelines-stale', { ...details, counterparts: counterparts.map(describe) }, true);

  const result = await store.deleteIfMatch(upload.bucket, upload.key, head.etag);
  if (result === 'precondition-failed') return skip('re-uploaded', details, true);
  if (result === 'gone') return skip('gone', details, true);
  return { decision: 'deleted', reason: 'stale', staleDetected: true, details: { ...details, counterparts: healthy } };
}

function describe(location: ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** An SQS message as the Lambda event carries it (the fields the check reads). */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

/** What happened to one record (or to a message that carries no records), for logs and metrics. */
export interface RecordOutcome {
  readonly messageId: string;
  readonly bucket?: string;
  readonly key?: string;
  /** `failed`: an unexpected error (retried, then dead-lettered); `ignored`: not an S3 record (test event, foreign message). */
  readonly decision: PlaylistDecision['decision'] | 'failed' | 'ignored';
  readonly reason: string;
  readonly staleDetected: boolean;
  readonly details?: DecisionDetails;
  readonly error?: unknown;
}

/** The answer to an SQS batch: the messages to retry, and every record's outcome. */
export interface BatchCheckResult {
  readonly batchItemFailures: Array<{ itemIdentifier: string }>;
  readonly outcomes: RecordOutcome[];
}

/**
 * Checks every record of every message, each independently: a record that throws or is not yet due makes
 * its message a batch item failure (the queue brings it back), and never affects the others.
 */
export async function checkQueueMessages(messages: readonly QueueMessage[], context: CheckContext): Promise<BatchCheckResult> {
  const perMessage = await Promise.all(messages.map((message) => checkQueueMessage(message, context)));
  return {
    batchItemFailures: messages
      .filter((_, index) => perMessage[index].some((outcome) => outcome.decision === 'retry' || outcome.decision === 'failed'))
      .map((message) => ({ itemIdentifier: message.messageId })),
    outcomes: perMessage.flat(),
  };
}

async function checkQueueMessage(message: QueueMessage, context: CheckContext): Promise<RecordOutcome[]> {
  const { messageId } = message;
  const parsed = parseQueueMessage(message.body);
  if (parsed.kind === 'test-event') return [{ messageId, decision: 'ignored', reason: 'test-event', staleDetected: false }];
  if (parsed.kind === 'unrecognised') {
    return [{ messageId, decision: 'ignored', reason: 'unrecognised-message', staleDetected: false, error: parsed.detail }];
  }
  const outcomes: RecordOutcome[] = [];
  for (const record of parsed.records) {
    if ('malformed' in record) {
      outcomes.push({ messageId, decision: 'skipped', reason: 'malformed-record', staleDetected: false, error: record.malformed });
      continue;
    }
    const { bucket, key } = record.upload;
    try {
      const decision = await checkPlaylistUpload(record.upload, context);
      outcomes.push({ messageId, bucket, key, ...decision });
    } catch (error) {
      outcomes.push({ messageId, bucket, key, decision: 'failed', reason: errorName(error), staleDetected: false, error });
    }
  }
  return outcomes;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}
