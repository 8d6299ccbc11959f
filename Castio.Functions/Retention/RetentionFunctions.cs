using Castio.Core.Retention;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Retention;

public sealed class RetentionFunctions(ExpirySweeper sweeper)
{
    /// <summary>
    /// Daily at 03:00 UTC, the one retention run: deletes everything whose expiry hour has passed (tokens,
    /// invites, rate-limit windows, idempotency keys, webhook deliveries, health snapshots, artefacts),
    /// reading only the due expiry buckets. An interrupted run is finished by the next one.
    /// </summary>
    [Function("Retention")]
    public Task Run([TimerTrigger("0 0 3 * * *")] TimerInfo timer, CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
