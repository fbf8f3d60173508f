-- wrk script for bench/pages.py: after the run, print one machine-readable line with the latency percentiles
-- (microseconds), the request count, the run's duration and the error counts. wrk aggregates every thread's
-- latency histogram before calling done(), so the figures cover all connections.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT p50=%d p95=%d p99=%d max=%d mean=%.1f requests=%d duration_us=%d bytes=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout))
end
