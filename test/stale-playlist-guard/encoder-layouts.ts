import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** What a playlist of a layout is, as the guard must treat it. */
export type PlaylistRole = 'multivariant' | 'live' | 'ended';

/** One encoder's output layout, written by ffmpeg under `folder`. */
export interface EncoderLayout {
  /** Folder (key prefix) of the layout, e.g. `medialive/`. */
  readonly folder: string;
  /** What it imitates. */
  readonly description: string;
  /** Every playlist key (relative to the folder) and what it is. */
  readonly playlists: Record<string, PlaylistRole>;
}

/**
 * The multivariant names real encoders use, each written by ffmpeg (`-master_pl_name`) with two renditions: MediaLive's
 * HLS-to-S3 naming (`channel.m3u8` + `channel_<modifier>.m3u8`), ffmpeg's per-variant folders (`stream_0/index.m3u8`)
 * under a multivariant `playlist.m3u8` (Wowza's name) and under `index.m3u8` (the same name as its media playlists),
 * `main.m3u8`, `live.m3u8`, `Master.m3u8`, upper-case `.M3U8` keys, and names holding a space and a literal `%20`.
 */
const recipes: Array<{ folder: string; description: string; master: string; variant: string; names?: string; ended?: boolean }> = [
  { folder: 'medialive/', description: 'MediaLive HLS to S3: channel.m3u8 + channel_<modifier>.m3u8', master: 'channel.m3u8', variant: 'channel_%v.m3u8', names: 'v:0,name:1080p v:1,name:720p' },
  { folder: 'wowza/', description: 'ffmpeg -master_pl_name playlist.m3u8, per-variant folders', master: 'playlist.m3u8', variant: 'stream_%v/index.m3u8' },
  { folder: 'ffmpeg-index/', description: 'multivariant index.m3u8 over media stream_N/index.m3u8', master: 'index.m3u8', variant: 'stream_%v/index.m3u8' },
  { folder: 'main/', description: 'multivariant main.m3u8', master: 'main.m3u8', variant: 'main_%v.m3u8' },
  { folder: 'live/', description: 'multivariant live.m3u8', master: 'live.m3u8', variant: 'live_%v.m3u8' },
  { folder: 'capital/', description: 'multivariant Master.m3u8', master: 'Master.m3u8', variant: 'media_%v.m3u8' },
  { folder: 'upper/', description: 'upper-case .M3U8 keys', master: 'Master.M3U8', variant: 'STREAM_%v/INDEX.M3U8' },
  { folder: 'spaces/', description: 'a name with a space', master: 'my channel.m3u8', variant: 'my channel_%v.m3u8' },
  { folder: 'percent/', description: 'a name holding a literal %20', master: 'my%20channel.m3u8', variant: 'media_%v.m3u8' },
  { folder: 'ended/', description: 'an event that ended (EXT-X-ENDLIST), per-variant folders', master: 'playlist.m3u8', variant: 'stream_%v/index.m3u8', ended: true },
];

/** Writes every layout with ffmpeg into `root` (about a second in all) and describes them. */
export function writeEncoderLayouts(root: string): EncoderLayout[] {
  return recipes.map((recipe) => {
    const dir = path.join(root, recipe.folder);
    fs.mkdirSync(dir, { recursive: true });
    for (const variant of [0, 1]) fs.mkdirSync(path.dirname(path.join(dir, recipe.variant.replace('%v', String(variant)))), { recursive: true });
    const args = [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=10', '-t', '2',
      '-map', '0:v', '-map', '0:v', '-c:v', 'libx264', '-g', '10', '-bf', '0', '-b:v:0', '100k', '-b:v:1', '50k',
      '-f', 'hls', '-hls_time', '1', ...(recipe.ended ? [] : ['-hls_flags', 'omit_endlist']),
      '-master_pl_name', recipe.master, '-var_stream_map', recipe.names ?? 'v:0 v:1', recipe.variant,
    ];
    const run = spawnSync('ffmpeg', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) throw new Error(`ffmpeg failed for ${recipe.folder}: ${run.stderr}`);
    const variants = (recipe.names ?? 'v:0 v:1').split(' ').map((entry, index) => /name:([^ ,]+)/.exec(entry)?.[1] ?? String(index));
    const playlists: Record<string, PlaylistRole> = { [recipe.master]: 'multivariant' };
    for (const variant of variants) playlists[recipe.variant.replace('%v', variant)] = recipe.ended ? 'ended' : 'live';
    for (const key of Object.keys(playlists)) {
      if (!fs.existsSync(path.join(dir, key))) throw new Error(`ffmpeg did not write ${recipe.folder}${key}`);
    }
    return { folder: recipe.folder, description: recipe.description, playlists };
  });
}

/** Every file under `dir`, as keys relative to it (bounded by what ffmpeg wrote). */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}
