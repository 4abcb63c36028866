/**
 * Which network addresses outbound fetches may reach. Server-side fetches of
 * user-supplied URLs (media URLs, callback URLs) must not be steerable at the
 * server's own network: loopback, link-local (incl. cloud metadata at
 * 169.254.169.254), private ranges, CGNAT (Alibaba metadata 100.100.100.200),
 * multicast and reserved space are refused unless the operator allow-lists them.
 *
 * The rule is an allow-rule, so that anything we do not recognise fails closed:
 * an address is public only if ipaddr.js classifies it as plain `unicast` (every
 * IANA special-purpose range it knows gets another name) AND it is not in
 * EXTRA_SPECIAL below, the special-purpose ranges ipaddr.js does not know.
 *
 * IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible, RFC 6145
 * translated, NAT64, 6to4, Teredo) are all refused, even when the embedded IPv4
 * address is public: a URL fetch has no business using them, and each one is a
 * way to smuggle a private IPv4 destination past a check that only looks at v6.
 */
import ipaddr from 'ipaddr.js'
import { isIP } from 'node:net'

type IPv4 = ipaddr.IPv4
type IPv6 = ipaddr.IPv6
type Address = IPv4 | IPv6
type Cidr = [Address, number]

/**
 * Special-purpose ranges that ipaddr.js 2.5 reports as `unicast`. Everything
 * else the policy refuses is decided by `range()`; the unit tests pin each range
 * to where it is decided, so an ipaddr.js upgrade that moves one shows up there.
 */
const EXTRA_SPECIAL: readonly Cidr[] = [
  // IPv4-compatible IPv6 addresses (RFC 4291 §2.5.5.1, deprecated). ipaddr.js only
  // names ::/128 and ::1/128 here; ::7f00:1 (= ::127.0.0.1) comes back `unicast`.
  '::/96',
  // Dummy IPv6 prefix (RFC 9780), IANA special-purpose registry.
  '100:0:0:1::/64',
  // Segment Routing (SRv6) SIDs are 5f00::/16 (RFC 9602), which ipaddr.js knows as
  // `segmentRouting`; the rest of 5f00::/8 is unallocated IETF-reserved space (once
  // the RFC 1897 6bone test prefix) that no public host can be reached at.
  '5f00::/8',
].map((cidr) => ipaddr.parseCIDR(cidr))

function isV4(addr: Address): addr is IPv4 {
  return addr.kind() === 'ipv4'
}

/**
 * Parses an address the way the socket layer will read it, or returns undefined
 * for anything that is not a plain IP literal.
 *
 * `net.isIP` is the gatekeeper because ipaddr.js' own parser is lenient in ways
 * that differ from what connect() would do: it accepts inet_aton spellings
 * (0177.0.0.1, 2130706433, 0x7f.1), and it reads the deprecated `::a.b.c.d`
 * notation as the IPv4-*mapped* ::ffff:a.b.c.d rather than IPv4-compatible
 * ::a.b.c.d. So a dotted IPv4 tail is rewritten to two hex groups first.
 */
function parseStrict(ip: string): Address | undefined {
  const family = isIP(ip)
  // A zone id (fe80::1%eth0) only makes sense for link-local addresses and URLs
  // cannot carry one; refusing is simpler than reasoning about scopes.
  if (family === 0 || ip.includes('%')) return undefined
  try {
    if (family === 4) return ipaddr.IPv4.parse(ip)
    return ipaddr.IPv6.parse(dottedTailToHex(ip))
  } catch {
    return undefined
  }
}

/** `::ffff:127.0.0.1` → `::ffff:7f00:1`; the input is already validated by net.isIP. */
function dottedTailToHex(ip: string): string {
  const m = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip)
  if (!m) return ip
  const [a, b, c, d] = m.slice(2).map(Number) as [number, number, number, number]
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
}

function inAny(addr: Address, nets: readonly Cidr[]): boolean {
  return nets.some((net) => net[0].kind() === addr.kind() && addr.match(net))
}

/** True unless `ip` is a plain IP literal of an ordinary public unicast address. */
export function isPrivateAddress(ip: string): boolean {
  const addr = parseStrict(ip)
  if (!addr) return true // not an IP literal we understand: refuse
  if (addr.range() !== 'unicast') return true
  return inAny(addr, EXTRA_SPECIAL)
}

/**
 * The operator's allow-list: exact host names ("minio.internal"), single IPs,
 * or CIDRs ("10.0.0.0/8", "::1/128"). An IPv4 entry also admits the
 * IPv4-mapped IPv6 spelling of its addresses (and a ::ffff:a.b.c.d/n entry the
 * plain IPv4 one), since a dual-stack resolver may hand back either.
 */
export class AllowList {
  private readonly hosts = new Set<string>()
  private readonly nets: Cidr[] = []

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase()
      if (!entry) continue
      const slash = entry.indexOf('/')
      const addrPart = unbracket(slash === -1 ? entry : entry.slice(0, slash))
      const addr = parseStrict(addrPart)
      if (slash === -1) {
        if (addr) this.nets.push([addr, isV4(addr) ? 32 : 128])
        else this.hosts.add(addrPart)
        continue
      }
      // A CIDR that does not parse is a configuration error; failing loudly beats
      // silently refusing the hosts the operator meant to allow.
      const prefix = entry.slice(slash + 1)
      if (!addr || !/^\d{1,3}$/.test(prefix)) throw new Error(`invalid allow-list CIDR: ${raw}`)
      try {
        this.nets.push(ipaddr.parseCIDR(`${dottedTailToHex(addrPart)}/${prefix}`))
      } catch (err) {
        throw new Error(`invalid allow-list CIDR: ${raw}`, { cause: err })
      }
    }
  }

  allowsHost(host: string): boolean {
    return this.hosts.has(unbracket(host.toLowerCase()))
  }

  allowsAddress(ip: string): boolean {
    const addr = parseStrict(ip)
    if (!addr) return false
    const forms: Address[] = [addr]
    if (isV4(addr)) forms.push(addr.toIPv4MappedAddress())
    else if (addr.isIPv4MappedAddress()) forms.push(addr.toIPv4Address())
    return forms.some((form) => inAny(form, this.nets))
  }
}

function unbracket(host: string): string {
  return host.replace(/^\[|\]$/g, '')
}
