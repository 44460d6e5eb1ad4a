#!/usr/bin/env node
// Builds the browser app into dist/web/: index.html, manifest.webmanifest and its icons (scripts/icons.mjs),
// app.js (the page: web/main.ts), kernel-worker.<sha256 prefix>.js (the kernel's SharedWorker:
// runtime/host/browser/kernel-worker.ts; its name compiled into the page), the image under a revisioned
// name, rootfs.<sha256 prefix>.img, whose URL is compiled into the worker, and sw.js (sw/sw.ts with
// workbox's precache list injected). The dev server (scripts/serve.mjs) caches
// revisioned files forever and revalidates everything else.
//   node scripts/bundle-web.mjs [--image FILE]
import { build } from 'esbuild';
import { injectManifest } from 'workbox-build';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderIcon } from './icons.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleWeb({ image = join(root, 'build/rootfs.img'), outdir = join(root, 'dist/web') } = {}) {
  if (!existsSync(image)) throw new Error(`no image at ${image} (build it with: npm run build:image)`);
  mkdirSync(outdir, { recursive: true });
  const rev = createHash('sha256').update(readFileSync(image)).digest('hex').slice(0, 12);
  const imageName = `rootfs.${rev}.img`;
  for (const f of readdirSync(outdir)) if (/^rootfs\.[0-9a-f]+\.img(\.br|\.gz)?$/.test(f) && !f.startsWith(imageName)) rmSync(join(outdir, f));
  const imageOut = join(outdir, imageName);
  // A copy, not a link: an image rebuilt in place must not change the content behind a revisioned name.
  if (!existsSync(imageOut)) copyFileSync(image, imageOut);
  const imageSize = statSync(imageOut).size;
  const common = { bundle: true, platform: 'browser', target: 'chrome120', sourcemap: true, logLevel: 'warning',
    legalComments: 'none', minify: true };
  // The worker's URL is revisioned too: a SharedWorker is identified by its URL (and name), so a new build
  // gets a new kernel instead of talking to a running one of the old build.
  const worker = await build({ ...common, entryPoints: [join(root, 'runtime/host/browser/kernel-worker.ts')],
    outfile: join(outdir, 'kernel-worker.js'), format: 'iife', write: false,
    define: { WASMUX_IMAGE_URL: JSON.stringify(imageName), WASMUX_IMAGE_SIZE: String(imageSize) } });
  const workerJs = worker.outputFiles.find((f) => f.path.endsWith('.js'));
  const workerName = `kernel-worker.${createHash('sha256').update(workerJs.contents).digest('hex').slice(0, 12)}.js`;
  for (const f of readdirSync(outdir)) if (/^kernel-worker(\.[0-9a-f]+)?\.js(\.br|\.gz)?$/.test(f) && !f.startsWith(workerName)) rmSync(join(outdir, f));
  writeFileSync(join(outdir, workerName), workerJs.contents);
  for (const f of worker.outputFiles) if (f !== workerJs) writeFileSync(f.path, f.contents);
  // The WebSocket shim the service worker injects into previewed HTML pages (sw/preview.ts serves it as
  // /preview/.wasmux/shim.js from the precache): it opens the same kernel worker as the app.
  await build({ ...common, entryPoints: [join(root, 'web/preview-shim/shim.ts')], outfile: join(outdir, 'preview-shim.js'),
    format: 'iife', sourcemap: false, define: { WASMUX_WORKER_URL: JSON.stringify(workerName) } });
  // The page, split: what the first paint needs in app.js, the rest (the editor: CodeMirror and its
  // languages, about 800 KB) in chunks loaded on first use, so they cost the boot nothing.
  rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
  await build({ ...common, entryPoints: { app: join(root, 'web/main.ts') }, outdir, format: 'esm', splitting: true,
    chunkNames: 'chunks/[name].[hash]', loader: { '.css': 'text' }, define: { WASMUX_WORKER_URL: JSON.stringify(workerName) } });
  // The worker is started by a small inline script at the top of the page, before app.js is parsed: its
  // boot then overlaps the page's (runtime/host/browser/start-worker.ts).
  const early = await build({ ...common, entryPoints: [join(root, 'runtime/host/browser/early-start.ts')],
    format: 'iife', write: false, sourcemap: false, define: { WASMUX_WORKER_URL: JSON.stringify(workerName) } });
  const marker = /<!-- wasmux:start-worker[^>]*-->/;
  const page = readFileSync(join(root, 'web/index.html'), 'utf8');
  if (!marker.test(page)) throw new Error('web/index.html lacks the <!-- wasmux:start-worker --> marker');
  writeFileSync(join(outdir, 'index.html'), page.replace(marker, () => `<script>${early.outputFiles[0].text.trim()}</script>`));
  copyFileSync(join(root, 'manifest.webmanifest'), join(outdir, 'manifest.webmanifest'));
  for (const size of [192, 512]) writeFileSync(join(outdir, `icon-${size}.png`), renderIcon(size));
  // Precompressed variants of the big files, sent by the server to clients that accept them (edge/site.ts):
  // the image is about a quarter of its size in brotli. Revisioned files are compressed once.
  for (const f of [imageName, workerName, 'app.js']) precompress(join(outdir, f));
  // The service worker last: its precache list covers everything above, with a content hash as the revision
  // of files whose URL is not revisioned (the image's and the worker's URLs are: their revision is their name).
  const sw = join(outdir, 'sw.js');
  await build({ ...common, entryPoints: [join(root, 'sw/sw.ts')], outfile: sw, format: 'iife', sourcemap: false });
  const { count, size, warnings } = await injectManifest({
    swSrc: sw, swDest: sw, globDirectory: outdir,
    globPatterns: ['index.html', 'app.js', 'chunks/*.js', 'preview-shim.js', workerName, 'manifest.webmanifest', 'icon-*.png', 'rootfs.*.img'],
    dontCacheBustURLsMatching: /\.[0-9a-f]{12}\.(img|js)$|^chunks\//,
    maximumFileSizeToCacheInBytes: 256 * 1024 * 1024,
  });
  if (warnings.length > 0) throw new Error(`workbox injectManifest: ${warnings.join('; ')}`);
  return { outdir, imageName, workerName, precache: { count, size } };
}

/** Writes file.br and file.gz unless they are newer than the file. */
function precompress(file) {
  const mtime = statSync(file).mtimeMs;
  const fresh = (f) => existsSync(f) && statSync(f).mtimeMs >= mtime;
  if (fresh(`${file}.br`) && fresh(`${file}.gz`)) return;
  const data = readFileSync(file);
  writeFileSync(`${file}.br`, brotliCompressSync(data, { params: {
    [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } }));
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--image');
  const { outdir, imageName, precache } = await bundleWeb(i > 0 ? { image: resolve(process.argv[i + 1]) } : {});
  console.log(`bundled ${outdir} (image ${imageName}; service worker precaches ${precache.count} files, ${(precache.size / 1048576).toFixed(1)} MiB)`);
}
