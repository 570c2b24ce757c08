/**
 * A failure the stitcher answers with an HTTP status and a one-line reason. Anything else that
 * escapes is a bug, answered 502 by the handler shell without a stack trace.
 */
export class StitchError extends Error {
  /** 400: the request or its payload is malformed. */
  public static badRequest(reason: string): StitchError {
    return new StitchError(400, reason);
  }

  /** 403: bad signature or a host outside the allow-list. */
  public static forbidden(reason: string): StitchError {
    return new StitchError(403, reason);
  }

  /** 404: unknown path or rendition. */
  public static notFound(reason: string): StitchError {
    return new StitchError(404, reason);
  }

  /** 405: the stitcher answers only GET and HEAD. */
  public static methodNotAllowed(method: string): StitchError {
    return new StitchError(405, `method ${method} is not allowed: the stitcher answers GET and HEAD`);
  }

  /** 502: an upstream answered with an error or something that is not a usable playlist. */
  public static badGateway(reason: string): StitchError {
    return new StitchError(502, reason);
  }

  /** 504: an upstream did not answer in time. */
  public static gatewayTimeout(reason: string): StitchError {
    return new StitchError(504, reason);
  }

  /** The same failure, its reason prefixed with what was being done (`content rendition v1: ...`). */
  public static withContext(error: StitchError, context: string): StitchError {
    return new StitchError(error.status, `${context}: ${error.message}`);
  }

  private constructor(public readonly status: number, reason: string) {
    super(reason.replace(/\s+/g, ' ').trim());
    this.name = 'StitchError';
  }
}
