// localStorage.setItem of 1 KB values (durable in both KPIO and Chromium), then getItem.
// Each runtime calls `runBench()` and reports its result as JSON.
async function runBench() {
  const value = 'v'.repeat(1024);
  const n = 2000;
  localStorage.clear();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) localStorage.setItem('key' + (i % 200), value + i);
  const set = (performance.now() - t0) / n;
  t0 = performance.now();
  let total = 0;
  for (let i = 0; i < n; i++) total += localStorage.getItem('key' + (i % 200)).length;
  const get = (performance.now() - t0) / n;
  if (total === 0) throw new Error('nothing read');
  localStorage.clear();
  return { 'localStorage setItem 1 KB (ms/op)': set, 'localStorage getItem 1 KB (ms/op)': get };
}
