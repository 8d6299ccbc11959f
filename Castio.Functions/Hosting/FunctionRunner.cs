using System.Diagnostics;

namespace Castio.Functions.Hosting;

/// <summary>Runs a timer or queue function's handler in its own DI scope, with the same logging in both hosting modes.</summary>
public sealed partial class FunctionRunner(IServiceScopeFactory scopes, ILogger<FunctionRunner> logger)
{
    public Task RunTimerAsync(TimerFunction function, TimerInfo timer, CancellationToken cancellationToken) =>
        RunAsync(function.Name, function.Handler, cancellationToken,
            (ITimerFunction handler, CancellationToken ct) => handler.RunAsync(timer, ct));

    public Task RunQueueAsync(QueueFunction function, QueueTrigger message, CancellationToken cancellationToken) =>
        RunAsync(function.Name, function.Handler, cancellationToken,
            (IQueueFunction handler, CancellationToken ct) => handler.RunAsync(message, ct));

    private async Task RunAsync<THandler>(string name, Type handlerType, CancellationToken cancellationToken, Func<THandler, CancellationToken, Task> run)
    {
        var started = Stopwatch.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            var handler = (THandler)ActivatorUtilities.CreateInstance(scope.ServiceProvider, handlerType);
            await run(handler, cancellationToken);
            LogSucceeded(logger, name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex);
            throw;
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Function {FunctionName} succeeded in {ElapsedMs:F0} ms")]
    private static partial void LogSucceeded(ILogger logger, string functionName, double elapsedMs);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Function {FunctionName} failed after {ElapsedMs:F0} ms")]
    private static partial void LogFailed(ILogger logger, string functionName, double elapsedMs, Exception exception);
}
