// convert.mjs OUTDIR — turns the vocabularies of npm's llama-tokenizer-js
// (Llama 2, SentencePiece) and llama3-tokenizer-js (Llama 3, byte-level BPE)
// into GGUF files holding only tokenizer.ggml.* metadata, and writes for each
// the reference token ids of a corpus of hard cases, computed by those
// libraries. The C test (tests/ai/tok_parity.c) tokenizes the same texts from
// the GGUF and compares. Nothing here is committed output; it runs at test time.
import fs from 'node:fs';
import path from 'node:path';
import llama2 from 'llama-tokenizer-js';
import llama3 from 'llama3-tokenizer-js';

const out = process.argv[2] || '.';
fs.mkdirSync(out, { recursive: true });

// ---- a minimal GGUF v3 writer: metadata only, no tensors ----
const T = { U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
function gguf(kvs) {
  const parts = [];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); parts.push(b); };
  const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
  const f32 = (v) => { const b = Buffer.alloc(4); b.writeFloatLE(v); parts.push(b); };
  const str = (s) => { const b = Buffer.from(s, 'utf8'); u64(b.length); parts.push(b); };
  parts.push(Buffer.from('GGUF')); u32(3); u64(0); u64(kvs.length);
  for (const [key, type, value, elem] of kvs) {
    str(key); u32(type);
    if (type === T.STRING) str(value);
    else if (type === T.U32) u32(value);
    else if (type === T.I32) i32(value);
    else if (type === T.BOOL) parts.push(Buffer.from([value ? 1 : 0]));
    else if (type === T.ARRAY) {
      u32(elem); u64(value.length);
      for (const v of value) (elem === T.STRING ? str : elem === T.F32 ? f32 : i32)(v);
    }
  }
  const body = Buffer.concat(parts); // the (empty) data section starts aligned to 32
  return Buffer.concat([body, Buffer.alloc((32 - (body.length % 32)) % 32)]);
}

// ---- the corpus: cases each tokenizer must get exactly right ----
const corpus = [
  'Hello world!', 'hello', ' leading space', 'trailing space ', '  two leading', 'a  b   c    d',
  'tabs\tand\t\ttabs', 'new\nline', 'multiple\n\n\nnewlines', ' \n \n ', 'CRLF\r\nline\r\n', '\n\nstart',
  'end with newline\n', '   ', '\t', 'x\u00a0y',
  '1234567890', 'pi is 3.14159265358979', 'year 2024, 10,000,000 and 1e-9', '12a34b', '٣٤٥ arabic-indic digits',
  "I'm you're we've they'll she'd it's don't", "SHOUTING'S DON'T I'LL", "quote 'quoted' ''",
  'emoji 😀👍🏽🎉 family 👨‍👩‍👧‍👦 flags 🇫🇮🇯🇵', '🦙🦙🦙', '日本語のテキストです。', '中文字符测试，标点！', '한국어 텍스트',
  'Ünïcödé façade naïve café', 'Привет, мир!', 'مرحبا بالعالم', 'שלום עולם', 'ελληνικά γράμματα', 'हिन्दी पाठ',
  'math ∑∫∂ √2 ≈ 1.414 ∞', 'symbols ~!@#$%^&*()_+{}|:"<>?`-=[]\\;\',./', 'code: for (int i = 0; i < n; i++) { x += y; }',
  'def f(x):\n    return x**2\n', '<html><body class="x">text</body></html>', 'https://example.com/path?q=1&r=2#frag',
  'snake_case_name camelCaseName PascalCase kebab-case', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'The quick brown fox jumps over the lazy dog.', 'rare chars: \u0001\u0002 \u007f ꙮ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ⸻',
  'byte fallback: 🜲🝖 \u{10FFFD}', 'mixed 日本 and English 123 😀!', '  \t \n mixed whitespace \t\n',
  'ending with spaces    ', 'a', '.', '...', '!!!???', '$100.00', '#hashtag @mention',
];
// Random strings mixing every character class the pre-tokenizers and the
// merges care about; a fixed seed keeps the cases the same from run to run.
let seed = 12345;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const pools = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', '     ', '\n\n\r\t', '.,;:!?\'"()[]{}<>-_=+*/\\|@#$%^&~`',
  'éèêëàâäôöûüçñßøåæœ', '日本語中文字符测试한국어', '😀👍🏽🎉🦙🇫🇮❤️‍🔥', 'Привет мир ελληνικά עברית العربية', '\u0301\u0308\u200d\u00a0\u3000',
  ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL"].join(''),
];
for (let i = 0; i < 150; i++) {
  let s = '';
  const len = 1 + rand(40);
  while ([...s].length < len) {
    const pool = [...pools[rand(pools.length)]];
    const run = 1 + rand(6);
    for (let k = 0; k < run; k++) s += pool[rand(pool.length)];
  }
  corpus.push(s);
}

// Cases with control tokens spelt in the text, tokenized with special parsing on.
const specials2 = ['<s>Hello</s>', 'before <s> after', '</s></s>x', 'text<s>'];
const specials3 = [
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>',
  'plain <|eot_id|> middle', '<|reserved_special_token_5|>x<|python_tag|>', 'not special <|foo|> <|eot_id',
];

