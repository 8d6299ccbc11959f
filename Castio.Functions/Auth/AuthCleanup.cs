using Castio.Core.Retention;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Auth;

public sealed class AuthCleanup(ExpirySweeper sweeper)
{
    /// <summary>Daily at 03:30 UTC: removes what has expired (sign-in, invite and rate-limit rows) through the due expiry buckets.</summary>
    [Function("AuthCleanup")]
    public Task Run([TimerTrigger("0 30 3 * * *")] TimerInfo timer, CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
