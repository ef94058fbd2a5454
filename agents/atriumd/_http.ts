/**
 * A tiny node:http adapter for a web `fetch` handler (what `@hono/node-server` does, which is
 * not installed): each request becomes a web `Request`, the `Response` is written back.
 * Bodies are capped; a handler failure is a 500 without details.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A running server. */
export interface HttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Options of {@link serveFetch}. */
export interface ServeOptions {
  readonly hostname: string;
  readonly port: number;
  /** Largest request body read (default 2 MiB); larger bodies get 413 before the handler runs. */
  readonly maxBodyBytes?: number;
  readonly onError?: (e: unknown) => void;
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "application/problem+json" });
  res.end(JSON.stringify({ type: `urn:atrium:problem:${code.toLowerCase().replaceAll("_", "-")}`, title: "Error", status, code, detail }));
}

async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) return "too-large";
    chunks.push(c);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function handle(req: IncomingMessage, res: ServerResponse, fetch: (r: Request) => Promise<Response> | Response, opts: ServeOptions): Promise<void> {
  const host = req.headers.host ?? `${opts.hostname}:${opts.port}`;
  const url = new URL(req.url ?? "/", `http://${host}`);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  const method = req.method ?? "GET";
  let body: Uint8Array | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const b = await readBody(req, opts.maxBodyBytes ?? 2 * 1024 * 1024);
    if (b === "too-large") {
      problem(res, 413, "BODY_TOO_LARGE", "Cannot read the request body: it is larger than the daemon accepts");
      req.destroy();
      return;
    }
    body = b;
  }
  const request = new Request(url, { method, headers, ...(body !== undefined && body.length > 0 ? { body: body as unknown as BodyInit } : {}) });
  const response = await fetch(request);
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  });
  const data = method === "HEAD" ? new Uint8Array() : new Uint8Array(await response.arrayBuffer());
  res.writeHead(response.status, out);
  res.end(data);
}

/**
 * Serve `fetch` on `hostname:port` (port 0: a free one). Resolves once listening.
 *
 * @example
 * ```ts
 * const srv = await serveFetch((r) => app.fetch(r), { hostname: "127.0.0.1", port: 0 });
 * console.log(srv.url);
 * ```
 */
export function serveFetch(fetch: (r: Request) => Promise<Response> | Response, opts: ServeOptions): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    handle(req, res, fetch, opts).catch((e) => {
      opts.onError?.(e);
      problem(res, 500, "INTERNAL", "The request failed unexpectedly; see the daemon's log");
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}`,
        port: a.port,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            server.closeIdleConnections?.();
          }),
      });
    });
  });
}
