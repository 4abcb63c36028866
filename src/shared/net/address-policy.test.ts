import ipaddr from 'ipaddr.js'
import { describe, expect, it } from 'vitest'
import { AllowList, isPrivateAddress } from './address-policy.js'

/** Marks a range that ipaddr.js calls `unicast`, so the policy's own extra list must catch it. */
const EXTRA = 'extra list'

/**
 * Every special-purpose range the policy must refuse: [range, where it is decided
 * (an ipaddr.js range name or EXTRA), addresses inside it]. The first address is
 * written in canonical hex so ipaddr.js can classify it unambiguously; the rest
 * include other spellings, notably for the IPv6 forms that embed an IPv4 address.
 */
const special: [range: string, decidedBy: string, samples: string[]][] = [
  // IPv4
  ['0.0.0.0/8', 'unspecified', ['0.0.0.0', '0.1.2.3', '0.255.255.255']],
  ['10.0.0.0/8', 'private', ['10.1.2.3', '10.0.0.1', '10.255.255.255']],
  ['100.64.0.0/10', 'carrierGradeNat', ['100.64.0.1', '100.100.100.200', '100.127.255.255']],
  ['127.0.0.0/8', 'loopback', ['127.0.0.1', '127.0.0.2', '127.255.0.9']],
  ['169.254.0.0/16', 'linkLocal', ['169.254.169.254', '169.254.0.1']],
  ['172.16.0.0/12', 'private', ['172.16.0.1', '172.31.255.255']],
  ['192.0.0.0/24', 'reserved', ['192.0.0.192', '192.0.0.9', '192.0.0.170']],
  ['192.0.2.0/24', 'reserved', ['192.0.2.1']],
  ['192.31.196.0/24', 'as112', ['192.31.196.1']],
  ['192.52.193.0/24', 'amt', ['192.52.193.1']],
  ['192.88.99.0/24', 'reserved', ['192.88.99.1', '192.88.99.2']],
  ['192.168.0.0/16', 'private', ['192.168.1.1', '192.168.255.255']],
  ['192.175.48.0/24', 'as112', ['192.175.48.6']],
  ['198.18.0.0/15', 'reserved', ['198.18.0.1', '198.19.255.255']],
  ['198.51.100.0/24', 'reserved', ['198.51.100.7']],
  ['203.0.113.0/24', 'reserved', ['203.0.113.9']],
  ['224.0.0.0/4', 'multicast', ['224.0.0.1', '239.255.255.250']],
  ['240.0.0.0/4', 'reserved', ['240.0.0.1', '254.255.255.255']],
  ['255.255.255.255/32', 'broadcast', ['255.255.255.255']],
  // IPv6
  ['::/128', 'unspecified', ['::', '0:0:0:0:0:0:0:0']],
  ['::1/128', 'loopback', ['::1', '0:0:0:0:0:0:0:1']],
  [
    '::/96 IPv4-compatible',
    EXTRA,
    ['::7f00:1', '::127.0.0.1', '0:0:0:0:0:0:7f00:1', '0:0:0:0:0:0:127.0.0.1', '::a9fe:a9fe', '::8.8.8.8', '::0.0.0.2'],
  ],
  [
    '::ffff:0:0/96 IPv4-mapped',
    'ipv4Mapped',
    [
      '::ffff:7f00:1',
      '::ffff:127.0.0.1',
      '0:0:0:0:0:ffff:7f00:1',
      '0:0:0:0:0:ffff:127.0.0.1',
      '0000:0000:0000:0000:0000:FFFF:7F00:0001',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::ffff:10.0.0.1',
      // even a public embedded address: the mapped form itself is refused
      '::ffff:8.8.8.8',
    ],
  ],
  [
    '::ffff:0:0:0/96 IPv4-translated',
    'rfc6145',
    ['::ffff:0:7f00:1', '::ffff:0:127.0.0.1', '0:0:0:0:ffff:0:7f00:1', '::ffff:0:808:808'],
  ],
  [
    '64:ff9b::/96 NAT64',
    'rfc6052',
    ['64:ff9b::7f00:1', '64:ff9b::127.0.0.1', '64:ff9b::a9fe:a9fe', '64:ff9b::8.8.8.8'],
  ],
  ['64:ff9b:1::/48 local NAT64', 'rfc6052', ['64:ff9b:1::7f00:1', '64:ff9b:1:ffff::10.0.0.1']],
  ['100::/64 discard', 'discard', ['100::1', '100::ffff:ffff:ffff:ffff']],
  ['100:0:0:1::/64 dummy prefix', EXTRA, ['100:0:0:1::1', '100:0:0:1:ffff:ffff:ffff:ffff']],
  ['2001::/32 Teredo', 'teredo', ['2001::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:0:0:0:0:0:127.0.0.1']],
  ['2001::/23 IETF protocol assignments', 'reserved', ['2001:1::1', '2001:1::2', '2001:1ff:ffff::1']],
  ['2001:2::/48 benchmarking', 'benchmarking', ['2001:2::1', '2001:2:0:ffff::1']],
  ['2001:3::/32 AMT', 'amt', ['2001:3::1']],
  ['2001:20::/28 ORCHIDv2', 'orchid2', ['2001:20::1', '2001:2f:ffff::1']],
  ['2001:db8::/32 documentation', 'reserved', ['2001:db8::1', '2001:db8:ffff::1']],
  ['2002::/16 6to4', '6to4', ['2002:7f00:1::1', '2002:a9fe:a9fe::', '2002:808:808::1', '2002::127.0.0.1']],
  ['2620:4f:8000::/48 AS112-v6', 'as112v6', ['2620:4f:8000::1']],
  ['3fff::/20 documentation', 'reserved', ['3fff::1', '3fff:fff:ffff::1']],
  ['5f00::/16 SRv6 SIDs', 'segmentRouting', ['5f00::1', '5f00:ffff::1']],
  ['5f00::/8 rest of the old 6bone test prefix', EXTRA, ['5f01::1', '5fff:ffff::1']],
  ['fc00::/7 unique local', 'uniqueLocal', ['fc00::1', 'fd00:ec2::254', 'fdff::1']],
  ['fe80::/10 link-local', 'linkLocal', ['fe80::1', 'febf::1', 'FE80::A9FE:A9FE']],
  ['fec0::/10 site-local', 'deprecatedSiteLocal', ['fec0::1', 'feff::1']],
  ['ff00::/8 multicast', 'multicast', ['ff02::1', 'ff05::1:3', 'ff0e::1']],
]

