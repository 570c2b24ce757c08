import {
  MediaTailorSessionAnswer, MediaTailorSessionEndpoint, MediaTailorSessionRequest, MediaTailorTimeoutError, MediaTailorUnreachableError,
} from './session';

/** Largest MediaTailor answer read (a session answer is two relative URLs). */
export const maxMediaTailorAnswerBytes = 1024 * 1024;

/** MediaTailor's session endpoint over HTTPS (fetch), with a deadline covering the whole answer. */
export class FetchMediaTailorSessionEndpoint implements MediaTailorSessionEndpoint {
  public async initialize(request: MediaTailorSessionRequest, timeoutMs: number): Promise<MediaTailorSessionAnswer> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal, redirect: 'manual' });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => { headers[name] = value; });
      return { status: response.status, headers, body: await readBounded(response) };
    } catch (error) {
      if (signal.aborted) throw new MediaTailorTimeoutError(`no answer within ${timeoutMs} ms`);
      if (error instanceof MediaTailorUnreachableError) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new MediaTailorUnreachableError(cause?.code ?? cause?.message ?? (error as Error).message);
    }
  }
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    if (bytes > maxMediaTailorAnswerBytes) {
      await reader.cancel();
      throw new MediaTailorUnreachableError(`answer larger than ${maxMediaTailorAnswerBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
