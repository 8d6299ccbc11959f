namespace Castio.Functions.Hosting;

/// <summary>
/// Standalone mode: runs every timer function on its NCRONTAB schedule, reading time from <see cref="TimeProvider"/>.
/// Like the host, a failed run is logged and not retried; the next occurrence runs normally.
/// </summary>
internal sealed partial class TimerScheduler(FunctionRunner runner, TimeProvider time, IConfiguration configuration, ILogger<TimerScheduler> logger)
    : BackgroundService
{
    // The host marks a run past due when it starts this late.
    private static readonly TimeSpan PastDueAfter = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (HostingMode.IsCustomHandler(configuration))
            return Task.CompletedTask;
        return Task.WhenAll(AppFunctions.Timers.Select(t => RunScheduleAsync(t, CrontabSchedule.Parse(t.Schedule), stoppingToken)));
    }

    private async Task RunScheduleAsync(TimerFunction function, CrontabSchedule schedule, CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        var next = schedule.GetNextOccurrence(time.GetUtcNow());
        LogScheduled(logger, function.Name, function.Schedule, next);
        while (next is { } due && !stoppingToken.IsCancellationRequested)
        {
            // Wait in steps: a timer wakes early if the clock was changed under it (tests, DST-free UTC otherwise).
            var now = time.GetUtcNow();
            if (now < due)
            {
                try
                {
                    await Task.Delay(due - now, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            var following = schedule.GetNextOccurrence(now);
            try
            {
                await runner.RunTimerAsync(function, new TimerInfo(last, following, now - due > PastDueAfter), stoppingToken);
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Logged by the runner; timers are not retried.
            }
            last = due;
            // Like the host, the next occurrence counts from when this run ended, so a slow run is not replayed at once.
            next = schedule.GetNextOccurrence(time.GetUtcNow());
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Timer {FunctionName} scheduled '{Schedule}', next run {Next:O}")]
    private static partial void LogScheduled(ILogger logger, string functionName, string schedule, DateTimeOffset? next);
}
