/** The small parts behind the guide's validate endpoint: the per-address bucket and the form parsers. */
import { IpRateLimiter } from '../../src/ig';
import { parseMediaType, parseMultipart } from '../../src/ig/form-body';

test('the token bucket refills at its rate and stays bounded in the addresses it remembers', () => {
  let t = 0;
  const limiter = new IpRateLimiter(6, 2, 3, () => t);
  expect([limiter.take('a'), limiter.take('a')]).toEqual([0, 0]);
  expect(limiter.take('a')).toBe(10); // one token per 10 s
  t += 10_000;
  expect(limiter.take('a')).toBe(0);
  // Many addresses: the map never grows past its bound, and a forgotten address starts full.
  for (let i = 0; i < 1000; i++) limiter.take(`x${i}`);
  expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(3);
  expect(limiter.take('a')).toBe(0);
});

test('multipart bodies: fields and files by name; broken bodies are refused, not guessed', () => {
  const boundary = '----ngc123';
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="bundle"\r\n\r\n{"a":1}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.json"\r\nContent-Type: application/json\r\n\r\n{"b":\r\n2}\r\n` +
      `--${boundary}--\r\n`,
  );
  const parts = parseMultipart(body, boundary);
  expect(parts.map((p) => [p.name, p.filename, p.data.toString()])).toEqual([
    ['bundle', undefined, '{"a":1}'],
    ['file', 'r.json', '{"b":\r\n2}'],
  ]);
  expect(() => parseMultipart(Buffer.from('no boundary here'), boundary)).toThrow(/boundary/);
  expect(() => parseMultipart(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\nunterminated`), boundary)).toThrow(/closing boundary/);
  expect(parseMediaType('multipart/form-data; boundary="abc"')?.params.get('boundary')).toBe('abc');
});
