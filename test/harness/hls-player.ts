import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { LoopbackServer, startStaticServer } from './static-server';
import { chromiumPath } from './tools';

/** A fragment hls.js started showing (FRAG_CHANGED). */
export interface PlayedFragment {
  readonly sn: number;
  /** Discontinuity counter: 0 before the first EXT-X-DISCONTINUITY, then 1, 2... */
  readonly cc: number;
  readonly level: number;
  readonly url: string;
  /** Start on the player's timeline, seconds. */
  readonly start: number;
  readonly duration: number;
  /** Its EXT-X-PROGRAM-DATE-TIME (ms since epoch) as hls.js computed it; null when the playlist has none. */
  readonly programDateTime: number | null;
}

/** A fragment the player of an HLS Interstitials asset started showing (its FRAG_CHANGED). */
export interface AssetFragment {
  /** The asset (X-ASSET-URI or an asset list's URI) whose player showed it. */
  readonly assetUri: string;
  readonly sn: number;
  readonly level: number;
  readonly url: string;
  /** Start on the asset's own timeline, seconds. */
  readonly start: number;
  readonly duration: number;
}

/** An hls.js ERROR event. */
export interface PlayerError {
  readonly type: string;
  readonly details: string;
  readonly fatal: boolean;
  readonly code?: number;
  readonly url?: string;
  readonly reason?: string;
}

/** An HLS Interstitials event hls.js reported. */
export interface InterstitialRecord {
  readonly kind: 'started' | 'asset-started' | 'asset-error' | 'ended' | 'primary-resumed' | 'media-ended';
  /** The EXT-X-DATERANGE ID of the interstitial. */
  readonly id?: string;
  /** The asset's URI (asset-started and asset-error only). */
  readonly assetUri?: string;
  /** Why hls.js gave up on the asset (asset-error only). */
  readonly reason?: string;
  /** Primary-content time at the event, seconds. */
  readonly primaryTime: number;
}

/** How a playback ended and what the player saw on the way. */
export interface PlaybackResult {
  /** `ended`: the primary content ended; `fatal`: hls.js gave up; `timeout`: neither in time. */
  readonly outcome: 'ended' | 'fatal' | 'timeout';
  /** Playhead of the primary content at the outcome (interstitial assets excluded), seconds. */
  readonly currentTime: number;
  readonly duration: number;
  /** Distinct discontinuity counters in the order the player crossed them, e.g. [0, 1, 2]. */
  readonly discontinuities: number[];
  readonly fragments: PlayedFragment[];
  /** Fragments the players of HLS Interstitials assets started showing, in order (empty without interstitials). */
  readonly assetFragments: AssetFragment[];
  readonly errors: PlayerError[];
  /** HLS Interstitials events in order (empty for playlists without interstitials). */
  readonly interstitials: InterstitialRecord[];
  /** Frames the decoder produced (getVideoPlaybackQuality().totalVideoFrames). */
  readonly decodedFrames: number;
  /** Seconds of wall time from loadSource to the outcome. */
  readonly wallSeconds: number;
  /** The media element `settleMs` after the outcome; undefined when `settleMs` is not given. */
  readonly settledMedia?: SettledMedia;
}

/** How to play. */
export interface PlayOptions {
  /** Playback rate, at most 16 (Chromium rejects more). @default 16 */
  readonly rate?: number;
  /** Give up after this many milliseconds of wall time. @default 60_000 */
  readonly timeoutMs?: number;
  /** Extra hls.js configuration (JSON-serializable), merged over the harness defaults. */
  readonly hlsConfig?: Record<string, unknown>;
  /** After the outcome, wait this long and report the media element's state as `settledMedia`. @default 0 (not reported) */
  readonly settleMs?: number;
}

/** The media element's state some time after the outcome (see {@link PlayOptions.settleMs}). */
export interface SettledMedia {
  readonly readyState: number;
  readonly ended: boolean;
  readonly paused: boolean;
}

/** Fails fast on a missing segment instead of hls.js's ~30 s of default retries. */
export const noRetryHlsConfig = {
  fragLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 8000,
      maxLoadTimeMs: 20000,
      timeoutRetry: null,
      errorRetry: { maxNumRetry: 0, retryDelayMs: 0, maxRetryDelayMs: 0 },
    },
  },
};

/**
 * Playlist loading for redundant-stream failover tests: a 4xx fails over to the other pipeline at once (hls.js never
 * retries a 4xx: `retryForHttpStatus` in its error-helper), while a 5xx or a timeout, which on a loaded machine is the
 * loopback origin dropping a connection, is retried twice, so only the guard's 404 makes the player leave a pipeline.
 */
