/** Where the S3 blob store keeps blobs: read from S3_* (and AWS_REGION) by loadConfig. */
export interface S3Config {
  /** S3_BUCKET: setting it selects the S3 store. */
  readonly bucket: string
  /** S3_ENDPOINT: an S3-compatible server (MinIO, Ceph, R2...); path-style URLs are used with it. */
  readonly endpoint: string | undefined
  /** S3_REGION, else AWS_REGION, else us-east-1. */
  readonly region: string
  /** S3_PREFIX: every object key starts with `<prefix>/` (empty: keys at the bucket's root). */
  readonly prefix: string
  /**
   * S3_PRESIGNED_URLS=true: the API's signed download URLs (signed_audio_url) are presigned URLs of
   * the bucket, for deployments whose clients can reach it; default false: the API serves the bytes.
   */
  readonly presignedUrls: boolean
}
