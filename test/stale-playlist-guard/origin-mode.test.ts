import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { bareEtag, ConditionalDeleteResult, PlaylistHead, PlaylistStore } from '../../lambda-src/stale-playlist-guard/check';
import { S3PlaylistStore } from '../../lambda-src/stale-playlist-guard/s3-store';
import { guardEnvironment, guardMetrics } from '../../src/stale-playlist-guard/contract/protocol';
import { setEnvironment } from '../harness/environment';
import { asS3Delivers, LoopbackS3, s3rverCredentials, startS3 } from '../harness/s3';

/**
 * Origin mode end to end against s3rver: simulated encoders write segments and media playlists, s3rver emits
 * the S3 notifications, a stand-in for the SQS delay queue and Lambda's poller delivers them to the real handler
 * (`lambda-src/stale-playlist-guard/check.lambda.ts`, configured from the environment, its S3 client reaching s3rver
 * through AWS_ENDPOINT_URL_S3), and the handler's HEAD/GET/DELETE go to s3rver.
 *
 * Time is virtual: thousands of playlist updates at a 2 s target duration would take many minutes. Every
 * encoder write, queue delivery and poll is an event on one virtual clock, run in order; the handler gets the
 * same clock through its injectable `now`, the notifications carry it as eventTime, and each playlist's
 * Last-Modified (s3rver's file mtime) is set to its virtual write time.
 */

type HandlerModule = typeof import('../../lambda-src/stale-playlist-guard/check.lambda');
type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

const bucket = `guard-origin-${process.pid}`;
const pipelines = ['pipeline-a/', 'pipeline-b/'];
const renditions = ['360p', '720p'];
const targetDurationSeconds = 2;
const staleAfterTargetDurations = 3;
const thresholdMs = staleAfterTargetDurations * targetDurationSeconds * 1000;
/** The construct's SQS delivery delay: the threshold, in whole seconds. */
const queueDelayMs = Math.ceil(thresholdMs / 1000) * 1000;
/** From the write to the message being in the queue. */
const notificationLatencyMs = 100;
/** How often Lambda's poller receives from the queue. */
const pollIntervalMs = 250;
/** The construct's visibility timeout: max(6 x the 30 s function timeout, threshold). */
const visibilityTimeoutMs = 180_000;
const maxReceiveCount = 5;
/**
 * Jest's hang guard for the simulations: they run on a virtual clock, so their wall time is CPU time against s3rver,
 * which a loaded 2-core machine stretches several-fold. Nothing here asserts on wall time.
 */
const longSimulationTimeoutMs = 300_000;
const simulationTimeoutMs = 120_000;
/** Pipeline B's writes follow A's by this much when the two encoders are output-locked. */
const lockedOffsetMs = 20;

let s3: LoopbackS3;
let s3rverRoot: string;
let guard: HandlerModule;
let activeSimulation: Simulation | undefined;
const logLines: Array<Record<string, unknown>> = [];
let restoreEnvironment: () => void = () => undefined;

beforeAll(async () => {
  s3 = await startS3([{ name: bucket }]);
  s3rverRoot = s3rverDirectoryHolding(bucket);
  s3.onEvent((record) => activeSimulation?.onS3Event(record));
  restoreEnvironment = setEnvironment({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    GUARD_S3_FORCE_PATH_STYLE: 'true',
    [guardEnvironment.pipelines]: JSON.stringify(pipelines.map((prefix) => ({ bucket, prefix }))),
    [guardEnvironment.staleAfterTargetDurations]: String(staleAfterTargetDurations),
    POWERTOOLS_SERVICE_NAME: 'origin-mode-test',
    POWERTOOLS_DEV: 'true', // logs and EMF go to the global console, captured below
    POWERTOOLS_METRICS_DISABLED: 'false', // dev mode would otherwise disable metrics
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
  });
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      for (const arg of args) {
        if (typeof arg !== 'string') continue;
        try {
          logLines.push(JSON.parse(arg) as Record<string, unknown>);
        } catch {
          logLines.push({ text: arg });
        }
      }
    });
  }
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    guard = require('../../lambda-src/stale-playlist-guard/check.lambda') as HandlerModule;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  restoreEnvironment();
  await s3?.stop();
});

