// The pipeline's stages and what their counters mean, for the jobs list and the job page.

export const STAGES = [
  { key: 'spider', name: 'Spider', what: 'fetches pages', in: ['urls', 'URLs'], out: ['fetched', 'pages fetched'] },
  { key: 'refiner', name: 'Refiner', what: 'cleans, dedups, chunks', in: ['pages', 'pages'], out: ['chunks', 'chunks'] },
  { key: 'factory', name: 'Factory', what: 'generates examples', in: ['chunks', 'chunks'], out: ['examples', 'examples'] },
  { key: 'inspector', name: 'Inspector', what: 'scores examples', in: ['examples', 'examples'], out: ['passed', 'passed'] },
  { key: 'shipper', name: 'Shipper', what: 'writes the export', in: null, out: ['records', 'records'] },
];

/** Shards a stage has to do: the Shipper runs once per job, the others once per shard. */
export function stageTotal(stageKey, shardsTotal) {
  return stageKey === 'shipper' ? Math.min(1, shardsTotal || 0) || 1 : shardsTotal || 0;
}

/** Shards done over shards to do, summed over the five stages, as 0..1. */
export function jobProgress(job) {
  if (!job) return 0;
  if (job.status === 'completed') return 1;
  const p = job.progress || {};
  const total = p.shards_total ?? job.shards ?? 0;
  const done = p.shards_done || {};
  let num = 0;
  let den = 0;
  for (const s of STAGES) {
    const t = stageTotal(s.key, total);
    den += t;
    num += Math.min(Number(done[s.key]) || 0, t);
  }
  return den ? num / den : 0;
}

export const isActive = (status) => status === 'running' || status === 'pending';
