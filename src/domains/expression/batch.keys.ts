/** Where a batch job's bytes live in the blob store. Everything of a job is under `batch/<id>/`. */
export const batchKeys = {
  job: (id: string) => `batch/${id}`,
  upload: (id: string, idx: number) => `batch/${id}/uploads/${idx}`,
  fetched: (id: string, i: number) => `batch/${id}/fetched/${i}`,
  /** Intermediate results of a run; deleted once the job is COMPLETED. */
  work: (id: string) => `batch/${id}/work`,
  result: (id: string, i: number) => `batch/${id}/work/results/${i}.json`,
  artifact: (id: string, i: number, j: number) => `batch/${id}/work/artifacts/${i}/${j}.json`,
  predictions: (id: string) => `batch/${id}/predictions.json`,
  artifacts: (id: string) => `batch/${id}/artifacts.zip`,
}
