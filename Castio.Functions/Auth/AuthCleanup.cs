using Castio.Core.Auth;
using Castio.Functions.Hosting;

namespace Castio.Functions.Auth;

/// <summary>Timer: removes expired sign-in and rate-limit rows (seed §3.11 daily cleanup).</summary>
public sealed class AuthCleanup(AuthSweeper sweeper) : ITimerFunction
{
    public Task RunAsync(TimerInfo timer, CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
