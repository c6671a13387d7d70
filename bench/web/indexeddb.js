// IndexedDB: 10,000 puts of small records in one readwrite transaction (with its
// commit), then 10,000 gets in one readonly transaction; per operation.
async function runBench() {
  const name = 'bench-' + Math.random();
  const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('items', { keyPath: 'id' });
  const db = await req(open);
  const n = 10000;
  let t0 = performance.now();
  await new Promise((resolve, reject) => {
    const tx = db.transaction('items', 'readwrite');
    const store = tx.objectStore('items');
    for (let i = 0; i < n; i++) store.put({ id: i, title: 'note ' + i, done: i % 3 === 0, tags: ['a', 'b'] });
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  const put = (performance.now() - t0) / n;
  t0 = performance.now();
  let found = 0;
  await new Promise((resolve, reject) => {
    const tx = db.transaction('items', 'readonly');
    const store = tx.objectStore('items');
    for (let i = 0; i < n; i++) store.get(i).onsuccess = (e) => { if (e.target.result) found++; };
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  const get = (performance.now() - t0) / n;
  if (found !== n) throw new Error('missing records: ' + found);
  db.close();
  await req(indexedDB.deleteDatabase(name));
  return { 'IndexedDB put, 10,000 in one transaction (ms/op)': put, 'IndexedDB get, 10,000 in one transaction (ms/op)': get };
}
