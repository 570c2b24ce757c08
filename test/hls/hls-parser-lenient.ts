import * as hlsParser from 'hls-parser';

/** Runs `body` with hls-parser lenient and silent, as the project's reference: the options are module state, restored after. */
export function withHlsParserLenient<T>(body: () => T): T {
  const previous = hlsParser.getOptions();
  hlsParser.setOptions({ strictMode: false, silent: true });
  try {
    return body();
  } finally {
    hlsParser.setOptions({ strictMode: previous.strictMode, silent: previous.silent });
  }
}
