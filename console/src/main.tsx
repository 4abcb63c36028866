import { render } from 'preact'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ClientContext, clientFor, storedKey, storeKey } from './api.js'
import { ErrorBanner } from './components/error-banner.js'
import { useAction } from './hooks.js'
import { pages } from './pages/index.js'
import './styles.css'

function currentPath(): string {
  return location.hash.replace(/^#\/?/, '') || (pages[0]?.path ?? '')
}

function SignIn({ onSignedIn, refused }: { onSignedIn: (key: string) => void; refused?: boolean }) {
  const [key, setKey] = useState('')
  const { busy, error, run } = useAction()
  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      // Proves the key before keeping it: a wrong one is refused here, with the API's message.
      await clientFor(key.trim()).empathicVoice.configs.listConfigs({ pageSize: 1 })
      storeKey(key.trim())
      onSignedIn(key.trim())
    })
  }
  return (
    <main class="sign-in">
      <h1>Prosodia console</h1>
      <form onSubmit={submit}>
        <label>
          API key
          <input
            type="password"
            value={key}
            required
            autoComplete="off"
            onInput={(e) => setKey(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy || !key.trim()}>
          Sign in
        </button>
      </form>
      <p class="hint">
        The key stays in this browser (local storage). Create one with <code>npx prosodia accounts create NAME</code>.
      </p>
      <ErrorBanner error={error} />
      {refused && !error && (
        <div class="banner error" role="alert">
          The server refused the stored API key (401): sign in with a valid one.
        </div>
      )}
    </main>
  )
}

function Console({ apiKey, onSignOut, onRefused }: { apiKey: string; onSignOut: () => void; onRefused: () => void }) {
  const client = useMemo(() => clientFor(apiKey, onRefused), [apiKey, onRefused])
  const heading = useRef<HTMLHeadingElement>(null)
  const firstRender = useRef(true)
  const [path, setPath] = useState(currentPath())
  useEffect(() => {
    const onHash = () => setPath(currentPath())
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])
  const page = pages.find((p) => p.path === path) ?? pages[0]
  useEffect(() => {
    document.title = `${page?.name ?? ''} · Prosodia console`
    // A new page takes the focus to its heading, so keyboard and screen-reader users land on it.
    if (!firstRender.current) heading.current?.focus()
    firstRender.current = false
  }, [page])
  const Page = page?.component
  return (
    <ClientContext.Provider value={client}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), heading.current?.focus())}>
        Skip to content
      </a>
      <header>
        <span class="brand">Prosodia</span>
        <nav aria-label="Pages">
          {pages.map((p) => (
            <a key={p.path} href={`#/${p.path}`} aria-current={p === page ? 'page' : undefined}>
              {p.name}
            </a>
          ))}
        </nav>
        <button type="button" class="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {page?.name}
        </h1>
        {Page && <Page key={page.path} />}
      </main>
    </ClientContext.Provider>
  )
}

function App() {
  const [apiKey, setApiKey] = useState(storedKey())
  const [refused, setRefused] = useState(false)
  const onRefused = useCallback(() => {
    storeKey(null)
    setApiKey(null)
    setRefused(true)
  }, [])
  if (!apiKey)
    return (
      <SignIn
        refused={refused}
        onSignedIn={(key) => {
          setRefused(false)
          setApiKey(key)
        }}
      />
    )
  return (
    <Console
      apiKey={apiKey}
      onRefused={onRefused}
      onSignOut={() => {
        storeKey(null)
        setApiKey(null)
      }}
    />
  )
}

render(<App />, document.getElementById('app') as HTMLElement)