export const failoverPlaylistLoadPolicy = {
  default: {
    maxTimeToFirstByteMs: 4000,
    maxLoadTimeMs: 8000,
    timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
    errorRetry: { maxNumRetry: 2, retryDelayMs: 250, maxRetryDelayMs: 500 },
  },
};

const playerPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>player</title><link rel="icon" href="data:,"></head>
<body><video id="video" muted playsinline width="320" height="180"></video>
<script src="/hls.js/hls.min.js"></script>
<script>
window.startPlayback = function (url, rate, config) {
  var video = document.getElementById('video');
  var state = window.__playback = { done: null, fragments: [], assetFragments: [], errors: [], interstitials: [], started: performance.now(), finished: 0 };
  function finish(outcome) {
    if (state.done) return;
    state.done = outcome;
    state.finished = performance.now();
  }
  var hls = new Hls(Object.assign({ enableWorker: true }, config));
  window.__hls = hls;
  hls.on(Hls.Events.MANIFEST_PARSED, function () {
    video.defaultPlaybackRate = rate;
    video.playbackRate = rate;
    video.autoplay = true; // interstitials reload the element: keep playing without a new play() call
    video.play().catch(function (e) {
      // an AbortError means a new load (an interstitial asset) replaced this one, not a failure
      var aborted = e && e.name === 'AbortError';
      state.errors.push({ type: 'play', details: String(e), fatal: !aborted });
      if (!aborted) finish('fatal');
    });
  });
  hls.on(Hls.Events.FRAG_CHANGED, function (_event, data) {
    var f = data.frag;
    state.fragments.push({ sn: f.sn, cc: f.cc, level: f.level, url: f.url, start: f.start, duration: f.duration, programDateTime: f.programDateTime });
  });
  hls.on(Hls.Events.ERROR, function (_event, data) {
    state.errors.push({
      type: data.type, details: data.details, fatal: !!data.fatal,
      code: data.response ? data.response.code : undefined,
      url: data.frag ? data.frag.url : (data.url || (data.context && data.context.url) || undefined),
      reason: data.reason || (data.error && data.error.message) || undefined,
    });
    if (data.fatal) finish('fatal');
  });
  function interstitial(kind) {
    return function (_event, data) {
      state.interstitials.push({
        kind: kind, id: data.event ? data.event.identifier : undefined,
        assetUri: data.asset ? data.asset.uri : undefined,
        primaryTime: hls.interstitialsManager ? hls.interstitialsManager.primary.currentTime : video.currentTime,
      });
    };
  }
  hls.on(Hls.Events.INTERSTITIAL_ASSET_PLAYER_CREATED, function (_event, data) {
    // what an interstitial asset's own player shows: proof the asset played, not just that it started
    var assetUri = data.asset.uri;
    data.player.hls.on(Hls.Events.FRAG_CHANGED, function (_assetEvent, changed) {
      var f = changed.frag;
      state.assetFragments.push({ assetUri: assetUri, sn: f.sn, level: f.level, url: f.url, start: f.start, duration: f.duration });
    });
  });
  hls.on(Hls.Events.INTERSTITIAL_STARTED, interstitial('started'));
  hls.on(Hls.Events.INTERSTITIAL_ASSET_STARTED, interstitial('asset-started'));
  hls.on(Hls.Events.INTERSTITIAL_ENDED, interstitial('ended'));
  hls.on(Hls.Events.INTERSTITIALS_PRIMARY_RESUMED, interstitial('primary-resumed'));
  hls.on(Hls.Events.INTERSTITIAL_ASSET_ERROR, function (_event, data) {
    state.interstitials.push({
      kind: 'asset-error', id: data.event ? data.event.identifier : undefined,
      assetUri: data.asset ? data.asset.uri : undefined, reason: data.error ? data.error.message : undefined,
      primaryTime: hls.interstitialsManager ? hls.interstitialsManager.primary.currentTime : video.currentTime,
    });
  });
  video.addEventListener('ended', function () {
    // interstitial assets play in the same element, each ending it: playback ends when the element ends while the
    // last item of the schedule plays (the primary content, or a post-roll after it)
    var manager = hls.interstitialsManager;
    if (manager && manager.events.length > 0) {
      state.interstitials.push({ kind: 'media-ended', id: manager.playingItem && manager.playingItem.event ? manager.playingItem.event.identifier : undefined, primaryTime: manager.primary.currentTime });
      if (manager.playingIndex < manager.schedule.length - 1) return;
    }
    finish('ended');
  });
  video.addEventListener('error', function () {
    state.errors.push({ type: 'media', details: video.error ? video.error.message : 'media error', fatal: true });
    finish('fatal');
  });
  hls.loadSource(url);
  hls.attachMedia(video);
};
window.mediaState = function () {
  var video = document.getElementById('video');
  return { readyState: video.readyState, ended: video.ended, paused: video.paused };
};
window.playbackSnapshot = function () {
  var video = document.getElementById('video');
  var state = window.__playback;
  var quality = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
  // with interstitials the element also plays ad assets: report the primary content's playhead
  var manager = window.__hls && window.__hls.interstitialsManager;
  var primary = manager && manager.events.length > 0 ? manager.primary : null;
  return {
    done: state.done, fragments: state.fragments, assetFragments: state.assetFragments, errors: state.errors, interstitials: state.interstitials,
    currentTime: primary ? primary.currentTime : video.currentTime,
    duration: primary ? primary.duration : isFinite(video.duration) ? video.duration : 0,
    decodedFrames: quality.totalVideoFrames,
    wallSeconds: ((state.finished || performance.now()) - state.started) / 1000,
  };
};
</script></body></html>`;

/**
 * hls.js in headless Debian Chromium, driven by playwright-core. One browser per instance; each
 * `play()` opens a fresh page so runs do not share buffers or caches.
 */
export class HlsPlayer {
  /** Launches Chromium and a loopback server for the player page and hls.js. */
  public static async launch(): Promise<HlsPlayer> {
    const hlsDist = path.dirname(require.resolve('hls.js/dist/hls.min.js'));
    const pageServer = await startStaticServer({
      mounts: { '/hls.js/': hlsDist },
      routes: [(request, response) => {
        if (!request.url?.startsWith('/player.html')) return false;
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(playerPage);
        return true;
      }],
    });
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--mute-audio',
      ],
    });
    return new HlsPlayer(browser, pageServer);
  }

  private constructor(private readonly browser: Browser, private readonly pageServer: LoopbackServer) {}

  /** Plays `url` until `ended`, a fatal error or the timeout, and reports what the player saw. */
  public async play(url: string, options: PlayOptions = {}): Promise<PlaybackResult> {
    const rate = options.rate ?? 16;
    if (rate <= 0 || rate > 16) throw new Error(`rate must be in (0, 16], got ${rate}`);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const page = await this.browser.newPage();
    try {
      await page.goto(`${this.pageServer.origin}/player.html`);
      await page.evaluate(([streamUrl, playbackRate, config]) => {
        (globalThis as unknown as PlayerPage).startPlayback(streamUrl, playbackRate, config);
      }, [url, rate, options.hlsConfig ?? {}] as const);
      let timedOut = false;
      await page.waitForFunction(() => (globalThis as unknown as PlayerPage).__playback.done !== null, null, {
        timeout: timeoutMs,
        polling: 50,
      }).catch(() => {
        timedOut = true;
      });
      const snapshot = await page.evaluate(() => (globalThis as unknown as PlayerPage).playbackSnapshot());
      let settledMedia: SettledMedia | undefined;
      if (options.settleMs) {
        await new Promise((resolve) => setTimeout(resolve, options.settleMs));
        settledMedia = await page.evaluate(() => (globalThis as unknown as PlayerPage).mediaState());
      }
      return {
        outcome: timedOut ? 'timeout' : snapshot.done as 'ended' | 'fatal',
        currentTime: snapshot.currentTime,
        duration: snapshot.duration,
        discontinuities: distinctInOrder(snapshot.fragments.map((f) => f.cc)),
        fragments: snapshot.fragments,
        assetFragments: snapshot.assetFragments,
        errors: snapshot.errors,
        interstitials: snapshot.interstitials,
        decodedFrames: snapshot.decodedFrames,
        wallSeconds: snapshot.wallSeconds,
        settledMedia,
      };
    } finally {
      await page.close();
    }
  }

  /**
   * Runs `use` on a fresh page of the player's origin (a cross-origin page, like a player's), so what it fetches
   * goes through that page's Chromium HTTP cache, then closes the page.
   */
  public async withPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
    const page = await this.browser.newPage();
    try {
      await page.goto(`${this.pageServer.origin}/player.html`);
      return await use(page);
    } finally {
      await page.close();
    }
  }

  /** Closes the browser and the page server. */
  public async close(): Promise<void> {
    await this.browser.close();
    await this.pageServer.close();
  }
}

/** What the player page defines on its window. */
interface PlayerPage {
  __playback: { done: string | null };
  startPlayback(url: string, rate: number, config: object): void;
  playbackSnapshot(): RawSnapshot;
  mediaState(): SettledMedia;
}

interface RawSnapshot {
  done: string | null;
  fragments: PlayedFragment[];
  assetFragments: AssetFragment[];
  errors: PlayerError[];
  interstitials: InterstitialRecord[];
  currentTime: number;
  duration: number;
  decodedFrames: number;
  wallSeconds: number;
}

function distinctInOrder(values: number[]): number[] {
  return values.filter((value, index) => index === 0 || values[index - 1] !== value);
}
