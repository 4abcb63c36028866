import { isAbbreviation } from '../../tts/engines/text.js'

/**
 * Cuts a language model's token stream into sentences as they complete, so speech can start on
 * the first sentence while the model is still writing the rest. A sentence ends at . ! ? (or …)
 * followed by white space, except after common abbreviations, initials and inside numbers ("3.5").
 * A very long sentence is cut at its last comma/semicolon past MAX_SENTENCE_CHARS, so a model that
 * never uses a full stop still gets spoken.
 */

export const MAX_SENTENCE_CHARS = 240

export class SentenceSplitter {
  private buffer = ''

  /** Adds a delta; returns the sentences it completed. */
  push(delta: string): string[] {
    this.buffer += delta
    const out: string[] = []
    for (;;) {
      const cut = this.findCut()
      if (cut < 0) break
      const sentence = this.buffer.slice(0, cut).trim()
      this.buffer = this.buffer.slice(cut)
      if (sentence) out.push(sentence)
    }
    return out
  }

  /** The rest, at the end of the stream. */
  flush(): string[] {
    const rest = this.buffer.trim()
    this.buffer = ''
    return rest ? [rest] : []
  }

  private findCut(): number {
    const b = this.buffer
    const re = /[.!?…]+["')\]]*(?=\s)|\n+/g
    for (let m = re.exec(b); m; m = re.exec(b)) {
      const end = m.index + m[0].length
      if (m[0].startsWith('\n') || !this.isAbbreviation(m.index)) return end
    }
    if (b.length > MAX_SENTENCE_CHARS) {
      const soft = Math.max(b.lastIndexOf(', ', MAX_SENTENCE_CHARS), b.lastIndexOf('; ', MAX_SENTENCE_CHARS))
      if (soft > 20) return soft + 1
      const space = b.lastIndexOf(' ', MAX_SENTENCE_CHARS)
      return space > 0 ? space : MAX_SENTENCE_CHARS
    }
    return -1
  }

  /** Whether the full stop at `i` closes an abbreviation or an initial (the TTS engines' own rule). */
  private isAbbreviation(i: number): boolean {
    return this.buffer[i] === '.' && isAbbreviation(this.buffer, i)
  }
}