describe('origin mode against s3rver', () => {
  test('s3rver ignores If-Match on GET and DELETE (the race test enforces it in a stand-in store); the SDK honours AWS_ENDPOINT_URL_S3', async () => {
    const key = 'facts/index.m3u8';
    const first = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n' }));
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:2\n' }));
    const read = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: first.ETag }));
    expect(read.$metadata.httpStatusCode).toBe(200); // real S3: 412 PreconditionFailed
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: first.ETag })); // real S3: 412
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
    await expect(s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: first.ETag })))
      .resolves.toMatchObject({ $metadata: { httpStatusCode: 204 } }); // real S3: 404 NoSuchKey

    // no endpoint in code: the SDK reads AWS_ENDPOINT_URL_S3 (an IP-literal endpoint is addressed path-style anyway)
    const fromEnvironment = new S3Client({});
    try {
      await fromEnvironment.send(new PutObjectCommand({ Bucket: bucket, Key: 'facts/env.m3u8', Body: '#EXTM3U\n' }));
      expect((await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'facts/env.m3u8' }))).ETag).toBeDefined();
    } finally {
      fromEnvironment.destroy();
    }
  });

  test('the exported handler on the real clock: ignores the test event, deletes a stale URL-encoded key', async () => {
    const since = logLines.length;
    const key = 'pipeline-a/chan 1/index(1).m3u8';
    const body = mediaPlaylist(7);
    const put = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const writtenAtMs = Date.now() - thresholdMs - 2000;
    await setLastModified(key, body, writtenAtMs);
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'pipeline-b/chan 1/index(1).m3u8', Body: mediaPlaylist(8) }));
    const record = s3.events.find((event) => event.s3.object.key === key && event.s3.object.eTag === bareEtag(put.ETag!))!;
    const response = await guard.handler({
      Records: [
        sqsRecord('test-event', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: bucket })),
        sqsRecord('upload', JSON.stringify({ Records: [asS3Delivers(record, writtenAtMs)] })),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
    const lines = logLines.slice(since);
    expect(decisions(lines)).toEqual([{ decision: 'ignored', reason: 'test-event' }, { key, decision: 'deleted', reason: 'stale' }]);
    expect(metricSum(lines, guardMetrics.deletions)).toBe(1);
    expect(metricSum(lines, guardMetrics.staleDetections)).toBe(1);
  });

  test('an S3 error fails only its message (logged as an error); a playlist without target duration is kept with a warning', async () => {
    const since = logLines.length;
    const inner = new S3PlaylistStore(s3.client);
    const throttled: PlaylistStore = {
      head: async (bucketName, key) => {
        if (key.includes('throttled')) throw Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' });
        return inner.head(bucketName, key);
      },
      getText: (bucketName, key, etag) => inner.getText(bucketName, key, etag),
      deleteIfMatch: (bucketName, key, etag) => inner.deleteIfMatch(bucketName, key, etag),
    };
    const check = guard.createStalePlaylistCheckHandler({ store: throttled });
    const writtenAtMs = Date.now() - thresholdMs - 2000;
    const records: SQSRecord[] = [];
    for (const [name, body] of [['throttled', mediaPlaylist(1)], ['untimed', '#EXTM3U\n#EXTINF:2.000,\nseg_1.ts\n']]) {
      const key = `pipeline-a/errors/${name}.m3u8`;
      const put = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      const record = s3.events.find((event) => event.s3.object.key === key && event.s3.object.eTag === bareEtag(put.ETag!))!;
      records.push(sqsRecord(name, JSON.stringify({ Records: [asS3Delivers(record, writtenAtMs)] })));
    }
    expect(await check({ Records: records })).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
    const lines = logLines.slice(since);
    expect(lines.find((line) => line.level === 'ERROR')).toMatchObject({
      key: 'pipeline-a/errors/throttled.m3u8',
      decision: 'failed',
      reason: 'SlowDown',
      error: { name: 'SlowDown', message: 'Please reduce your request rate.' },
    });
    expect(lines.find((line) => line.level === 'WARN')).toMatchObject({
      message: expect.stringContaining('pipeline-a/errors/untimed.m3u8'), decision: 'skipped', reason: 'no-target-duration',
    });
    await expectPresent('pipeline-a/errors/untimed.m3u8');
  });

  test('two pipelines, 2 renditions each, 2,000+ jittered updates: only the stopped pipeline\'s media playlists are deleted, in time', async () => {
    const since = logLines.length;
    const sim: Simulation = new Simulation(guard.createStalePlaylistCheckHandler({ now: () => sim.nowMs }));
    const live = new LiveChannel(sim, 'main', { locked: false, seed: 20260101 });
    sim.send(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date(sim.nowMs).toISOString(), Bucket: bucket }));
    await live.start();
    while (live.playlistUpdates < 2000) await sim.runUntil(sim.nowMs + 5000);
    expect(sim.deletions).toEqual([]); // no deletion while both pipelines write

    const stoppedAt = sim.nowMs;
    live.stop('pipeline-a/');
    await sim.runUntil(stoppedAt + 40_000);
    activeSimulation = undefined;

    const deleted = Object.fromEntries(sim.deletions.map((deletion) => [deletion.key, deletion.atMs]));
    expect(Object.keys(deleted).sort()).toEqual(renditions.map((rendition) => live.mediaKey('pipeline-a/', rendition)).sort());
    for (const rendition of renditions) {
      const key = live.mediaKey('pipeline-a/', rendition);
      const lastWrite = live.lastWriteMs.get(key)!;
      expect(deleted[key]).toBeGreaterThan(lastWrite + thresholdMs); // never before it is stale
      expect(deleted[key]).toBeLessThanOrEqual(stoppedAt + thresholdMs + queueDelayMs);
      await expectPresent(live.mediaKey('pipeline-b/', rendition));
    }
    for (const pipeline of pipelines) await expectPresent(live.masterKey(pipeline));
    expect(sim.deadLetters).toEqual([]);

    const lines = logLines.slice(since);
    const counts = countDecisions(lines);
    expect(counts['deleted/stale']).toBe(2);
    // every media playlist upload was checked once: superseded, or deleted; the rest are still in the queue
    expect(counts['skipped/updated'] + counts['deleted/stale'] + sim.pendingMessages).toBe(live.playlistUpdates);
    expect(counts['skipped/multivariant']).toBe(2);
    expect(counts['ignored/test-event']).toBe(1);
    expect(Object.keys(counts).filter((outcome) => /^(failed|retry)\//.test(outcome))).toEqual([]);
    expect(metricSum(lines, guardMetrics.deletions)).toBe(2);
    expect(metricSum(lines, guardMetrics.staleDetections)).toBe(2);
    expect(metricSum(lines, guardMetrics.skips, 'updated')).toBe(counts['skipped/updated']);
    expect(lines.find((line) => '_aws' in line)).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: guardMetrics.namespace }] } });
  }, longSimulationTimeoutMs);

  test('a re-upload landing between the check and the delete is never deleted (If-Match enforced by a stand-in store)', async () => {
    const since = logLines.length;
    const lock = new Mutex();
    let raced = false;
    let reupload: { etag: string; atMs: number } | undefined;
    const store = new IfMatchEnforcingStore(new S3PlaylistStore(s3.client), lock, async (_, key) => {
      if (raced || !key.startsWith('pipeline-a/')) return;
      raced = true;
      reupload = await lock.run(() => live.writePlaylist('pipeline-a/', '720p'));
    });
    const sim: Simulation = new Simulation(guard.createStalePlaylistCheckHandler({ store, now: () => sim.nowMs }));
    const live = new LiveChannel(sim, 'race', { locked: false, seed: 7, renditions: ['720p'] });
    await live.start();
    await sim.runUntil(sim.nowMs + 20_000);
    const stoppedAt = sim.nowMs;
    live.stop('pipeline-a/');
    await sim.runUntil(stoppedAt + thresholdMs + 1000); // the last upload is checked: the encoder re-uploads before the delete
    const key = live.mediaKey('pipeline-a/', '720p');
    expect(reupload).toBeDefined();
    expect(sim.deletions).toEqual([]);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(bareEtag(head.ETag!)).toBe(reupload!.etag);
    const raceOutcomes = decisions(logLines.slice(since)).filter((line) => line.reason === 're-uploaded');
    expect(raceOutcomes).toEqual([{ key, decision: 'skipped', reason: 're-uploaded' }]);

    // the re-upload is an upload like any other: deleted once it is stale itself, as B still runs
    await sim.runUntil(reupload!.atMs + thresholdMs + queueDelayMs);
    activeSimulation = undefined;
    expect(sim.deletions.map((deletion) => deletion.key)).toEqual([key]);
    expect(sim.deletions[0].atMs).toBeGreaterThan(reupload!.atMs + thresholdMs);
    const lines = logLines.slice(since);
    expect(metricSum(lines, guardMetrics.skips, 're-uploaded')).toBe(1);
    expect(metricSum(lines, guardMetrics.staleDetections)).toBe(2);
    expect(metricSum(lines, guardMetrics.deletions)).toBe(1);
  }, simulationTimeoutMs);

  /** Runs a channel for a minute, stops every pipeline, and runs on past the threshold plus one queue delay. */
  async function runTotalOutage(name: string, options: { locked: boolean; seed: number }): Promise<{ sim: Simulation; live: LiveChannel }> {
    const sim: Simulation = new Simulation(guard.createStalePlaylistCheckHandler({ now: () => sim.nowMs }));
    const live = new LiveChannel(sim, name, options);
    await live.start();
    await sim.runUntil(sim.nowMs + 60_000);
    const stoppedAt = sim.nowMs;
    pipelines.forEach((pipeline) => live.stop(pipeline));
    await sim.runUntil(stoppedAt + thresholdMs + queueDelayMs + 10_000);
    activeSimulation = undefined;
    return { sim, live };
  }

  test('both pipelines stop together (output-locked encoders, lost contribution feed): nothing is deleted', async () => {
    const since = logLines.length;
    const { sim, live } = await runTotalOutage('outage', { locked: true, seed: 99 });

    expect(sim.deletions).toEqual([]);
    for (const pipeline of pipelines) {
      for (const rendition of renditions) await expectPresent(live.mediaKey(pipeline, rendition));
    }
    const lines = logLines.slice(since);
    const kept = decisions(lines).filter((line) => line.reason === 'all-pipelines-stale').map((line) => line.key).sort();
    expect(kept).toEqual(pipelines.flatMap((pipeline) => renditions.map((rendition) => live.mediaKey(pipeline, rendition))).sort());
    expect(lines.filter((line) => line.level === 'WARN' && line.reason === 'all-pipelines-stale')).toHaveLength(4);
    expect(metricSum(lines, guardMetrics.skips, 'all-pipelines-stale')).toBe(4);
    expect(metricSum(lines, guardMetrics.staleDetections)).toBe(4);
    expect(metricSum(lines, guardMetrics.deletions)).toBe(0);
  }, simulationTimeoutMs);

  test('both pipelines stop with independent jitter: at most one copy of each playlist is deleted', async () => {
    // The pipeline whose last update came first is checked while the other is still inside its threshold,
    // so it is deleted (the other is healthy at that moment); the other is then kept as all-pipelines-stale.
    const { sim, live } = await runTotalOutage('outage-jitter', { locked: false, seed: 4242 });

    for (const rendition of renditions) {
      const keys = pipelines.map((pipeline) => live.mediaKey(pipeline, rendition));
      expect(sim.deletions.filter((deletion) => keys.includes(deletion.key)).length).toBeLessThanOrEqual(1);
      const present = await Promise.all(keys.map((key) => exists(key)));
      expect(present).toContain(true);
    }
    expect(sim.deadLetters).toEqual([]);
  }, simulationTimeoutMs);
});

