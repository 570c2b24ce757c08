// StalePlaylistGuard edge detector (cloudfront-js-2.0, viewer-response of the pipelines' playlist behaviors).
// A 200 (or a 304 CloudFront answers from its cache) whose Last-Modified is older than the threshold comes from
// an encoder that stopped: answer 404 (no-store; recovery is immediate once the encoder writes again) and players
// fail over, but only while another pipeline is healthy: its heartbeat (when the guard's marker last saw it upload a
// playlist) in the associated KeyValueStore is at most heartbeatFreshMs old (the threshold less the Last-Modified
// granularity, so two stalled pipelines never both answer 404). With no healthy pipeline (one pipeline, all stalled,
// a heartbeat missing or unreadable) the stale playlist is served: stale playback beats a total outage.
// Playlists marked by the guard's marker (multivariant, ended) or by the encoder (vod, event) pass.
// Validators are removed from what passes, so browsers never revalidate a playlist into a 304 this cannot judge.
// CONFIG is filled in at synth time by the StalePlaylistGuard construct from its contract (names included).
import cf from 'cloudfront';

const CONFIG = { staleAfterMs: 0, playlistTypeHeader: '', exemptPlaylistTypes: [], staleHeader: '', pipelinePrefixes: [], heartbeatKeys: [], heartbeatFreshMs: 0 }; // StalePlaylistGuard:config

async function handler(event) {
  const response = event.response;
  // the behavior's path pattern (`*.?3?8`) takes .m3u8 in any letter case, and whatever else fits it: passed untouched
  if (!/\.m3u8$/i.test(event.request.uri)) return response;
  if (response.statusCode !== 200 && response.statusCode !== 304) return response;
  const headers = response.headers;
  const lastModified = headers['last-modified'];
  delete headers['etag'];
  delete headers['last-modified'];
  const playlistType = headers[CONFIG.playlistTypeHeader];
  if (playlistType && CONFIG.exemptPlaylistTypes.indexOf(playlistType.value.trim().toLowerCase()) !== -1) return response;
  if (!lastModified) return response;
  const now = Date.now();
  const ageMs = now - Date.parse(lastModified.value);
  if (!(ageMs > CONFIG.staleAfterMs)) return response;
  const age = 'age=' + Math.floor(ageMs / 1000) + 's';
  if (!(await anotherPipelineHealthy(event.request.uri, now))) {
    headers[CONFIG.staleHeader] = { value: age + '; served: no healthy pipeline' };
    return response;
  }
  const generated = {
    'cache-control': { value: 'no-store' },
    'content-type': { value: 'text/plain' },
    'access-control-allow-origin': { value: '*' },
  };
  generated[CONFIG.staleHeader] = { value: age };
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: generated,
    body: { encoding: 'text', data: 'stale playlist: not updated for ' + Math.floor(ageMs / 1000) + ' s\n' },
  };
}

// True when a pipeline other than the one serving `uri` (longest prefix) has a fresh heartbeat.
// A missing key (never seen, or the store not yet written) or a failed read counts as not healthy.
async function anotherPipelineHealthy(uri, now) {
  const prefixes = CONFIG.pipelinePrefixes;
  if (prefixes.length < 2) return false;
  let own = -1;
  for (let i = 0; i < prefixes.length; i++) {
    if (uri.indexOf('/' + prefixes[i]) === 0 && (own === -1 || prefixes[i].length > prefixes[own].length)) own = i;
  }
  const kvs = cf.kvs();
  for (let i = 0; i < prefixes.length; i++) {
    if (i === own) continue;
    try {
      const heartbeat = Number(await kvs.get(CONFIG.heartbeatKeys[i]));
      if (now - heartbeat <= CONFIG.heartbeatFreshMs) return true;
    } catch (e) {
      // missing or unreadable: this pipeline is not known to be healthy
    }
  }
  return false;
}
