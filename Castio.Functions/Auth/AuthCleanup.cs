using Castio.Core.Auth;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Auth;

public sealed class AuthCleanup(AuthSweeper sweeper)
{
    /// <summary>Daily at 03:30 UTC: removes expired sign-in and rate-limit rows.</summary>
    [Function("AuthCleanup")]
    public Task Run([TimerTrigger("0 30 3 * * *")] TimerInfo timer, CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
