/**
 * A stand-in for a STANDARD MediaLive channel whose HLS output group writes to S3 with redundant manifests, as the
 * pipeline's S3 packaging mode configures it: one ffmpeg per pipeline encodes a test pattern in real time and PUTs
 * (and DELETEs) its HLS files over HTTP to a loopback output stage, which stores them in the S3 stand-in under the
 * names MediaLive uses (read from the layout contract) and writes each pipeline's main manifest in MediaLive's
 * redundant form: every variant of its own pipeline followed by the same variant of the other pipeline.
 */
import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  childManifestKey, layoutPrefix, mainManifestKey, pipelineBaseFilename, renditionNameModifier, segmentModifier,
} from '../../src/live-ott-pipeline/contract/hls-s3-layout';
import { Listening, listenOnLoopback } from '../harness/loopback';

/** One rendition of the test ladder. */
export interface StandInRendition {
  /** The rendition's name, as the encoder settings name its description (the output's name modifier follows from it). */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly videoKbps: number;
}

/** How to run the stand-in. */
export interface MediaLiveStandInOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix of the destination folder, e.g. `live/`. */
  readonly prefix: string;
  readonly baseFilename: string;
  readonly renditions: StandInRendition[];
  readonly segmentLengthSeconds: number;
  /** Segments each child manifest lists. */
  readonly playlistSegments: number;
}

/** One file a pipeline wrote (or deleted) through the output stage. */
export interface StandInWrite {
  readonly pipeline: number;
  readonly method: 'PUT' | 'DELETE';
  readonly key: string;
  /** When the encoder's request arrived, before S3 stamped the object (ms since epoch). */
  readonly startedAt: number;
  /** When the S3 call completed (ms since epoch). */
  readonly at: number;
}

const frameRate = 10;
const audioKbps = 64;
const contentTypes: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' };
/** Largest file the output stage accepts (a test-pattern segment is a few tens of kB). */
const maxBodyBytes = 8 * 1024 * 1024;

/**
 * The redundant main manifest of `pipeline`: each EXT-X-STREAM-INF of its own manifest, then the same attributes for the
 * other pipeline's child manifest (MediaLive User Guide, "The media contents of an HLS manifest": with redundant
 * manifests each main manifest references its own child manifests and, with the same tags, the other pipeline's).
 */
export function redundantMainManifest(ownManifest: string, ownBase: string, otherBase: string): string {
  const lines = ownManifest.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (line.startsWith('#EXT-X-STREAM-INF:')) return; // written with its URI below
    if (line.startsWith('#')) {
      out.push(line);
      return;
    }
    const streamInf = lines[index - 1];
    if (!streamInf?.startsWith('#EXT-X-STREAM-INF:') || !line.startsWith(ownBase)) throw new Error(`unexpected main manifest line '${line}'`);
    out.push(streamInf, line, streamInf, `${otherBase}${line.slice(ownBase.length)}`);
  });
  return `${out.join('\n')}\n`;
}

/** The running stand-in. */
export class MediaLiveHlsS3StandIn {
  /** Starts the output stage and both pipelines' encoders. */
  public static async start(options: MediaLiveStandInOptions): Promise<MediaLiveHlsS3StandIn> {
    const standIn = new MediaLiveHlsS3StandIn(options);
    standIn.listening = await listenOnLoopback(standIn.server);
    for (const pipeline of [0, 1]) standIn.startEncoder(pipeline);
    return standIn;
  }

  /** Every write in completion order. */
  public readonly writes: StandInWrite[] = [];
  /** Failed S3 writes and encoders that exited on their own. */
  public readonly errors: string[] = [];

  private readonly server: http.Server;
  private listening?: Listening;
  private readonly encoders = new Map<number, ChildProcess>();

  private constructor(private readonly options: MediaLiveStandInOptions) {
    this.server = http.createServer((request, response) => {
      this.handle(request).then((status) => response.writeHead(status).end(), (error: Error) => {
        this.errors.push(`${request.method} ${request.url}: ${error.message}`);
        response.writeHead(500).end();
      });
    });
  }

  /** Key of pipeline `index`'s main manifest. */
  public mainManifestKey(index: number): string {
    return mainManifestKey(this.options.prefix, this.options.baseFilename, index);
  }

  /** Keys of pipeline `index`'s child manifests, in ladder order. */
  public childManifestKeys(index: number): string[] {
    return this.options.renditions.map((rendition) => childManifestKey(this.options.prefix, this.options.baseFilename, index, rendition.name));
  }