/** One message in the delay-queue stand-in. */
interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAtMs: number;
  visibleAtMs: number;
  receiveCount: number;
}

/**
 * A virtual clock with an agenda, an SQS delay queue (delivery delay, visibility timeout, redrive to a
 * dead-letter list) fed by s3rver's notifications as S3 would send them, and Lambda's poller calling the handler
 * with batches of up to 10 and deleting what it did not report as failed.
 */
class Simulation {
  public nowMs = Date.parse('2030-01-01T00:00:00.000Z');
  public readonly deletions: Array<{ key: string; atMs: number }> = [];
  public readonly deadLetters: QueuedMessage[] = [];
  private readonly agenda: Array<{ atMs: number; order: number; action: () => unknown }> = [];
  private readonly messages: QueuedMessage[] = [];
  private order = 0;

  constructor(private readonly handler: Handler) {
    activeSimulation = this;
    this.at(this.nowMs, () => this.poll());
  }

  /** Runs `action` at virtual time `atMs` (after everything already scheduled for that time). */
  public at(atMs: number, action: () => unknown): void {
    const entry = { atMs, order: this.order++, action };
    let index = this.agenda.length;
    while (index > 0 && this.agenda[index - 1].atMs > atMs) index--;
    this.agenda.splice(index, 0, entry);
  }

