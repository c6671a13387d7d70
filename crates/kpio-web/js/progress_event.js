// ProgressEvent (XMLHttpRequest Standard, section 6): the events FileReader (and later
// XMLHttpRequest) fire, with how much of how much is done.
(function (ops, internals) {
  'use strict';
  const { requireArgs, dictionary } = internals;
  const numberIsFinite = Number.isFinite;

  // WebIDL's double: a finite number, else TypeError.
  function toDouble(v, name, what) {
    const x = +v;
    if (!numberIsFinite(x)) throw new TypeError(`${what}: The provided double value of '${name}' is non-finite.`);
    return x;
  }

  class ProgressEvent extends Event {
    #init;
    constructor(type, eventInitDict = undefined) {
      const what = "Failed to construct 'ProgressEvent'";
      requireArgs(arguments.length, 1, what);
      const init = dictionary(eventInitDict, what);
      super(type, init);
      // ProgressEventInit's own members, after EventInit's, in lexicographic order.
      const lengthComputable = !!init.lengthComputable;
      const l = init.loaded;
      const loaded = l === undefined ? 0 : toDouble(l, 'loaded', what);
      const t = init.total;
      const total = t === undefined ? 0 : toDouble(t, 'total', what);
      this.#init = { lengthComputable, loaded, total };
    }
    get lengthComputable() { return this.#init.lengthComputable; }
    get loaded() { return this.#init.loaded; }
    get total() { return this.#init.total; }
  }
  internals.defineInterface(ProgressEvent, 'ProgressEvent');
});
