// What POST /jobs answered, kept in memory so the job page can show it after navigating there.

const submitted = new Map();

export function rememberSubmission(jobId, response) {
  submitted.set(jobId, response);
}

export function takeSubmission(jobId) {
  const r = submitted.get(jobId);
  submitted.delete(jobId);
  return r || null;
}
