import { spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Deterministic HLS VOD fixtures made by ffmpeg: a content asset and an ad asset, each as MPEG-TS
 * and as fMP4, each with two renditions (360p, 180p) and audio muxed into every rendition.
 *
 * ffmpeg output is byte-identical from run to run, so the fixtures are generated once per machine
 * into a cache folder named after the checksum of the recipe and the ffmpeg version, and every file
 * is verified against the checksums recorded in that folder's manifest when it is reused.
 */

/** Segment container of a fixture set. */
export type HlsContainer = 'ts' | 'fmp4';

/** One recipe: what ffmpeg draws and plays. */
export interface HlsAssetRecipe {
  /** lavfi video source: testsrc for content, smptebars for ads (tell them apart on screen). */
  readonly videoSource: 'testsrc' | 'smptebars';
  /** Sine tone in Hz: 1000 for content, 440 for ads (tell them apart by ear). */
  readonly toneHz: number;
  readonly durationSeconds: number;
}

/** The recipes every harness test uses. Changing one regenerates the cache. */
export const hlsAssetRecipes = {
  content: { videoSource: 'testsrc', toneHz: 1000, durationSeconds: 20 },
  ad: { videoSource: 'smptebars', toneHz: 440, durationSeconds: 6 },
} as const satisfies Record<string, HlsAssetRecipe>;

/** Name of a fixture asset. */
export type HlsAssetName = keyof typeof hlsAssetRecipes;

/** Fixed encoding facts of every fixture (what tests may assert on). */
export const hlsFixtureFormat = {
  frameRate: 30,
  segmentSeconds: 2,
  renditions: ['360p', '180p'] as const,
  multivariantFile: 'master.m3u8',
  mediaPlaylistFile: 'index.m3u8',
};

/** A generated fixture set on disk. */
export interface HlsFixtureSet {
  readonly asset: HlsAssetName;
  readonly container: HlsContainer;
  /** Absolute folder: master.m3u8, 360p/index.m3u8, 180p/index.m3u8 and segments. */
  readonly dir: string;
  /** Path of the set relative to the fixture root, e.g. `content-ts`. */
  readonly relativeDir: string;
  readonly durationSeconds: number;
  /** Video frames in one rendition (duration x frame rate). */
  readonly videoFrames: number;
  readonly segmentCount: number;
}

/** All fixture sets, under one root folder (serve it with the static server). */
export interface HlsFixtures {
  readonly root: string;
  readonly sets: Record<`${HlsAssetName}-${HlsContainer}`, HlsFixtureSet>;
}

const generatorVersion = 1; // bump when the ffmpeg arguments below change meaning
const containers: HlsContainer[] = ['ts', 'fmp4'];
const manifestFile = 'fixtures.json';

/** Cache folder shared by every checkout on this machine. */
export function fixtureCacheRoot(): string {
  return process.env.OTT_FIXTURE_CACHE ?? path.join(os.homedir(), '.cache', 'cdk-ott-constructs', 'hls-fixtures');
}

/**
 * Returns the fixtures, generating them with ffmpeg on first use. Safe to call from parallel jest
 * workers: each generates into a private folder and the first atomic rename wins.
 */
export function hlsFixtures(): HlsFixtures {
  const key = recipeChecksum();
  const root = path.join(fixtureCacheRoot(), key);
  if (!isCompleteCache(root)) {
    generateInto(root);
  }
  return describeSets(root);
}

function recipeChecksum(): string {
  const ffmpegVersion = run('ffmpeg', ['-version']).split('\n')[0];
  const recipe = JSON.stringify({ generatorVersion, ffmpegVersion, hlsAssetRecipes, hlsFixtureFormat, args: ffmpegArgs('OUT', 'content', 'ts') });
  return createHash('sha256').update(recipe).digest('hex').slice(0, 16);
}

function generateInto(root: string): void {
  const staging = `${root}.staging-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(staging, { recursive: true });
  try {
    for (const asset of Object.keys(hlsAssetRecipes) as HlsAssetName[]) {
      for (const container of containers) {
        const dir = path.join(staging, `${asset}-${container}`);
        fs.mkdirSync(dir, { recursive: true });
        run('ffmpeg', ffmpegArgs(dir, asset, container));
      }
    }
    fs.writeFileSync(path.join(staging, manifestFile), JSON.stringify(checksumTree(staging), null, 1));
    try {
      fs.renameSync(staging, root);
    } catch (error) {
      if (!isCompleteCache(root)) throw error; // another worker won the race with a complete set
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The ffmpeg command line for one set; `-bf 0` because B-frames break stitched fMP4 in hls.js. */
function ffmpegArgs(outDir: string, asset: HlsAssetName, container: HlsContainer): string[] {
  const recipe: HlsAssetRecipe = hlsAssetRecipes[asset];
  const { frameRate, segmentSeconds } = hlsFixtureFormat;
  const gop = frameRate * segmentSeconds;
  const segmentOptions = container === 'fmp4'
    ? ['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', `${outDir}/%v/seg_%03d.m4s`]
    : ['-hls_segment_type', 'mpegts', '-hls_segment_filename', `${outDir}/%v/seg_%03d.ts`];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `${recipe.videoSource}=size=640x360:rate=${frameRate}:duration=${recipe.durationSeconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=${recipe.toneHz}:sample_rate=48000:duration=${recipe.durationSeconds}`,
    '-filter_complex', '[0:v]split=2[a][b];[a]null[v360];[b]scale=320:180[v180];[1:a]asplit=2[a0][a1]',
    '-map', '[v360]', '-map', '[a0]', '-map', '[v180]', '-map', '[a1]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-bf', '0', '-pix_fmt', 'yuv420p', '-threads', '1',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`,
    '-b:v:0', '400k', '-maxrate:v:0', '440k', '-bufsize:v:0', '800k',
    '-b:v:1', '150k', '-maxrate:v:1', '165k', '-bufsize:v:1', '300k',
    '-c:a', 'aac', '-b:a', '48k', '-ac', '2', '-ar', '48000',
    '-f', 'hls', '-hls_time', String(segmentSeconds), '-hls_playlist_type', 'vod', '-hls_flags', 'independent_segments',
    ...segmentOptions,
    '-master_pl_name', hlsFixtureFormat.multivariantFile,
    '-var_stream_map', 'v:0,a:0,name:360p v:1,a:1,name:180p',
    `${outDir}/%v/${hlsFixtureFormat.mediaPlaylistFile}`,
  ];
}

function isCompleteCache(root: string): boolean {
  const manifestPath = path.join(root, manifestFile);
  if (!fs.existsSync(manifestPath)) return false;
  const expected = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, string>;
  return Object.entries(expected).every(([file, sum]) => {
    const filePath = path.join(root, file);
    return fs.existsSync(filePath) && sha256(fs.readFileSync(filePath)) === sum;
  });
}

function checksumTree(root: string): Record<string, string> {
  const sums: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const entryPath = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(entryPath);
      else sums[path.relative(root, entryPath)] = sha256(fs.readFileSync(entryPath));
    }
  };
  walk(root);
  return sums;
}

function describeSets(root: string): HlsFixtures {
  const sets = {} as Record<`${HlsAssetName}-${HlsContainer}`, HlsFixtureSet>;
  for (const asset of Object.keys(hlsAssetRecipes) as HlsAssetName[]) {
    for (const container of containers) {
      const relativeDir = `${asset}-${container}`;
      const { durationSeconds } = hlsAssetRecipes[asset];
      sets[relativeDir as `${HlsAssetName}-${HlsContainer}`] = {
        asset,
        container,
        dir: path.join(root, relativeDir),
        relativeDir,
        durationSeconds,
        videoFrames: durationSeconds * hlsFixtureFormat.frameRate,
        segmentCount: Math.ceil(durationSeconds / hlsFixtureFormat.segmentSeconds),
      };
    }
  }
  return { root, sets };
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`${command} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr?.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return result.stdout;
}