  /** Runs the agenda in time order, one action at a time, up to and including `endMs`. */
  public async runUntil(endMs: number): Promise<void> {
    while (this.agenda.length > 0 && this.agenda[0].atMs <= endMs) {
      const next = this.agenda.shift()!;
      this.nowMs = Math.max(this.nowMs, next.atMs);
      await next.action();
    }
    this.nowMs = Math.max(this.nowMs, endMs);
  }

  /** The S3 event notification (prefix + `.m3u8` filter, ObjectCreated) and deletions, as they happen. */
  public onS3Event(record: S3EventRecord): void {
    const key = record.s3.object.key;
    if (record.eventName.startsWith('ObjectRemoved:')) {
      this.deletions.push({ key, atMs: this.nowMs });
    } else if (record.eventName.startsWith('ObjectCreated:') && key.endsWith('.m3u8') && pipelines.some((prefix) => key.startsWith(prefix))) {
      const writtenAtMs = this.nowMs;
      this.at(writtenAtMs + notificationLatencyMs, () => this.send(JSON.stringify({ Records: [asS3Delivers(record, writtenAtMs)] })));
    }
  }

  /** Messages sent and not yet deleted (in flight or waiting for their delay). */
  public get pendingMessages(): number {
    return this.messages.length;
  }

  /** Sends a message to the delay queue. */
  public send(body: string): void {
    this.messages.push({ messageId: `message-${this.order++}`, body, sentAtMs: this.nowMs, visibleAtMs: this.nowMs + queueDelayMs, receiveCount: 0 });
  }

