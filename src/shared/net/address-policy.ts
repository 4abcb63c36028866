/**
 * Which network addresses outbound fetches may reach. Server-side fetches of
 * user-supplied URLs (media URLs, callback URLs) must not be steerable at the
 * server's own network: loopback, link-local (incl. cloud metadata at
 * 169.254.169.254), private ranges, CGNAT (Alibaba metadata 100.100.100.200),
 * multicast and reserved space are refused unless the operator allow-lists them.
 */
import { BlockList, isIP } from 'node:net'

const blocked = new BlockList()
const v4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches localhost on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT, Alibaba Cloud metadata
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, AWS/GCP/Azure metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments (incl. Oracle metadata 192.0.0.192)
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
]
for (const [net, prefix] of v4) blocked.addSubnet(net, prefix, 'ipv4')
const v6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 can reach private v4 space
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (incl. AWS IPv6 metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
]
for (const [net, prefix] of v6) blocked.addSubnet(net, prefix, 'ipv6')

/** Extracts the IPv4 address embedded in an IPv4-mapped/compatible IPv6 address. */
function embeddedV4(ip: string): string | undefined {
  const m = /^(?:0*:)*(?:ffff:)?((?:\d{1,3}\.){3}\d{1,3})$/i.exec(ip)
  if (m) return m[1]
  const hex = /^(?:0*:)*ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip)
  if (!hex) return undefined
  const hi = parseInt(hex[1]!, 16)
  const lo = parseInt(hex[2]!, 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip)
  if (family === 4) return blocked.check(ip, 'ipv4')
  if (family === 6) {
    const mapped = embeddedV4(ip)
    if (mapped) return blocked.check(mapped, 'ipv4')
    return blocked.check(ip, 'ipv6')
  }
  return true // not an IP at all: refuse
}

/**
 * The operator's allow-list: exact host names ("minio.internal"), single IPs,
 * or CIDRs ("10.0.0.0/8", "::1/128").
 */
export class AllowList {
  private readonly hosts = new Set<string>()
  private readonly nets = new BlockList()

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase()
      if (!entry) continue
      const [addr = '', prefix] = entry.split('/')
      const family = isIP(addr)
      if (family === 0) {
        this.hosts.add(entry.replace(/^\[|\]$/g, ''))
        continue
      }
      const type = family === 4 ? 'ipv4' : 'ipv6'
      if (prefix === undefined) this.nets.addAddress(addr, type)
      else this.nets.addSubnet(addr, Number(prefix), type)
    }
  }

  allowsHost(host: string): boolean {
    return this.hosts.has(host.toLowerCase().replace(/^\[|\]$/g, ''))
  }

  allowsAddress(ip: string): boolean {
    const family = isIP(ip)
    if (family === 0) return false
    const mapped = family === 6 ? embeddedV4(ip) : undefined
    if (mapped) return this.nets.check(mapped, 'ipv4')
    return this.nets.check(ip, family === 4 ? 'ipv4' : 'ipv6')
  }
}
