using Castio.Functions.Http;
using Castio.LocalHost;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Castio.Tests.Hosting;

/// <summary>LocalHost's timer runner waits out schedules longer than Task.Delay allows (~49 days).</summary>
public sealed class TimerTriggerWaitTests
{
    [Fact]
    public async Task AYearlyScheduleArmsAndFiresAfterTheClockPassesIt()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        using var services = new ServiceCollection().BuildServiceProvider();
        var timers = new TimerTriggers(new FunctionCatalog([typeof(YearlyTimer)]), services.GetRequiredService<IServiceScopeFactory>(), clock, NullLogger<TimerTriggers>.Instance);
        YearlyTimer.Runs = 0;

        await timers.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // Step through the year a week at a time, as the runner re-arms its bounded waits.
            for (var i = 0; i < 53 && YearlyTimer.Runs == 0; i++)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
                clock.Advance(TimeSpan.FromDays(7));
            }

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (YearlyTimer.Runs == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            Assert.Equal(1, YearlyTimer.Runs);
        }
        finally
        {
            await timers.StopAsync(CancellationToken.None);
        }
    }

    public static class YearlyTimer
    {
        public static int Runs;

        [Function("YearlyTimer")]
        public static void Run([TimerTrigger("0 0 0 1 1 *")] TimerInfo timer) => Interlocked.Increment(ref Runs);
    }
}
