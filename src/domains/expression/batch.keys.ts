/** Where a batch job's bytes live in the blob store. Everything of a job is under `batch/<id>/`. */
export const batchKeys = {
  job: (id: string) => `batch/${id}`,
  /** Inputs, deleted once the job is COMPLETED. */
  uploads: (id: string) => `batch/${id}/uploads`,
  upload: (id: string, idx: number) => `batch/${id}/uploads/${idx}`,
  fetchedAll: (id: string) => `batch/${id}/fetched`,
  fetched: (id: string, i: number) => `batch/${id}/fetched/${i}`,
  /** The job's documents, written by the worker thread that ran it. */
  predictions: (id: string) => `batch/${id}/predictions.json`,
  artifacts: (id: string) => `batch/${id}/artifacts.zip`,
}
