// The Console Standard's namespace: formatting (%s %d %i %f %o %O %c), counters,
// timers and groups, printed through the realm's console sink.
(function (ops, internals) {
  'use strict';
  let indent = '';
  const counts = new Map();
  const timers = new Map();

  function inspect(v, depth, seen) {
    switch (typeof v) {
      case 'string': return depth === 0 ? v : JSON.stringify(v);
      case 'bigint': return `${v}n`;
      case 'symbol': return v.toString();
      case 'function': return v.name ? `[Function: ${v.name}]` : '[Function (anonymous)]';
      case 'undefined': return 'undefined';
      case 'object': break;
      default: return Object.is(v, -0) ? '-0' : String(v);
    }
    if (v === null) return 'null';
    if (seen.includes(v)) return '[Circular]';
    try {
      if (v instanceof Error || internals.isDOMException(v)) {
        return typeof v.stack === 'string' && v.stack !== ''
          ? `${v.name}: ${v.message}\n${v.stack.replace(/\n$/, '')}` : `${v.name}: ${v.message}`;
      }
      if (v instanceof Date) return v.toISOString();
      if (v instanceof RegExp) return String(v);
      if (depth > 2) return Array.isArray(v) ? '[Array]' : '[Object]';
      const inner = seen.concat([v]);
      if (Array.isArray(v)) {
        return `[ ${v.map((x) => inspect(x, depth + 1, inner)).join(', ')} ]`.replace('[  ]', '[]');
      }
      if (v instanceof Map) {
        const items = [...v].map(([k, x]) => `${inspect(k, depth + 1, inner)} => ${inspect(x, depth + 1, inner)}`);
        return `Map(${v.size}) { ${items.join(', ')} }`;
      }
      if (v instanceof Set) {
        return `Set(${v.size}) { ${[...v].map((x) => inspect(x, depth + 1, inner)).join(', ')} }`;
      }
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        return `${v.constructor.name}(${v.length}) [ ${Array.prototype.join.call(v, ', ')} ]`;
      }
      const tag = v[Symbol.toStringTag];
      const keys = Object.keys(v);
      const body = keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inspect(v[k], depth + 1, inner)}`);
      const prefix = typeof tag === 'string' ? `${tag} ` : '';
      return body.length === 0 ? `${prefix}{}` : `${prefix}{ ${body.join(', ')} }`;
    } catch (e) {
      return '[object]';
    }
  }

  // The Console Standard's Formatter: format specifiers in the first argument, if it is
  // a string, consume the arguments after it; the rest are appended with spaces.
  function format(args) {
    if (args.length === 0) return '';
    let rest = args;
    let out = '';
    if (typeof args[0] === 'string') {
      const fmt = args[0];
      rest = args.slice(1);
      let i = 0;
      while (i < fmt.length) {
        const c = fmt[i];
        if (c === '%' && i + 1 < fmt.length) {
          const spec = fmt[i + 1];
          if (spec === '%') { out += '%'; i += 2; continue; }
          if ('sdifoOc'.includes(spec)) {
            if (rest.length === 0) { out += c + spec; i += 2; continue; }
            const a = rest.shift();
            switch (spec) {
              case 's': out += typeof a === 'string' ? a : (typeof a === 'object' && a !== null ? inspect(a, 1, []) : String(a)); break;
              case 'd': case 'i':
                out += typeof a === 'bigint' ? `${a}n` : typeof a === 'symbol' ? 'NaN' : String(parseInt(a, 10)); break;
              case 'f': out += typeof a === 'symbol' ? 'NaN' : String(parseFloat(a)); break;
              case 'o': case 'O': out += inspect(a, 1, []); break;
              case 'c': break;
            }
            i += 2;
            continue;
          }
        }
        out += c;
        i += 1;
      }
    } else {
      out = inspect(args[0], 0, []);
      rest = args.slice(1);
    }
    for (const a of rest) out += ' ' + inspect(a, 0, []);
    return out;
  }

  function print(level, text) {
    const lines = String(text).split('\n').map((l) => indent + l).join('\n');
    ops.print(level, lines.toWellFormed());
  }

  const console = {
    log(...data) { print('log', format(data)); },
    info(...data) { print('log', format(data)); },
    debug(...data) { print('debug', format(data)); },
    warn(...data) { print('warn', format(data)); },
    error(...data) { print('error', format(data)); },
    trace(...data) {
      const stack = (new Error().stack || '').split('\n').slice(1).join('\n');
      print('error', `Trace${data.length ? ': ' + format(data) : ''}\n${stack}`.replace(/\n$/, ''));
    },
    assert(condition = false, ...data) {
      if (condition) return;
      if (data.length === 0) data = ['Assertion failed'];
      else if (typeof data[0] === 'string') data[0] = `Assertion failed: ${data[0]}`;
      else data.unshift('Assertion failed');
      print('error', format(data));
    },
    dir(item, options) { print('log', inspect(item, 1, [])); },
    dirxml(...data) { print('log', format(data)); },
    table(data) { print('log', inspect(data, 1, [])); },
    count(label = 'default') {
      label = String(label);
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      print('log', `${label}: ${n}`);
    },
    countReset(label = 'default') {
      label = String(label);
      if (counts.has(label)) counts.set(label, 0);
      else print('warn', `Count for '${label}' does not exist`);
    },
    group(...data) {
      if (data.length) print('log', format(data));
      indent += '  ';
    },
    groupCollapsed(...data) { console.group(...data); },
    groupEnd() { indent = indent.slice(2); },
    // Nothing to wipe on a line-based sink; the group stack is emptied as the standard asks.
    clear() { indent = ''; },
    time(label = 'default') {
      label = String(label);
      if (timers.has(label)) print('warn', `Timer '${label}' already exists`);
      else timers.set(label, ops.now());
    },
    timeLog(label = 'default', ...data) {
      label = String(label);
      if (!timers.has(label)) { print('warn', `Timer '${label}' does not exist`); return; }
      const ms = ops.now() - timers.get(label);
      print('log', `${label}: ${ms.toFixed(3)} ms${data.length ? ' ' + format(data) : ''}`);
    },
    timeEnd(label = 'default') {
      label = String(label);
      if (!timers.has(label)) { print('warn', `Timer '${label}' does not exist`); return; }
      const ms = ops.now() - timers.get(label);
      timers.delete(label);
      print('log', `${label}: ${ms.toFixed(3)} ms`);
    },
  };
  Object.defineProperty(console, Symbol.toStringTag, { value: 'console', configurable: true });
  internals.expose('console', console);
  internals.inspect = (v) => inspect(v, 0, []);
});