const publicAddresses = [
  '8.8.8.8',
  '1.1.1.1',
  '11.0.0.1',
  '100.128.0.1', // just past CGNAT
  '172.32.0.1', // just past 172.16/12
  '192.0.3.1',
  '198.20.0.1', // just past 198.18/15
  '223.255.255.254', // just below multicast
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '2001:200::1', // just past 2001::/23
  '2003::1', // just past 2002::/16
  '2a00:1450:4001:81c::200e',
]

describe('isPrivateAddress', () => {
  describe.each(special)('%s (%s)', (_range, decidedBy, samples) => {
    it.each(samples)('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true))

    // Pins where each range is decided: if an ipaddr.js upgrade renames or drops a
    // range this fails, and the extra list has to be revisited.
    it(`is classified by ${decidedBy === EXTRA ? 'the extra list' : `ipaddr.js as ${decidedBy}`}`, () => {
      expect(ipaddr.parse(samples[0]!).range()).toBe(decidedBy === EXTRA ? 'unicast' : decidedBy)
    })
  })

  it.each(publicAddresses)('accepts %s', (ip) => {
    expect(ipaddr.parse(ip).range()).toBe('unicast')
    expect(isPrivateAddress(ip)).toBe(false)
  })

  // Not what dns.lookup or net.isIP produce, but inet_aton would connect to some of
  // them, so anything that is not a plain IP literal is refused.
  it.each([
    'not-an-ip',
    '',
    'localhost',
    '0177.0.0.1',
    '2130706433',
    '0x7f.1',
    '0x7f000001',
    '127.1',
    '127.0.0.1 ',
    '[::1]',
    '8.8.8.8/32',
    'fe80::1%eth0',
    '2606:4700:4700::1111%1', // zone ids are refused whatever the address
  ])('refuses non-literal %j', (ip) => expect(isPrivateAddress(ip)).toBe(true))
})

describe('AllowList', () => {
  const allow = new AllowList([
    ' MinIO.internal ',
    '[fd12::7]',
    '192.168.1.7',
    '::1',
    '10.0.0.0/8',
    'fd00:ec2::/32',
    '::ffff:172.20.0.0/112',
    '',
    '   ',
  ])

  it('matches host names case-insensitively and with brackets stripped', () => {
    expect(allow.allowsHost('minio.internal')).toBe(true)
    expect(allow.allowsHost('MINIO.INTERNAL')).toBe(true)
    expect(allow.allowsHost('other.internal')).toBe(false)
    expect(allow.allowsHost('')).toBe(false)
  })

  it('matches single IPs in any spelling', () => {
    expect(allow.allowsAddress('192.168.1.7')).toBe(true)
    expect(allow.allowsAddress('192.168.1.8')).toBe(false)
    expect(allow.allowsAddress('::1')).toBe(true)
    expect(allow.allowsAddress('0:0:0:0:0:0:0:1')).toBe(true)
    expect(allow.allowsAddress('::2')).toBe(false)
    expect(allow.allowsAddress('fd12::7')).toBe(true)
    expect(allow.allowsAddress('fd12::8')).toBe(false)
  })

  it('matches IPv4 and IPv6 CIDRs', () => {
    expect(allow.allowsAddress('10.9.9.9')).toBe(true)
    expect(allow.allowsAddress('10.255.255.255')).toBe(true)
    expect(allow.allowsAddress('11.0.0.1')).toBe(false)
    expect(allow.allowsAddress('fd00:ec2::254')).toBe(true)
    expect(allow.allowsAddress('fd00:ec3::1')).toBe(false)
  })

  it('lets an IPv4 entry match the IPv4-mapped form of its addresses, and vice versa', () => {
    expect(allow.allowsAddress('::ffff:10.1.1.1')).toBe(true)
    expect(allow.allowsAddress('::ffff:a01:101')).toBe(true)
    expect(allow.allowsAddress('::ffff:192.168.1.7')).toBe(true)
    expect(allow.allowsAddress('::ffff:11.0.0.1')).toBe(false)
    expect(allow.allowsAddress('172.20.3.4')).toBe(true)
    expect(allow.allowsAddress('172.21.0.1')).toBe(false)
  })

  it('does not extend an IPv4 entry to the other IPv4-embedding forms', () => {
    for (const ip of ['::10.1.1.1', '::a01:101', '::ffff:0:a01:101', '64:ff9b::a01:101', '2002:a01:101::1']) {
      expect(allow.allowsAddress(ip), ip).toBe(false)
    }
  })

  it('never matches something that is not an IP literal', () => {
    const loopback = new AllowList(['127.0.0.0/8'])
    for (const ip of ['0177.0.0.1', '2130706433', '0x7f.1', '127.1', 'localhost', '']) {
      expect(loopback.allowsAddress(ip), ip).toBe(false)
    }
    expect(loopback.allowsAddress('127.3.2.1')).toBe(true)
    expect(new AllowList(['fe80::/10']).allowsAddress('fe80::1%eth0')).toBe(false)
    expect(allow.allowsAddress('minio.internal')).toBe(false)
  })

  it.each(['10.0.0.0/33', '::1/129', '10.0.0.0/abc', '10.0.0.0/', 'foo/8', '0177.0.0.0/8', '10.0.0.0/-1'])(
    'rejects the malformed CIDR %s',
    (entry) => expect(() => new AllowList([entry])).toThrow(/invalid allow-list CIDR/),
  )
})
