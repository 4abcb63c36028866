import { ControlMessageError, type LiveChat, type LiveChats } from '../../src/domains/evi/chat/live-chats.js'

type Listener = { message: (m: Record<string, unknown>) => void; end: () => void }

/**
 * A chat as the control plane sees it, registered in the runtime's LiveChats: it records what it
 * is sent, rejects what `reject` says, and emits whatever server messages a test scripts.
 */
export class FakeLiveChat implements LiveChat {
  readonly received: unknown[] = []
  /** When set, send() rejects messages of this type with ControlMessageError. */
  reject: { type: string; message: string; spec?: { code: string; slug: string } } | undefined
  private readonly listeners = new Set<Listener>()

  constructor(
    private readonly registry: LiveChats,
    readonly accountId: string,
    readonly chatId: string,
    readonly allowConnection = true,
    readonly chatGroupId = `group-${chatId}`,
  ) {
    registry.add(this)
  }

  async send(message: unknown): Promise<void> {
    const type = (message as { type?: string }).type
    if (this.reject && type === this.reject.type) throw new ControlMessageError(this.reject.message, this.reject.spec)
    this.received.push(message)
  }

  subscribe(message: Listener['message'], end: Listener['end']): () => void {
    const l = { message, end }
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  get subscribers(): number {
    return this.listeners.size
  }

  emit(message: Record<string, unknown>): void {
    for (const l of this.listeners) l.message(message)
  }

  end(): void {
    this.registry.remove(this.chatId)
    for (const l of [...this.listeners]) l.end()
    this.listeners.clear()
  }
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