  private async poll(): Promise<void> {
    const batch: QueuedMessage[] = [];
    for (const message of [...this.messages].sort((a, b) => a.visibleAtMs - b.visibleAtMs)) {
      if (message.visibleAtMs > this.nowMs || batch.length === 10) continue;
      message.receiveCount++;
      if (message.receiveCount > maxReceiveCount) {
        this.remove(message);
        this.deadLetters.push(message);
        continue;
      }
      message.visibleAtMs = this.nowMs + visibilityTimeoutMs;
      batch.push(message);
    }
    if (batch.length > 0) {
      const records = batch.map((message) => sqsRecord(message.messageId, message.body, message.sentAtMs, message.receiveCount));
      const failed = new Set((await this.handler({ Records: records })).batchItemFailures.map((failure) => failure.itemIdentifier));
      batch.filter((message) => !failed.has(message.messageId)).forEach((message) => this.remove(message));
    }
    this.at(this.nowMs + pollIntervalMs, () => this.poll());
  }

  private remove(message: QueuedMessage): void {
    this.messages.splice(this.messages.indexOf(message), 1);
  }
}

/**
 * Encoders for one channel in every pipeline: a multivariant playlist once, then per rendition a segment and
 * a sliding-window media playlist, each update 0.5..1.5 x TD after the previous (RFC 8216 §6.2.1). Locked
 * pipelines share one update schedule (B 20 ms after A), independent ones jitter on their own.
 */
