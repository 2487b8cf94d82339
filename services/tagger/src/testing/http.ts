// A tiny HTTP client over a listening app, for tests. (fastify's inject() needs light-my-request,
// whose `cookie` dependency is ESM-only and cannot be loaded by jest's CommonJS runtime here.)
import type { AddressInfo } from 'node:net';
import type { HttpApp } from '@zhner/kit';

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface TestClient {
  baseUrl: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** Sends `raw` as the body as it is (for malformed JSON). */
  raw(method: string, path: string, raw: string, headers?: Record<string, string>): Promise<TestResponse>;
}

/** Listens on an ephemeral port of 127.0.0.1 (closing the app closes it). */
export async function listen(app: HttpApp): Promise<TestClient> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const send = async (method: string, path: string, body: string | undefined, headers: Record<string, string>) => {
    const res = await fetch(baseUrl + path, { method, body, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  };
  return {
    baseUrl,
    request: (method, path, body, headers = {}) => send(method, path, body === undefined ? undefined : JSON.stringify(body), headers),
    raw: (method, path, raw, headers = {}) => send(method, path, raw, headers),
  };
}
