// StalePlaylistGuard edge detector (cloudfront-js-2.0, viewer-response of the pipelines' playlist behaviors).
// A 200 (or a 304 CloudFront answers from its cache) whose Last-Modified is older than the threshold comes from
// an encoder that stopped: answer 404 (no-store; recovery is immediate once the encoder writes again) and players
// fail over. Playlists marked by the guard's marker (multivariant, ended) or by the encoder (vod, event) pass.
// Validators are removed from what passes, so browsers never revalidate a playlist into a 304 this cannot judge.
// CONFIG is filled in at synth time by the StalePlaylistGuard construct from its contract (names included).
const CONFIG = { staleAfterMs: 0, playlistTypeHeader: '', exemptPlaylistTypes: [], staleHeader: '' }; // StalePlaylistGuard:config

async function handler(event) {
  const response = event.response;
  if (response.statusCode !== 200 && response.statusCode !== 304) return response;
  const headers = response.headers;
  const lastModified = headers['last-modified'];
  delete headers['etag'];
  delete headers['last-modified'];
  const playlistType = headers[CONFIG.playlistTypeHeader];
  if (playlistType && CONFIG.exemptPlaylistTypes.indexOf(playlistType.value.trim().toLowerCase()) !== -1) return response;
  if (!lastModified) return response;
  const ageMs = Date.now() - Date.parse(lastModified.value);
  if (!(ageMs > CONFIG.staleAfterMs)) return response;
  const generated = {
    'cache-control': { value: 'no-store' },
    'content-type': { value: 'text/plain' },
    'access-control-allow-origin': { value: '*' },
  };
  generated[CONFIG.staleHeader] = { value: 'age=' + Math.floor(ageMs / 1000) + 's' };
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: generated,
    body: { encoding: 'text', data: 'stale playlist: not updated for ' + Math.floor(ageMs / 1000) + ' s\n' },
  };
}