class LiveChannel {
  public playlistUpdates = 0;
  public readonly lastWriteMs = new Map<string, number>();
  private readonly stopped = new Set<string>();
  private readonly sequences = new Map<string, number>();
  private readonly random: () => number;
  private readonly renditions: string[];

  constructor(
    private readonly sim: Simulation,
    private readonly channel: string,
    private readonly options: { locked: boolean; seed: number; renditions?: string[] },
  ) {
    this.random = seededRandom(options.seed);
    this.renditions = options.renditions ?? renditions;
  }

  public mediaKey(pipeline: string, rendition: string): string {
    return `${pipeline}${this.channel}/${rendition}/index.m3u8`;
  }

  public masterKey(pipeline: string): string {
    return `${pipeline}${this.channel}/master.m3u8`;
  }

  public async start(): Promise<void> {
    for (const pipeline of pipelines) {
      const variants = this.renditions.flatMap((rendition, index) => [streamInf(index), `${rendition}/index.m3u8`]);
      const master = ['#EXTM3U', ...variants];
      await this.put(this.masterKey(pipeline), `${master.join('\n')}\n`, true);
    }
    for (const rendition of this.renditions) {
      if (this.options.locked) {
        this.schedule(rendition, pipelines);
      } else {
        pipelines.forEach((pipeline) => this.schedule(rendition, [pipeline]));
      }
    }
  }

  public stop(pipeline: string): void {
    this.stopped.add(pipeline);
  }

  /** Writes the next segment and media playlist version now; the playlist's bare ETag and write time. */
  public async writePlaylist(pipeline: string, rendition: string): Promise<{ etag: string; atMs: number }> {
    const key = this.mediaKey(pipeline, rendition);
    const sequence = (this.sequences.get(key) ?? -1) + 1;
    this.sequences.set(key, sequence);
    // segment and playlist upload side by side (the guard never looks at segments; halves the real time)
    const [, etag] = await Promise.all([
      this.put(`${pipeline}${this.channel}/${rendition}/seg_${sequence}.ts`, `segment ${sequence} of ${key}`, false),
      this.put(key, mediaPlaylist(sequence), true),
    ]);
    this.playlistUpdates++;
    this.lastWriteMs.set(key, this.sim.nowMs);
    return { etag, atMs: this.sim.nowMs };
  }

  private schedule(rendition: string, chain: string[]): void {
    const nextMs = this.sim.nowMs + Math.round(targetDurationSeconds * 1000 * (0.5 + this.random()));
    this.sim.at(nextMs, () => {
      const running = chain.filter((pipeline) => !this.stopped.has(pipeline));
      if (running.length === 0) return;
      running.forEach((pipeline, index) => this.sim.at(nextMs + index * lockedOffsetMs, async () => {
        if (!this.stopped.has(pipeline)) await this.writePlaylist(pipeline, rendition);
      }));
      this.schedule(rendition, chain);
    });
  }

  private async put(key: string, body: string, stamp: boolean): Promise<string> {
    const put = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    if (stamp) await setLastModified(key, body, this.sim.nowMs);
    return bareEtag(put.ETag!);
  }
}

/** A promise-chain lock: the stand-in's compare-and-delete and the encoder's re-upload never interleave. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  public run<T>(critical: () => Promise<T>): Promise<T> {
    const result = this.tail.then(critical);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * s3rver ignores If-Match on GET and DELETE (first test), so against it the handler's conditional requests
 * are not conditional. This store over the real S3PlaylistStore compares the ETag and acts under a lock the
 * encoder's writes also take, which is what S3 does atomically. `beforeDelete` runs between the handler's
 * checks and its delete.
 */
class IfMatchEnforcingStore implements PlaylistStore {
  constructor(
    private readonly inner: S3PlaylistStore,
    private readonly lock: Mutex,
    private readonly beforeDelete: (bucketName: string, key: string) => Promise<void>,
  ) {}

  public head(bucketName: string, key: string): Promise<PlaylistHead | undefined> {
    return this.inner.head(bucketName, key);
  }

  public getText(bucketName: string, key: string, etag: string): Promise<string | undefined> {
    return this.lock.run(async () => {
      const current = await this.inner.head(bucketName, key);
      return current && bareEtag(current.etag) === bareEtag(etag) ? this.inner.getText(bucketName, key, etag) : undefined;
    });
  }

