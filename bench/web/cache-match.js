// Cache Storage: cache.match() of a 1 MB entry (its body read as an ArrayBuffer), and
// put() of it, on a durable store in both KPIO and Chromium.
async function runBench() {
  const body = new Uint8Array(1000 * 1000);
  for (let i = 0; i < body.length; i++) body[i] = i % 251;
  await caches.delete('bench');
  const cache = await caches.open('bench');
  const n = 50;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await cache.put('/big?' + (i % 5), new Response(body));
  const put = (performance.now() - t0) / n;
  t0 = performance.now();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = await cache.match('/big?' + (i % 5));
    total += (await r.arrayBuffer()).byteLength;
  }
  const match = (performance.now() - t0) / n;
  if (total !== n * body.length) throw new Error('wrong bodies');
  await caches.delete('bench');
  return { 'Cache match 1 MB, body read (ms/op)': match, 'Cache put 1 MB (ms/op)': put };
}
