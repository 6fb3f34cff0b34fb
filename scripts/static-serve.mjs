#!/usr/bin/env node
// Serves the built renderer (out/renderer) on 127.0.0.1 with plain node:http, for when neither the
// Electron window nor the headless host (`glif serve`) is available. The UI then runs without an API
// and says so. Usage: node scripts/static-serve.mjs [--root out/renderer] [--port 0] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The CSP of the page is the one in its own <meta> tag (single source: src-main/app/security.ts),
 * plus the header-only frame-ancestors.
 */
export function cspFromIndexHtml(html) {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  return match ? `${match[1]}; frame-ancestors 'none'` : "default-src 'self'; frame-ancestors 'none'";
}

/** Maps a URL path to a file under root, or null when it would escape root. */
export function resolveUnderRoot(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const file = resolve(root, relative === '' ? 'index.html' : relative);
  return file === root || file.startsWith(root + sep) ? file : null;
}

/** Starts the server; resolves once it listens. Port 0 picks a free port. */
export async function startStaticServer({ root, host = '127.0.0.1', port = 0 }) {
  const rootDir = resolve(root);
  const indexHtml = await readFile(join(rootDir, 'index.html'), 'utf8');
  const csp = cspFromIndexHtml(indexHtml);

  const server = createServer(async (request, response) => {
    const headers = {
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveUnderRoot(rootDir, request.url ?? '/');
    if (!file) {
      response.writeHead(403, headers).end('Forbidden');
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      response.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    }
  });

  await new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => resolveListen(undefined));
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host}:${actualPort}/` };
}

function parseArgs(argv) {
  const options = { root: 'out/renderer', host: '127.0.0.1', port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--root' && value) options.root = value;
    else if (flag === '--host' && value) options.host = value;
    else if (flag === '--port' && value && /^\d+$/.test(value)) options.port = Number(value);
    else throw new Error(`unknown or incomplete option '${flag}'`);
    i++;
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const { url } = await startStaticServer(options);
    console.log(`Serving ${options.root} at ${url}  (no API: static files only; Ctrl+C to stop)`);
  } catch (error) {
    console.error(`static-serve: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
