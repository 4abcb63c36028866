import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.js'

const base = { PROSODIA_DATA_DIR: '/tmp/prosodia-config-test' }

describe('S3 blob store configuration', () => {
  it('keeps blobs on local disk unless S3_BUCKET is set', () => {
    expect(loadConfig(base).s3).toBeUndefined()
  })

  it('reads bucket, endpoint, region and prefix (slashes trimmed)', () => {
    const s3 = loadConfig({
      ...base,
      S3_BUCKET: 'prosodia-blobs',
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_REGION: 'eu-west-3',
      S3_PREFIX: '/prod/eu/',
    }).s3
    expect(s3).toEqual({
      bucket: 'prosodia-blobs',
      endpoint: 'http://minio.internal:9000',
      region: 'eu-west-3',
      prefix: 'prod/eu',
      presignedUrls: false,
    })
  })

  it('takes the region from AWS_REGION, else us-east-1', () => {
    expect(loadConfig({ ...base, S3_BUCKET: 'b-1', AWS_REGION: 'ap-south-1' }).s3?.region).toBe('ap-south-1')
    expect(loadConfig({ ...base, S3_BUCKET: 'b-1' }).s3).toEqual({
      bucket: 'b-1',
      endpoint: undefined,
      region: 'us-east-1',
      prefix: '',
      presignedUrls: false,
    })
    expect(loadConfig({ ...base, S3_BUCKET: 'b-1', S3_PRESIGNED_URLS: 'true' }).s3?.presignedUrls).toBe(true)
  })

  it.each([
    [{ S3_BUCKET: 'Bad_Bucket' }, /not a valid bucket name/],
    [{ S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'minio:9000' }, /S3_ENDPOINT must be an http\(s\) URL/],
    [{ S3_BUCKET: 'ok-bucket', S3_PREFIX: 'a/../b' }, /S3_PREFIX/],
    [{ S3_BUCKET: 'ok-bucket', S3_PRESIGNED_URLS: 'yes' }, /S3_PRESIGNED_URLS must be true or false/],
    [{ S3_ENDPOINT: 'http://minio:9000' }, /need S3_BUCKET/],
    [{ S3_PREFIX: 'x' }, /need S3_BUCKET/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError)
    expect(() => loadConfig({ ...base, ...env })).toThrow(message)
  })
})
