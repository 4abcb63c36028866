import type { TestApp } from './app.js'

type Who = 'alice' | 'bob'

/** Small JSON helpers over inject() so tests read as the API calls they make. */
export function client(t: TestApp, who: Who = 'alice') {
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const res = await t.app.inject({
      method,
      url,
      headers: t.auth(who),
      ...(body === undefined ? {} : { payload: body as object }),
    })
    return { status: res.statusCode, body: res.body ? (safeJson(res.body) as any) : undefined, headers: res.headers } // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown) => call('POST', url, body),
    patch: (url: string, body: unknown) => call('PATCH', url, body),
    del: (url: string) => call('DELETE', url),
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
