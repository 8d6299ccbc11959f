using Azure;
using Castio.Core.Storage;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Hosting;

/// <summary>
/// Standalone mode: consumes each queue function's queue with the host's semantics (spec §5.3): messages hidden
/// while processed, deleted on success, made visible again after <see cref="QueuePollingOptions.VisibilityTimeout"/>
/// on failure, and moved to <c>&lt;queue&gt;-poison</c> once a failed attempt reaches MaxDequeueCount.
/// </summary>
internal sealed partial class QueuePoller(
    FunctionRunner runner,
    StorageAccount storage,
    IOptions<StorageOptions> storageOptions,
    IOptions<QueuePollingOptions> pollingOptions,
    IConfiguration configuration,
    ILogger<QueuePoller> logger) : BackgroundService
{
    public const string PoisonSuffix = "-poison";
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (HostingMode.IsCustomHandler(configuration))
            return Task.CompletedTask;
        return Task.WhenAll(AppFunctions.Queues.Select(q => PollAsync(q, stoppingToken)));
    }

    private async Task PollAsync(QueueFunction function, CancellationToken stoppingToken)
    {
        var options = pollingOptions.Value;
        var queue = storage.Queues.GetQueueClient(storageOptions.Value.Name(function.QueueName));
        var delay = MinPollingInterval;
        var ready = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var processed = 0;
            try
            {
                if (!ready)
                {
                    await queue.CreateIfNotExistsAsync(stoppingToken);
                    ready = true;
                    LogPolling(logger, function.Name, queue.Name);
                }
                processed = await PollOnceAsync(function, queue, options, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPollFailed(logger, function.Name, queue.Name, ex);
            }

            // Back off exponentially while the queue is empty, like the host's QueuePollingIntervals.
            delay = processed > 0 ? MinPollingInterval : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxPollingInterval.Ticks));
            if (processed == 0)
            {
                try
                {
                    // Polling pace is wall-clock I/O pacing, not domain time, so it stays on the system clock.
                    await Task.Delay(delay, TimeProvider.System, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<int> PollOnceAsync(QueueFunction function, QueueClient queue, QueuePollingOptions options, CancellationToken stoppingToken)
    {
        var messages = (await queue.ReceiveMessagesAsync(options.BatchSize, options.ProcessingTimeout, stoppingToken)).Value;
        await Task.WhenAll(messages.Select(m => ProcessAsync(function, queue, m, options, stoppingToken)));
        return messages.Length;
    }

    private async Task ProcessAsync(QueueFunction function, QueueClient queue, QueueMessage message, QueuePollingOptions options, CancellationToken stoppingToken)
    {
        // Like the trigger: undecodable messages (not base64) and messages that already used up their attempts
        // (e.g. the process died mid-run) go straight to poison without running the handler.
        if (message.DecodingFailed || message.DequeueCount > options.MaxDequeueCount)
        {
            if (message.DecodingFailed)
                LogDecodingFailed(logger, function.Name, message.MessageId);
            await MoveToPoisonAsync(function, queue, message, stoppingToken);
            return;
        }
        try
        {
            await runner.RunQueueAsync(function, new QueueTrigger(message.MessageText, message.MessageId, message.DequeueCount, message.InsertedOn), stoppingToken);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            if (message.DequeueCount >= options.MaxDequeueCount)
                await MoveToPoisonAsync(function, queue, message, stoppingToken);
            else
                await ReleaseAsync(queue, message, options.VisibilityTimeout, stoppingToken);
            return;
        }
        try
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The processing lease lapsed and another receive took the message; it will run again (at-least-once).
        }
    }

    private async Task ReleaseAsync(QueueClient queue, QueueMessage message, TimeSpan visibilityTimeout, CancellationToken stoppingToken)
    {
        try
        {
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: visibilityTimeout, cancellationToken: stoppingToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Lease already lapsed; the message is visible again anyway.
        }
    }

    private async Task MoveToPoisonAsync(QueueFunction function, QueueClient queue, QueueMessage message, CancellationToken stoppingToken)
    {
        var poison = storage.Queues.GetQueueClient(queue.Name + PoisonSuffix);
        await poison.CreateIfNotExistsAsync(stoppingToken);
        await poison.SendMessageAsync(message.MessageText, cancellationToken: stoppingToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        LogPoisoned(logger, function.Name, message.MessageId, message.DequeueCount, poison.Name);
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Queue function {FunctionName} polling queue {QueueName}")]
    private static partial void LogPolling(ILogger logger, string functionName, string queueName);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Queue function {FunctionName}: polling {QueueName} failed")]
    private static partial void LogPollFailed(ILogger logger, string functionName, string queueName, Exception exception);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Queue function {FunctionName}: message {MessageId} is not valid base64; Message decoding has failed! Check MessageEncoding settings.")]
    private static partial void LogDecodingFailed(ILogger logger, string functionName, string messageId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Queue function {FunctionName}: message {MessageId} failed {DequeueCount} times; moved to {PoisonQueue}")]
    private static partial void LogPoisoned(ILogger logger, string functionName, string messageId, long dequeueCount, string poisonQueue);
}