const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
function writeCases(file, rows) {
  fs.writeFileSync(file, rows.map(([text, flags, ids]) => `${hex(text) || '-'}\t${flags}\t${ids.join(' ')}`).join('\n') + '\n');
}

// ---- Llama 2: rebuild SentencePiece scores from the merge order ----
{
  const t = llama2;
  const vocab = t.vocabById;
  const n = vocab.length;
  // A token's score is minus the rank of the first merge producing it, so
  // that "highest score first" is "earliest merge first" as the library does.
  const scores = new Array(n).fill(-1e9);
  for (const [pair, prio] of t.merges) {
    const id = t.vocabByString.get(pair.replace(' ', ''));
    if (id !== undefined && scores[id] < -prio) scores[id] = -prio;
  }
  const types = vocab.map((s, i) => (i === 0 ? 2 : i <= 2 ? 3 : /^<0x[0-9A-F]{2}>$/.test(s) ? 6 : 1));
  for (let i = 0; i < n; i++) if (types[i] !== 1) scores[i] = 0;
  fs.writeFileSync(path.join(out, 'llama2.gguf'), gguf([
    ['general.architecture', T.STRING, 'llama'],
    ['tokenizer.ggml.model', T.STRING, 'llama'],
    ['tokenizer.ggml.tokens', T.ARRAY, vocab, T.STRING],
    ['tokenizer.ggml.scores', T.ARRAY, scores, T.F32],
    ['tokenizer.ggml.token_type', T.ARRAY, types, T.I32],
    ['tokenizer.ggml.bos_token_id', T.U32, 1],
    ['tokenizer.ggml.eos_token_id', T.U32, 2],
    ['tokenizer.ggml.unknown_token_id', T.U32, 0],
    ['tokenizer.ggml.add_bos_token', T.BOOL, true],
  ]));
  const rows = corpus.map((s) => [s, 1, t.encode(s, true, true)]);
  rows.push(...corpus.slice(0, 8).map((s) => [s, 0, t.encode(s, false, true)]));
  // The library does not parse control tokens: compose the reference the way
  // llama.cpp does — each text fragment encoded alone with its prefix space.
  for (const s of specials2) {
    const ids = [1];
    for (const part of s.split(/(<s>|<\/s>)/)) {
      if (part === '<s>') ids.push(1);
      else if (part === '</s>') ids.push(2);
      else if (part) ids.push(...t.encode(part, false, true));
    }
    rows.push([s, 3, ids]);
  }
  writeCases(path.join(out, 'llama2.cases'), rows);
}

// ---- Llama 3: vocabulary, merges in rank order, control tokens ----
{
  const t = llama3;
  const vocab = t.vocabById;
  const merges = [...t.merges.entries()].sort((a, b) => a[1] - b[1]).map(([pair]) => pair);
  const types = vocab.map((s, i) => (i >= 128000 ? 3 : 1));
  fs.writeFileSync(path.join(out, 'llama3.gguf'), gguf([
    ['general.architecture', T.STRING, 'llama'],
    ['tokenizer.ggml.model', T.STRING, 'gpt2'],
    ['tokenizer.ggml.pre', T.STRING, 'llama-bpe'],
    ['tokenizer.ggml.tokens', T.ARRAY, vocab, T.STRING],
    ['tokenizer.ggml.token_type', T.ARRAY, types, T.I32],
    ['tokenizer.ggml.merges', T.ARRAY, merges, T.STRING],
    ['tokenizer.ggml.bos_token_id', T.U32, 128000],
    ['tokenizer.ggml.eos_token_id', T.U32, 128009],
    ['tokenizer.ggml.add_bos_token', T.BOOL, true],
  ]));
  const rows = corpus.map((s) => [s, 1, t.encode(s, { bos: true, eos: false })]);
  rows.push(...corpus.slice(0, 8).map((s) => [s, 0, t.encode(s, { bos: false, eos: false })]));
  for (const s of specials3) rows.push([s, 2, t.encode(s, { bos: false, eos: false })]);
  writeCases(path.join(out, 'llama3.cases'), rows);
}
// ---- pre-tokenizer regexes, run by JavaScript's regex engine ----
// Kinds numbered as ai_pretok_kind: GPT-2, Llama 3, Qwen 2, digits + GPT-2.
{
  const gpt2 = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
  const l3 = (digits) => new RegExp("(?:'([sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}" + digits +
    "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", 'gu');
  const split = (re, s) => { const r = []; let prev = 0;
    for (const m of s.matchAll(re)) { if (m.index > prev) r.push(s.slice(prev, m.index)); r.push(m[0]); prev = m.index + m[0].length; }
    if (prev < s.length) r.push(s.slice(prev)); return r; };
  const digitsThenGpt2 = (s) => split(/\p{N}/gu, s).flatMap((f) => (/^\p{N}$/u.test(f) ? [f] : split(gpt2, f)));
  const kinds = [(s) => split(gpt2, s), (s) => split(l3('{1,3}'), s), (s) => split(l3(''), s), digitsThenGpt2];
  const rows = [];
  for (const s of corpus) kinds.forEach((f, k) => rows.push(`${k}\t${hex(s) || '-'}\t${f(s).map(hex).join(',')}`));
  fs.writeFileSync(path.join(out, 'pretok.cases'), rows.join('\n') + '\n');
}
console.log(`wrote ${out}/llama2.gguf, llama3.gguf and their .cases, pretok.cases`);
