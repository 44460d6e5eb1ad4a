#!/usr/bin/env node
// Builds the browser app into dist/web/: index.html, manifest.webmanifest and its icons (scripts/icons.mjs),
// app.js (the page: web/main.ts), kernel-worker.js (the kernel's SharedWorker:
// runtime/host/browser/kernel-worker.ts) and the image under a revisioned name, rootfs.<sha256 prefix>.img,
// whose URL is compiled into the worker. The dev server (scripts/serve.mjs) caches
// revisioned files forever and revalidates everything else.
//   node scripts/bundle-web.mjs [--image FILE]
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderIcon } from './icons.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleWeb({ image = join(root, 'build/rootfs.img'), outdir = join(root, 'dist/web') } = {}) {
  if (!existsSync(image)) throw new Error(`no image at ${image} (build it with: npm run build:image)`);
  mkdirSync(outdir, { recursive: true });
  const rev = createHash('sha256').update(readFileSync(image)).digest('hex').slice(0, 12);
  const imageName = `rootfs.${rev}.img`;
  for (const f of readdirSync(outdir)) if (/^rootfs\.[0-9a-f]+\.img$/.test(f) && f !== imageName) rmSync(join(outdir, f));
  const imageOut = join(outdir, imageName);
  // A copy, not a link: an image rebuilt in place must not change the content behind a revisioned name.
  if (!existsSync(imageOut)) copyFileSync(image, imageOut);
  const common = { bundle: true, platform: 'browser', target: 'chrome120', sourcemap: true, logLevel: 'warning',
    legalComments: 'none', minify: true };
  await Promise.all([
    build({ ...common, entryPoints: [join(root, 'runtime/host/browser/kernel-worker.ts')],
      outfile: join(outdir, 'kernel-worker.js'), format: 'iife',
      define: { WASMUX_IMAGE_URL: JSON.stringify(imageName) } }),
    build({ ...common, entryPoints: [join(root, 'web/main.ts')], outfile: join(outdir, 'app.js'), format: 'esm',
      loader: { '.css': 'text' } }),
  ]);
  copyFileSync(join(root, 'web/index.html'), join(outdir, 'index.html'));
  copyFileSync(join(root, 'manifest.webmanifest'), join(outdir, 'manifest.webmanifest'));
  for (const size of [192, 512]) writeFileSync(join(outdir, `icon-${size}.png`), renderIcon(size));
  return { outdir, imageName };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--image');
  const { outdir, imageName } = await bundleWeb(i > 0 ? { image: resolve(process.argv[i + 1]) } : {});
  console.log(`bundled ${outdir} (image ${imageName})`);
}
