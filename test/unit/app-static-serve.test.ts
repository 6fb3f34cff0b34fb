import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createStaticHandler,
  cspFromIndexHtml,
  resolveUnderRoot,
} from '../../src-main/host/server/static-files';

async function startStaticServer({ root }: { root: string; port: number }) {
  const handler = await createStaticHandler(root);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

const CSP = "default-src 'self'; script-src 'self'";

describe('static renderer files of the headless host', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glif-static-'));
    const root = join(dir, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(
      join(root, 'index.html'),
      `<meta http-equiv="Content-Security-Policy" content="${CSP}" /><p>hi</p>`,
    );
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1);');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    ({ server, url: base } = (await startStaticServer({ root, port: 0 })) as { server: Server; url: string });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 on a free port', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves index.html for / with the page CSP plus frame-ancestors', async () => {
    const response = await fetch(base);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toBe(`${CSP}; frame-ancestors 'none'`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<p>hi</p>');
  });

  it('serves assets with their MIME type', async () => {
    const response = await fetch(`${base}assets/app.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
  });

  it('answers 404 for missing files and 405 for writes', async () => {
    expect((await fetch(`${base}nope.js`)).status).toBe(404);
    expect((await fetch(base, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('never serves files outside its root', async () => {
    const response = await fetch(`${base}..%2fsecret.txt`);
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toContain('do not serve');
    expect(resolveUnderRoot('/srv/root', '/../secret.txt')).toBe('/srv/root/secret.txt');
    expect(resolveUnderRoot('/srv/root', '/%2e%2e/%2e%2e/etc/passwd')).toBe('/srv/root/etc/passwd');
    expect(resolveUnderRoot('/srv/root', '/a%00b')).toBeNull();
    expect(resolveUnderRoot('/srv/root', '/%E0%A4%A')).toBeNull();
  });

  it('falls back to a minimal CSP when the page has none', () => {
    expect(cspFromIndexHtml('<p>no meta</p>')).toBe("default-src 'self'; frame-ancestors 'none'");
  });
});
