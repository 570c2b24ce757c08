import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import S3rver from 's3rver';

/** A bucket to create when the server starts. */
export interface S3BucketSpec {
  readonly name: string;
  /** Allow cross-origin GETs (a player page on another origin reads playlists directly). */
  readonly cors?: boolean;
}

/** A running s3rver with an SDK client wired to it. */
export interface LoopbackS3 {
  /** `http://127.0.0.1:<port>`; objects are also readable anonymously at `<endpoint>/<bucket>/<key>`. */
  readonly endpoint: string;
  readonly client: S3Client;
  /** Every S3 notification record s3rver emitted (Put, Post, Copy, Delete), in order. */
  readonly events: S3EventRecord[];
  /** Calls `listener` for each record as it is emitted (e.g. to drive a handler). */
  onEvent(listener: (record: S3EventRecord) => void): void;
  stop(): Promise<void>;
}

/** s3rver accepts only this access key id (the secret is not checked). */
export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const corsConfiguration = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>
<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>Last-Modified</ExposeHeader>
<ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>`;

/**
 * Starts s3rver (a real S3 API over HTTP: LastModified has 1 s granularity like S3; conditional
 * requests answer 304/412) on a free loopback port, in a fresh temporary folder.
 * Differences from S3 notifications: `object.key` is not URL-encoded and `eventVersion` is 2.0.
 */
export async function startS3(buckets: S3BucketSpec[]): Promise<LoopbackS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((bucket) => ({ name: bucket.name, configs: bucket.cors ? [corsConfiguration] : [] })),
  });
  const events: S3EventRecord[] = [];
  const listeners: Array<(record: S3EventRecord) => void> = [];
  (server as unknown as EventEmitter).on('event', (notification: { Records: S3EventRecord[] }) => { // missing from @types/s3rver
    for (const record of notification.Records) {
      events.push(record);
      listeners.forEach((listener) => listener(record));
    }
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3rverCredentials, maxAttempts: 1 });
  return {
    endpoint,
    client,
    events,
    onEvent: (listener) => listeners.push(listener),
    stop: async () => {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A notification record as S3 itself sends it: the key URL-encoded (`+` for a space; s3rver sends it raw) and
 * eventVersion 2.1, optionally with the event time of the write.
 */
export function asS3Delivers(record: S3EventRecord, writtenAtMs?: number): S3EventRecord {
  const key = encodeURIComponent(record.s3.object.key)
    .replace(/%2F/g, '/').replace(/%20/g, '+').replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  const eventTime = writtenAtMs === undefined ? record.eventTime : new Date(writtenAtMs).toISOString();
  return { ...record, eventVersion: '2.1', eventTime, s3: { ...record.s3, object: { ...record.s3.object, key } } };
}
