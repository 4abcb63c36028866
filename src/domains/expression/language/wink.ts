/**
 * One wink-nlp parse per text, shared by sentence splitting and NER (parsing
 * dominates their cost). wink reports spans as token indices; this also maps
 * tokens back to character offsets.
 */
import winkNLP, { type ItemToken } from 'wink-nlp'
import winkModel from 'wink-eng-lite-web-model'

export interface WinkParse {
  doc: ReturnType<ReturnType<typeof winkNLP>['readDoc']>
  its: ReturnType<typeof winkNLP>['its']
  /** Character offset where token i begins / ends (exclusive). */
  starts: number[]
  ends: number[]
}

let nlp: ReturnType<typeof winkNLP> | undefined
let last: { text: string; parse: WinkParse } | undefined

export function parse(text: string): WinkParse {
  if (last?.text === text) return last.parse
  nlp ??= winkNLP(winkModel)
  const its = nlp.its
  const doc = nlp.readDoc(text)
  const starts: number[] = []
  const ends: number[] = []
  let pos = 0
  doc.tokens().each((t: ItemToken) => {
    pos += (t.out(its.precedingSpaces) as string).length
    const value = t.out(its.value) as string
    const at = text.indexOf(value, pos)
    const begin = at >= 0 ? at : pos
    starts.push(begin)
    ends.push(begin + value.length)
    pos = begin + value.length
  })
  const result = { doc, its, starts, ends }
  last = { text, parse: result }
  return result
}