  public async deleteIfMatch(bucketName: string, key: string, etag: string): Promise<ConditionalDeleteResult> {
    await this.beforeDelete(bucketName, key);
    return this.lock.run(async () => {
      const current = await this.inner.head(bucketName, key);
      if (!current) return 'gone';
      if (bareEtag(current.etag) !== bareEtag(etag)) return 'precondition-failed';
      return this.inner.deleteIfMatch(bucketName, key, etag);
    });
  }
}

function streamInf(index: number): string {
  return `#EXT-X-STREAM-INF:BANDWIDTH=${(index + 1) * 800_000}`;
}

function mediaPlaylist(sequence: number): string {
  const first = Math.max(0, sequence - 5);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetDurationSeconds}`, `#EXT-X-MEDIA-SEQUENCE:${first}`];
  for (let index = first; index <= sequence; index++) lines.push(`#EXTINF:${targetDurationSeconds}.000,`, `seg_${index}.ts`);
  return `${lines.join('\n')}\n`;
}

function sqsRecord(messageId: string, body: string, sentAtMs = Date.now(), receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `${messageId}-${receiveCount}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(sentAtMs),
      SenderId: 'AIDAJQOC3SADRY5PEMBNW',
      ApproximateFirstReceiveTimestamp: String(sentAtMs),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:guard-delay-queue',
    awsRegion: 'us-east-1',
  };
}

/** The temporary folder startS3 made for the server that holds `bucketName`. */
function s3rverDirectoryHolding(bucketName: string): string {
  const candidates = fs.readdirSync(os.tmpdir())
    .filter((name) => name.startsWith('s3rver-'))
    .map((name) => path.join(os.tmpdir(), name))
    .filter((directory) => fs.existsSync(path.join(directory, bucketName)));
  if (candidates.length !== 1) throw new Error(`expected one s3rver folder holding ${bucketName}, found ${candidates.length}`);
  return candidates[0];
}

/**
 * Sets an object's Last-Modified, which s3rver reads from its file's mtime. s3rver answers a PUT before its
 * write stream has flushed, so wait for the new content first (else the flush would reset the mtime).
 */
async function setLastModified(key: string, body: string, atMs: number): Promise<void> {
  const file = `${path.join(s3rverRoot, bucket, ...key.split('/'))}._S3rver_object`;
  for (let attempt = 0; fs.readFileSync(file, 'utf8') !== body; attempt++) {
    if (attempt > 10_000) throw new Error(`s3rver never wrote ${key}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  fs.utimesSync(file, atMs / 1000, atMs / 1000);
}

async function exists(key: string): Promise<boolean> {
  return s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
}

async function expectPresent(key: string): Promise<void> {
  await expect(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
}

/** The handler's per-record log lines: key, decision, reason. */
function decisions(lines: Array<Record<string, unknown>>): Array<{ key?: unknown; decision: unknown; reason: unknown }> {
  return lines
    .filter((line) => typeof line.decision === 'string')
    .map(({ key, decision, reason }) => (key === undefined ? { decision, reason } : { key, decision, reason }));
}

function countDecisions(lines: Array<Record<string, unknown>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of decisions(lines)) counts[`${line.decision}/${line.reason}`] = (counts[`${line.decision}/${line.reason}`] ?? 0) + 1;
  return counts;
}

/** Sums an EMF metric over the captured output, optionally for one `reason` dimension value. */
function metricSum(lines: Array<Record<string, unknown>>, name: string, reason?: string): number {
  return lines
    .filter((line) => '_aws' in line && typeof line[name] === 'number' && (reason === undefined || line.reason === reason))
    .reduce((sum, line) => sum + (line[name] as number), 0);
}

/** Park-Miller minimal standard generator in [0, 1): seeded, so every run jitters the same way. */
function seededRandom(seed: number): () => number {
  const modulus = 2_147_483_647;
  let state = (seed % (modulus - 1)) + 1;
  return () => {
    state = (state * 48_271) % modulus;
    return (state - 1) / (modulus - 1);
  };
}
