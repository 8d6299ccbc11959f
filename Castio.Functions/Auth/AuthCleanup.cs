using Castio.Core.Retention;
using Castio.Functions.Hosting;

namespace Castio.Functions.Auth;

/// <summary>Timer: removes what has expired (sign-in, invite and rate-limit rows), daily.</summary>
public sealed class AuthCleanup(ExpirySweeper sweeper) : ITimerFunction
{
    public Task RunAsync(TimerInfo timer, CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
