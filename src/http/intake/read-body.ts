/**
 * Reads a request body with a byte limit. The chunks are kept as they arrive and joined once, so a
 * body costs its own size (plus one copy) and no more; the limit is enforced while reading, so an
 * oversized body is refused as soon as it passes the limit instead of after it was all taken in.
 */
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly declared?: number,
  ) {
    super(`the body is larger than the limit of ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export class BodyReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyReadError';
  }
}

export function readBodyLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    const size = Number(declared);
    if (Number.isFinite(size) && size > limit) {
      req.resume(); // drain without keeping, so the connection can carry the answer
      return Promise.reject(new BodyTooLargeError(limit, size));
    }
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = (err: Error | undefined, body?: Buffer): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(body as Buffer);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) {
        chunks.length = 0;
        // Stop buffering: further data is discarded; the caller answers 413 and closes the connection.
        req.on('data', () => undefined);
        finish(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    const onError = (err: Error): void => finish(new BodyReadError(`reading the request body failed: ${err.message}`));
    const onAborted = (): void => finish(new BodyReadError('the client aborted the request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
