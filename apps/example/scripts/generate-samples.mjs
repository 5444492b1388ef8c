// Generates the demo's sample images (committed under samples/): small PNG and
// JPEG scenes with distinct colours, brightness and contrast, so the local
// provider's descriptions differ visibly. Deterministic: a fixed-seed PRNG.
// Run: node scripts/generate-samples.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');
mkdirSync(out, { recursive: true });

let seed = 42;
const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

function render(width, height, shade) {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a = 255] = shade(x / (width - 1), y / (height - 1), x, y);
      const i = (y * width + x) * 4;
      data[i] = clamp(r);
      data[i + 1] = clamp(g);
      data[i + 2] = clamp(b);
      data[i + 3] = clamp(a);
    }
  }
  return { width, height, data };
}

function savePng(name, image) {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = image.data;
  writeFileSync(join(out, name), PNG.sync.write(png));
}

function saveJpeg(name, image, quality = 82) {
  writeFileSync(join(out, name), jpeg.encode(image, quality).data);
}

// Sunset: orange sky fading to purple, dark hills.
saveJpeg(
  'sunset.jpg',
  render(480, 320, (u, v) => {
    const hill = 0.72 + 0.06 * Math.sin(u * 9) + 0.03 * Math.sin(u * 23);
    if (v > hill) return [40, 24, 40];
    const sky = mix([250, 150, 40], [120, 50, 150], Math.min(1, v * 1.3));
    const sun = Math.hypot(u - 0.62, v - 0.55) < 0.09 ? 1 : 0;
    return sun ? [255, 230, 120] : sky;
  }),
);

// Ocean: blue gradient with wave highlights.
saveJpeg(
  'ocean.jpg',
  render(512, 320, (u, v) => {
    if (v < 0.35) return mix([150, 200, 245], [100, 170, 235], v / 0.35);
    const wave = Math.sin(u * 60 + v * 25) * Math.sin(u * 13 - v * 40);
    const base = mix([30, 110, 180], [10, 40, 110], (v - 0.35) / 0.65);
    return wave > 0.85 ? [235, 245, 255] : base;
  }),
);

// Forest: greens with noise and brown trunks.
savePng(
  'forest.png',
  render(320, 240, (u, v, x) => {
    const n = random() * 40 - 20;
    if (v > 0.55 && x % 37 < 5) return [110 + n, 70 + n, 35];
    return v < 0.15 ? [170, 210, 240] : [30 + n, 120 + n + 40 * Math.sin(u * 20), 40 + n];
  }),
);

// Night city: very dark with yellow windows.
savePng(
  'night-city.png',
  render(400, 260, (u, v, x, y) => {
    const building = v > 0.35 + 0.3 * Math.abs(Math.sin(Math.floor(x / 40) * 1.7));
    if (building && x % 8 < 3 && y % 10 < 4 && random() < 0.35) return [250, 220, 90];
    return building ? [22, 22, 34] : [8, 10, 30];
  }),
);

// Snowfield: very bright, low contrast.
saveJpeg(
  'snowfield.jpg',
  render(400, 300, (u, v) => {
    const n = random() * 10;
    return v < 0.3 ? [225 + n, 235 + n, 248] : [240 + n, 242 + n, 246 + n];
  }),
  88,
);

// Logo: red disc on a transparent canvas.
savePng(
  'logo.png',
  render(256, 256, (u, v) => (Math.hypot(u - 0.5, v - 0.5) < 0.3 ? [215, 35, 40, 255] : [255, 255, 255, 0])),
);

// Test card: colour bars, high contrast.
const bars = [
  [255, 255, 255],
  [245, 225, 40],
  [40, 220, 230],
  [40, 170, 50],
  [220, 40, 200],
  [220, 30, 30],
  [30, 70, 220],
  [0, 0, 0],
];
savePng(
  'test-card.png',
  render(320, 180, (u) => bars[Math.min(bars.length - 1, Math.floor(u * bars.length))]),
);

console.log(`sample images written to ${out}`);
