import { spawn } from 'child_process';

/**
 * ffmpeg as a second, independent HLS client. Exact for MPEG-TS (frame identity across
 * discontinuities); not an oracle for fMP4 with EXT-X-MAP changes (ffmpeg 5.1 fetches the next
 * segment before the new init section and drops it) and blind to a missing EXT-X-DISCONTINUITY.
 * Never pass `-xerror`: a valid stitched TS stream logs "Packet corrupt" at every discontinuity.
 */

/** Which stream of an HLS input to decode. */
export interface DecodeOptions {
  /** For a multivariant playlist: the variant, in playlist order (ffmpeg program id). @default 0 */
  readonly variant?: number;
  /** Give up after this long. @default 60_000 */
  readonly timeoutMs?: number;
}

/** Result of a decode run. */
export interface DecodeResult {
  readonly exitCode: number;
  /** One MD5 per decoded video frame, in presentation order. */
  readonly frameMd5s: string[];
  /** ffmpeg's warnings and errors (e.g. `HTTP error 404 Not Found`). */
  readonly stderr: string;
}

/**
 * Decodes the video of `url` and returns an MD5 per frame (`-f framemd5`, passthrough timing so
 * frames are neither duplicated nor dropped). Compare with the frames of the source assets.
 */
export async function decodeVideoFrames(url: string, options: DecodeOptions = {}): Promise<DecodeResult> {
  const args = [
    '-hide_banner', '-nostdin', '-v', 'warning',
    '-i', url,
    '-map', `0:p:${options.variant ?? 0}:v:0`,
    '-fps_mode', 'passthrough', '-f', 'framemd5', '-',
  ];
  const { exitCode, stdout, stderr } = await runProcess('ffmpeg', args, options.timeoutMs ?? 60_000);
  const frameMd5s = stdout.split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(',').pop()!.trim());
  return { exitCode, frameMd5s, stderr };
}

/** Counts the video frames of `url` with ffprobe (`-count_frames`). */
export async function countVideoFrames(url: string, options: DecodeOptions = {}): Promise<number> {
  const { exitCode, stdout, stderr } = await runProcess('ffprobe', [
    '-v', 'error', '-select_streams', `p:${options.variant ?? 0}:v:0`, '-count_frames',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', url,
  ], options.timeoutMs ?? 60_000);
  // ffprobe prints the count once per program and once per stream for HLS: the first line is ours
  const first = stdout.split('\n').map((line) => line.trim()).find((line) => /^\d+$/.test(line));
  if (exitCode !== 0 || first === undefined) throw new Error(`ffprobe could not count frames of ${url} (exit ${exitCode}): ${stderr.trim()}`);
  return Number(first);
}

interface ProcessOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function runProcess(command: string, args: string[], timeoutMs: number): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) {
        reject(new Error(`${command} ${signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `was killed by ${signal}`}`));
        return;
      }
      resolve({ exitCode: code ?? 1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}
