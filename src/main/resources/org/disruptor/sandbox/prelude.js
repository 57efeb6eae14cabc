// Evaluated in every fresh context before job code, by both engines. It captures what the node relies on
// (JSON, Promise, String) before job code can replace them, removes globals that could reach a host,
// installs a console whose lines go to the node, and returns the part runner. Nothing stays in the global
// scope but the new console: the captured functions live only in these closures.
(function (hostSink) {
  'use strict';
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const toText = String;
  const apply = Reflect.apply;
  const isError = (e) => e instanceof Error;
  const promiseResolve = Promise.resolve.bind(Promise);
  const promiseThen = Promise.prototype.then;
  const sink = hostSink !== undefined ? hostSink : console.log.bind(console);
  // typed arrays in and out (binary data): the constructors and the %TypedArray% getters, captured
  const Buffer = ArrayBuffer;
  const Bytes = Uint8Array;
  const typedProto = Reflect.getPrototypeOf(Uint8Array.prototype);
  const typedGet = (key) => Reflect.getOwnPropertyDescriptor(typedProto, key).get;
  const typedTag = typedGet(Symbol.toStringTag);
  const typedBuffer = typedGet('buffer');
  const typedOffset = typedGet('byteOffset');
  const typedLength = typedGet('byteLength');
  const typedSet = typedProto.set;
  const TYPED = Object.freeze(Object.assign(Object.create(null), { Int8Array, Uint8Array, Int16Array, Uint16Array,
    Int32Array, Uint32Array, Float32Array, Float64Array }));

  for (const name of ['load', 'loadWithNewGlobal', 'print', 'printErr', 'Graal', 'Java', 'Polyglot', 'Packages',
    'java', 'javax', 'javafx', 'com', 'org', 'edu', 'net', 'quit', 'exit', 'read', 'readbuffer', 'readline', 'WebAssembly',
    'console', 'gc', 'Realm', 'd8', 'os', 'arguments']) {
    try { delete globalThis[name]; } catch (e) { /* not deletable: left as it is */ }
  }

  // node-like formatting: strings as they are, objects as JSON, the rest as String() gives them
  const show = (value) => {
    if (typeof value === 'string') {
      return value;
    }
    try {
      if (value !== null && typeof value === 'object') {
        const json = stringify(value);
        if (typeof json === 'string') {
          return json;
        }
      }
      return toText(value);
    } catch (e) {
      return '[value that cannot be shown]';
    }
  };
  // each line travels as a JSON string literal: lone surrogates stay escapes, and a line holds no newline
  const write = (...args) => {
    let line = '';
    for (let i = 0; i < args.length; i++) {
      line = i === 0 ? show(args[i]) : line + ' ' + show(args[i]);
    }
    sink(stringify(line));
  };
  globalThis.console = { log: write, info: write, warn: write, error: write, debug: write, trace: write };

  const describe = (e) => {
    let name = '';
    let message;
    let stack = '';
    try {
      if (isError(e)) {
        name = toText(e.name);
        message = toText(e.message);
        stack = typeof e.stack === 'string' ? e.stack : '';
      } else {
        const json = e !== null && typeof e === 'object' ? stringify(e) : undefined;
        message = typeof json === 'string' ? json : toText(e);
      }
    } catch (x) {
      message = 'an error whose message cannot be read';
    }
    return 'e\n' + stringify(name) + '\n' + stringify(message) + '\n' + stringify(stack);
  };

  // run(fn, input, ctx[, type]) starts the part: input is JSON text, or with a type (Float64Array, ...) an
  // ArrayBuffer that fn gets as that typed array. The function it returns is called once the engine has run
  // every pending promise job, and answers 'o' + JSON, 'b' + a typed array's type (called with true, it then
  // gives a copy of the array's bytes), 'e' + error fields, 'f' + what fn was, or 'p' (pending)
  const run = function run(fn, input, ctx, type) {
    let outcome = 'p';
    let bytes;
    const take = (wanted) => wanted === true ? bytes : outcome;
    if (typeof fn !== 'function') {
      outcome = 'f' + (fn === null ? 'null' : typeof fn);
      return take;
    }
    const typed = (value) => {
      const tag = value !== null && typeof value === 'object' ? apply(typedTag, value, []) : undefined;
      if (tag === undefined || TYPED[tag] === undefined) {
        return false;
      }
      const length = apply(typedLength, value, []);
      bytes = new Buffer(length);
      apply(typedSet, new Bytes(bytes), [new Bytes(apply(typedBuffer, value, []), apply(typedOffset, value, []), length)]);
      outcome = 'b' + tag;
      return true;
    };
    const done = (value) => {
      try {
        if (typed(value)) {
          return;
        }
        const json = stringify(value);
        outcome = 'o' + (typeof json === 'string' ? json : 'null');
      } catch (e) {
        outcome = describe(e);
      }
    };
    const fail = (e) => {
      outcome = describe(e);
    };
    try {
      const result = fn(type === undefined ? parse(input) : new TYPED[type](input), parse(ctx));
      if (result !== null && (typeof result === 'object' || typeof result === 'function')
          && typeof result.then === 'function') {
        apply(promiseThen, promiseResolve(result), [done, fail]);
      } else {
        done(result);
      }
    } catch (e) {
      fail(e);
    }
    return take;
  };
  // a fresh ArrayBuffer for a part's binary input, for an engine that fills it from the host side
  run.alloc = (n) => new Buffer(n);
  return run;
})