  /** Resolves with the next child manifest write of `pipeline`. */
  public async nextChildManifestWrite(pipeline: number, timeoutMs: number): Promise<StandInWrite> {
    const keys = this.childManifestKeys(pipeline);
    const since = this.writes.length;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.writes.slice(since).find((write) => write.pipeline === pipeline && write.method === 'PUT' && keys.includes(write.key));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`pipeline ${pipeline} wrote no child manifest within ${timeoutMs} ms`);
  }

  /** Stops pipeline `index` as a failed pipeline stops: its encoder is killed and writes nothing more. */
  public async stopPipeline(index: number): Promise<void> {
    const encoder = this.encoders.get(index);
    if (!encoder) return;
    this.encoders.delete(index);
    const exited = new Promise<void>((resolve) => encoder.once('exit', () => resolve()));
    encoder.kill('SIGKILL');
    await exited;
  }

  /** Stops both pipelines and the output stage. */
  public async close(): Promise<void> {
    await Promise.all([0, 1].map((index) => this.stopPipeline(index)));
    await this.listening?.close();
  }

  private startEncoder(pipeline: number): void {
    const { renditions, segmentLengthSeconds, playlistSegments, prefix, baseFilename } = this.options;
    const base = pipelineBaseFilename(baseFilename, pipeline);
    const url = `${this.listening!.origin}/${layoutPrefix(prefix)}`;
    const output = `${url}${base}${renditionNameModifier('%v')}`;
    // ffmpeg's strftime pattern for MediaLive's `$dt$`, and its segment index for MediaLive's five-digit counter
    const segmentPattern = segmentModifier.replace('$dt$', '%Y%m%dT%H%M%S');
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', `testsrc=size=${renditions[0].width}x${renditions[0].height}:rate=${frameRate}`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      ...renditions.flatMap(() => ['-map', '0:v']), ...renditions.flatMap(() => ['-map', '1:a']),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-profile:v', 'main', '-bf', '0',
      // closed GOPs of the segment length: every segment starts on an IDR frame, as the encoder settings make them
      '-g', String(frameRate * segmentLengthSeconds), '-keyint_min', String(frameRate * segmentLengthSeconds), '-sc_threshold', '0',
      ...renditions.flatMap((rendition, index) => [`-s:v:${index}`, `${rendition.width}x${rendition.height}`, `-b:v:${index}`, `${rendition.videoKbps}k`]),
      '-c:a', 'aac', '-b:a', `${audioKbps}k`,
      '-f', 'hls', '-method', 'PUT', '-ignore_io_errors', '1',
      '-hls_time', String(segmentLengthSeconds), '-hls_list_size', String(playlistSegments), '-start_number', '1',
      '-strftime', '1', '-hls_flags', 'program_date_time+delete_segments+second_level_segment_index+omit_endlist',
      '-master_pl_name', `${base}.m3u8`,
      '-var_stream_map', renditions.map((rendition, index) => `v:${index},a:${index},name:${rendition.name}`).join(' '),
      '-hls_segment_filename', `${output}${segmentPattern}_%%05d.ts`,
      `${output}.m3u8`,
    ];
    const encoder = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    encoder.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    encoder.once('exit', (code, signal) => {
      if (this.encoders.get(pipeline) === encoder) this.errors.push(`pipeline ${pipeline} encoder exited (${code ?? signal}): ${stderr}`);
    });
    this.encoders.set(pipeline, encoder);
  }

  private async handle(request: http.IncomingMessage): Promise<number> {
    const startedAt = Date.now();
    const key = decodeURIComponent(new URL(request.url ?? '/', 'http://stand-in').pathname.slice(1));
    const pipeline = [0, 1].find((index) => key.startsWith(`${layoutPrefix(this.options.prefix)}${pipelineBaseFilename(this.options.baseFilename, index)}`));
    if (pipeline === undefined) return 404;
    const body = await readBody(request);
    if (body === undefined) return 400; // the encoder died mid-upload: S3 stores nothing of an incomplete PUT
    if (request.method === 'DELETE') {
      await this.send(() => new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
      this.writes.push({ pipeline, method: 'DELETE', key, startedAt, at: Date.now() });
      return 204;
    }
    if (request.method !== 'PUT' && request.method !== 'POST') return 405;
    const extension = key.slice(key.lastIndexOf('.') + 1);
    const content = key === this.mainManifestKey(pipeline)
      ? Buffer.from(redundantMainManifest(body.toString('utf8'),
        pipelineBaseFilename(this.options.baseFilename, pipeline), pipelineBaseFilename(this.options.baseFilename, 1 - pipeline)))
      : body;
    await this.send(() => new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: content, ContentType: contentTypes[extension] }));
    this.writes.push({ pipeline, method: 'PUT', key, startedAt, at: Date.now() });
    return 201;
  }

  /** One S3 call, retried twice (s3rver on a loaded machine drops a connection now and then). */
  private async send(command: () => PutObjectCommand | DeleteObjectCommand): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.client.send(command() as PutObjectCommand);
        return;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }
}

/** The request body; undefined when the sender went away before it ended. */
function readBody(request: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        request.destroy();
        reject(new Error(`body larger than ${maxBodyBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    // a connection reset mid-upload (the encoder was killed) is an incomplete upload, not a failure of the stage
    request.on('error', () => resolve(undefined));
    request.on('close', () => {
      if (!request.complete) resolve(undefined);
    });
  });
}
