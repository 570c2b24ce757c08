// StalePlaylistGuard edge detector (cloudfront-js-2.0, viewer-response of live media-playlist behaviors).
// A 200 whose Last-Modified is older than the threshold comes from an encoder that stopped: answer 404
// (not cached, so recovery is immediate once the encoder writes again) and players fail over.
// CONFIG is filled in at synth time by the StalePlaylistGuard construct from its contract (names included).
const CONFIG = { staleAfterMs: 0, multivariantPlaylistNames: [], playlistTypeHeader: '', exemptPlaylistTypes: [], staleHeader: '' }; // StalePlaylistGuard:config

async function handler(event) {
  const response = event.response;
  if (response.statusCode !== 200) return response;
  const uri = event.request.uri;
  const name = uri.substring(uri.lastIndexOf('/') + 1);
  if (CONFIG.multivariantPlaylistNames.indexOf(name) !== -1) return response;
  const playlistType = response.headers[CONFIG.playlistTypeHeader];
  if (playlistType && CONFIG.exemptPlaylistTypes.indexOf(playlistType.value.toLowerCase()) !== -1) return response;
  const lastModified = response.headers['last-modified'];
  if (!lastModified) return response;
  const ageMs = Date.now() - Date.parse(lastModified.value);
  if (!(ageMs > CONFIG.staleAfterMs)) return response;
  const headers = {
    'cache-control': { value: 'no-store' },
    'content-type': { value: 'text/plain' },
    'access-control-allow-origin': { value: '*' },
  };
  headers[CONFIG.staleHeader] = { value: 'age=' + Math.floor(ageMs / 1000) + 's' };
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: headers,
    body: { encoding: 'text', data: 'stale playlist: not updated for ' + Math.floor(ageMs / 1000) + ' s\n' },
  };
}
