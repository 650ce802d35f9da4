/**
 * The lexical half of memory search: a tokenizer that keeps what
 * organizations search for verbatim (ids such as `INC-2041`, versions such as
 * `v2.3`, names) and a light English stemmer, plus BM25 scoring.
 *
 * A token is a run of letters/digits; runs joined by `-_./:#` also yield the
 * whole compound (lower-cased), so `INC-2041` indexes as `inc-2041`, `inc`
 * and `2041`, and a query for the id matches it exactly and strongly (the
 * compound is rare, hence a high IDF). Parts are stemmed and stop words
 * dropped; compounds are kept as written.
 */

const STOP_WORDS = new Set(
  ('a an and are as at be been but by can did do does for from had has have how i if in into is it its me my no not of on or our ' +
    'so than that the their them then there these they this those to too was we were what when where which who whom why will with ' +
    'would you your about after again all also any because before being between both could during each few more most other over ' +
    'own same should some such through under until up very just us did done via per')
    .split(' '),
);

const WORD = /[\p{L}\p{N}]+(?:[-_./:#][\p{L}\p{N}]+)*/gu;
const PART = /[\p{L}\p{N}]+/gu;

/** Tokens of a text, in order, with repeats (term frequency counts them). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    const parts = word.match(PART) ?? [];
    if (parts.length > 1) out.push(word);
    for (const part of parts) {
      if (STOP_WORDS.has(part)) continue;
      out.push(stem(part));
    }
  }
  return out;
}

/**
 * A light suffix stemmer (plural, -ing, -ed, final -e, final -ll) so that
 * "outages", "hired" and "hiring" meet "outage" and "hire", "cancelled" meets "cancel". Digits and short words are left alone.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(ss|x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length >= 6) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length >= 5) w = undouble(w.slice(0, -2));
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  // Porter's step 5b: "cancelled" → "cancell" → "cancel", as "install" → "instal".
  if (w.endsWith('ll') && w.length >= 6) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([^aeioulsz])\1$/.test(w) ? w.slice(0, -1) : w;
}

export { BM25, idf, termScore } from '../../contracts/bm25.js';
