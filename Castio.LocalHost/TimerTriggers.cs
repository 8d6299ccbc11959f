using System.Reflection;
using Castio.Core.Observability;
using Castio.Functions.Http;
using Castio.Functions.Observability;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace Castio.LocalHost;

/// <summary>
/// Fires every timer function of <see cref="FunctionCatalog"/> on its six-field NCRONTAB schedule (UTC), with
/// NCrontab, the parser the Functions host itself uses. Runs of one function never overlap; a failed run is logged.
/// </summary>
public sealed partial class TimerTriggers(FunctionCatalog catalog, IServiceScopeFactory scopes, TimeProvider time, ILogger<TimerTriggers> logger) : BackgroundService
{
    public static CrontabSchedule ParseSchedule(string expression) =>
        CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: the host waits for ExecuteAsync only until its first await.
        await Task.Yield();
        await Task.WhenAll(catalog.Timers.Select(t => RunAsync(t, ParseSchedule(t.Schedule), stoppingToken)));
    }

    private async Task RunAsync(TimerFunction function, CrontabSchedule schedule, CancellationToken stoppingToken)
    {
        DateTime? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                // The timer exists once Delay returns its task; saying so after that lets a test move the clock safely.
                var due = Task.Delay(next - now, time, stoppingToken);
                LogNext(logger, function.Name, next);
                await due;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var status = new ScheduleStatus { Last = last ?? default, Next = schedule.GetNextOccurrence(next), LastUpdated = time.GetUtcNow().UtcDateTime };
            await InvokeAsync(function, new TimerInfo { ScheduleStatus = status, IsPastDue = false }, stoppingToken);
            last = next;
        }
    }

    /// <summary>Runs one timer function now, in its own scope, as one invocation of the host would.</summary>
    public async Task InvokeAsync(TimerFunction function, TimerInfo timer, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            var target = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Method.DeclaringType!);
            object?[] args = [.. function.Method.GetParameters().Select(object? (p) =>
                p.ParameterType == typeof(TimerInfo) ? timer
                : p.ParameterType == typeof(CancellationToken) ? cancellationToken
                : p.ParameterType == typeof(Microsoft.DurableTask.Client.DurableTaskClient) ? scope.ServiceProvider.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>()
                : throw new InvalidOperationException($"Timer function {function.Name}: cannot bind '{p.Name}'."))];
            await FunctionMethod.InvokeAsync(function.Method, target, args, scope.ServiceProvider.GetService<FunctionFailures>(), Components.Timer, function.Name);
            LogRan(logger, function.Name);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, function.Name, e);
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Timer function {Function} ran")]
    private static partial void LogRan(ILogger logger, string function);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Timer function {Function} next runs at {Next:O} UTC")]
    private static partial void LogNext(ILogger logger, string function, DateTime next);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Timer function {Function} failed")]
    private static partial void LogFailed(ILogger logger, string function, Exception exception);
}
